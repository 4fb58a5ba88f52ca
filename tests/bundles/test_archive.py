"""Names that open on every system, and files that appear only whole."""

import zipfile
from datetime import UTC, datetime

import pytest

from bundles import archive


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("广州市荔湾区科技工业和信息化局", "广州市荔湾区科技工业和信息化局"),
        ('某局/某处:"一"<二>|三*?\\', "某局／某处：＂一＂＜二＞｜三＊？＼"),
        ("名称末尾有点. ", "名称末尾有点"),
        ("换\n行\t符", "换行符"),
        ("...", "_"),
    ],
)
def test_a_name_windows_refuses_reads_the_same_in_full_width_forms(text, name):
    assert archive.safe_name(text) == name


def test_member_names_follow_the_year_and_department_folders():
    assert archive.document_member(
        2023, "liwan-kgxj", "广州市荔湾区科技工业和信息化局", 2, "报告.pdf"
    ) == ("2023年度部门整体支出绩效自评/liwan-kgxj 广州市荔湾区科技工业和信息化局/附件2 报告.pdf")
    assert archive.summary_member(2024) == "2024年度部门整体支出绩效自评/汇总表.xlsx"
    assert archive.archive_filename(2023, 12) == "2023年度部门整体支出绩效自评（12个部门）.zip"


def test_a_member_is_stored_with_its_local_date_and_readable_permissions():
    info = archive.member_info("a.pdf", datetime(2024, 3, 31, 2, 0, 1, tzinfo=UTC))

    assert info.date_time == (2024, 3, 31, 10, 0, 1)  # Asia/Shanghai
    assert info.compress_type == zipfile.ZIP_STORED
    assert info.external_attr >> 16 == 0o644


def test_a_date_before_1980_is_written_as_1980():
    info = archive.member_info("a.pdf", datetime(1970, 1, 1, tzinfo=UTC))

    assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_a_file_appears_only_when_complete(tmp_path):
    final = tmp_path / "1.zip"

    with pytest.raises(RuntimeError), archive.atomic_file(final, "writer") as stream:
        stream.write(b"half")
        assert archive.temp_path(final, "writer").exists()
        raise RuntimeError("killed")

    assert list(tmp_path.iterdir()) == []
    archive.write_atomically(final, "writer", b"whole")
    assert final.read_bytes() == b"whole"
    assert list(tmp_path.iterdir()) == [final]


def test_temporary_files_of_killed_writers_are_discarded(tmp_path):
    final = tmp_path / "7.zip"
    for token in ("a", "b"):
        archive.temp_path(final, token).write_bytes(b"half")
    (tmp_path / "17.zip.c.tmp").write_bytes(b"another bundle's")

    assert archive.discard_temp_files(final) == 2
    assert [path.name for path in tmp_path.iterdir()] == ["17.zip.c.tmp"]
