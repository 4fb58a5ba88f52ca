"""Files built to exhaust the server (tests/hostile/files.py, generated here, small on disk) are
refused, through the admin's import page and the import_indicators command alike, with a
message naming the limit and what the file has; nothing is written and no upload is kept.
bench/hostile_imports.py runs the same files at full size and measures time and memory."""

import io
from collections.abc import Callable
from decimal import Decimal
from functools import cache

import pytest
from django.core.management import CommandError, call_command

from indicators.models import IndicatorRow
from tests.helpers import make_row
from tests.hostile import files
from tests.indicators.test_import import snapshot, upload

pytestmark = pytest.mark.django_db


def streamed(write: Callable, *args) -> Callable[[], bytes]:
    def build() -> bytes:
        buffer = io.BytesIO()
        write(buffer, *args)
        return buffer.getvalue()

    return build


# name: (file name, builder, the refusal)
HOSTILE: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "huge-dimension": (
        "dimension.xlsx",
        files.huge_dimension_xlsx,
        "工作表的区域 A1:XFD1048576 有 1,048,575 行数据，超过上限 5,000 行",
    ),
    "giant-shared-string": (
        "strings.xlsx",
        streamed(files.giant_shared_string_xlsx, 60),
        "XLSX 文件中的 xl/sharedStrings.xml 解压后有 60.0 MB，超过上限 50 MB",
    ),
    "zip-bomb": (
        "bomb.xlsx",
        streamed(files.bomb_xlsx, 60),
        "XLSX 文件中的 xl/worksheets/sheet1.xml 解压后有 60.0 MB，超过上限 50 MB",
    ),
    "compression-ratio": (
        "ratio.xlsx",
        streamed(files.bomb_xlsx, 40),
        "XLSX 文件中的 xl/worksheets/sheet1.xml 压缩比为",
    ),
    "million-elements": (
        "elements.xlsx",
        streamed(files.many_elements_xlsx, 40),
        "工作簿结构异常：有超过 2,000,000 个 XML 元素",
    ),
    "wide-xlsx": (
        "wide.xlsx",
        files.wide_xlsx,
        "第 2 行的 AE 列（第 31 列）有内容，超过上限 30 列",
    ),
    "long-cell-xlsx": (
        "long.xlsx",
        lambda: files.long_cell_xlsx(10_001),
        "第 2 行 E 列的单元格有 10,001 个字符，超过上限 10,000 个字符。",
    ),
    "80000-rows-csv": (
        "rows.csv",
        files.many_rows_csv,
        "文件有 80,000 行数据，超过上限 5,000 行：请分成几个文件导入。",
    ),
    "wide-csv": ("wide.csv", files.wide_csv, "第 2 行有 100,000 列，超过上限 30 列"),
    "long-cell-csv": (
        "long.csv",
        lambda: files.long_cell_csv(200_000),
        "第 2 行有单元格超过 131,072 个字符，超过上限 10,000 个字符。",
    ),
}


@cache
def content(name: str) -> bytes:
    return HOSTILE[name][1]()


@pytest.fixture
def existing_row(evaluation, framework_2023) -> IndicatorRow:
    return make_row(evaluation, actual=None)


UNCHANGED = [("国家高新技术企业数量", Decimal("380"), None, 1)]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_upload_is_refused_on_the_file_field_and_nothing_is_kept(
    staff_client, existing_row, import_folder, name
):
    file_name, _, message = HOSTILE[name]

    response = upload(staff_client, file_name, content(name))

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    errors = response.context["form"].errors["import_file"]
    assert len(errors) == 1 and message in errors[0], errors
    assert snapshot() == UNCHANGED
    assert not any(import_folder.iterdir())


@pytest.mark.parametrize("name", HOSTILE)
def test_the_command_refuses_a_hostile_file_writing_nothing(existing_row, tmp_path, name):
    file_name, _, message = HOSTILE[name]
    path = tmp_path / file_name
    path.write_bytes(content(name))

    with pytest.raises(CommandError) as refusal:
        call_command("import_indicators", str(path))

    assert str(refusal.value).startswith("导入失败，未写入任何数据：")
    assert message in str(refusal.value)
    assert snapshot() == UNCHANGED


def test_hostile_files_are_small_on_disk():
    """What the tests upload stays under the upload limit, however far it expands."""
    for name in HOSTILE:
        assert len(content(name)) < 5 * 1024 * 1024, name
