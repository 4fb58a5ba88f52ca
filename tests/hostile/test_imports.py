"""Bad and hostile import files: each is refused with a Chinese message naming the row and
column, and nothing is written; text is imported literally and exported neutralised."""

import io
import zipfile

import pytest
from django.urls import reverse

from indicators.models import IndicatorRow
from tests.helpers import make_row
from tests.indicators.test_import import confirm, snapshot, upload

pytestmark = pytest.mark.django_db

HEADER = "部门编码,年度,一级指标,二级指标,三级指标,计量单位,指标性质,年度指标值,实际完成值,分值,偏差原因分析及改进措施\n"


@pytest.fixture
def existing_row(evaluation, framework_2023) -> IndicatorRow:
    return make_row(evaluation, actual=None)


def csv_file(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode("utf-8")


ROW = "test-dept,2023,产出指标,数量指标,{name},家,≥,{target},{actual},8,{reason}"


def row(name="国家高新技术企业数量", target="380", actual="392", reason="") -> str:
    return ROW.format(name=name, target=target, actual=actual, reason=reason)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (csv_file(row(target="380.12345")), ["第 2 行", "年度指标值"]),
        (csv_file(row(actual="1e40")), ["第 2 行", "实际完成值"]),
        (csv_file(row(actual="-5")), ["第 2 行"]),
        (csv_file(row().replace(",2023,", ",1999,")), ["第 2 行", "年度"]),
        (csv_file(row().replace(",2023,", ",二〇二三,")), ["第 2 行", "年度"]),
        (csv_file(row(name="指标\x07响铃")), ["第 2 行", "三级指标", "U+0007"]),
        (csv_file(row(name="指" * 201)), ["第 2 行", "三级指标"]),
        (csv_file(row(), row(name="第二行", reason="原因\x00空字符")), ["含有二进制内容"]),
    ],
    ids=[
        "too-many-decimals",
        "huge-number",
        "negative-actual",
        "year-out-of-range",
        "year-in-words",
        "control-character",
        "over-long-name",
        "nul-in-second-row",
    ],
)
def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(
    staff_client, existing_row, content, expected
):
    before = snapshot()

    response = upload(staff_client, "rows.csv", content)

    page = response.content.decode()
    for text in expected:
        assert text in page, text
    assert response.context.get("confirm_form") is None
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("junk.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 512, "无法读取 XLSX 文件"),
        ("truncated.xlsx", b"PK\x03\x04" + b"\x00" * 64, "无法读取 XLSX 文件"),
        ("empty-zip.xlsx", None, "无法读取 XLSX 文件"),
        (
            "page.csv",
            b"<html><body><script>alert(1)</script></body></html>",
            "文件只有表头，没有数据行",
        ),
        ("binary.csv", bytes(range(256)) * 8, "无法识别 CSV 文件的编码"),
        ("bom-only.csv", b"\xef\xbb\xbf", "文件是空的"),
    ],
)
def test_malformed_files_are_refused_with_a_message_and_nothing_written(
    staff_client, existing_row, name, content, message
):
    if content is None:
        buffer = io.BytesIO()
        zipfile.ZipFile(buffer, "w").close()
        content = buffer.getvalue()
    before = snapshot()

    response = upload(staff_client, name, content)

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert message in response.content.decode()
    assert snapshot() == before


def test_an_oversized_upload_is_refused_before_it_is_parsed(staff_client, existing_row):
    before = snapshot()

    response = upload(staff_client, "huge.csv", csv_file(*([row()] * 60_000)))

    assert "5 MB" in response.content.decode() or "5MB" in response.content.decode()
    assert snapshot() == before


def test_markup_formulas_and_rare_characters_import_literally_and_export_neutralised(
    staff_client, existing_row
):
    names = ['=HYPERLINK("http://127.0.0.1:9")', "<script>alert(1)</script>", "生僻字𠮷与表情😀"]
    content = csv_file(
        *(row(name=name.replace('"', '""').join('""') if "," in name else name) for name in names)
    )

    preview = upload(staff_client, "rows.csv", content)
    confirm(staff_client, preview)

    stored = set(IndicatorRow.objects.values_list("name", flat=True))
    assert set(names) <= stored
    export = staff_client.post(
        reverse("admin:indicators_indicatorrow_export"),
        {"format": "1", "resource": "0", "indicatorrowresource_name": "on"},
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in export
    assert "<script>alert(1)</script>" in export  # plain text in a CSV, not a formula
    assert "生僻字𠮷与表情😀" in export
