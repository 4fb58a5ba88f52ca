"""Reading tables within limits (evaluations/spreadsheets.py): what is just within a limit is
read, one more is refused with the limit and the number found; an XLSX reads as openpyxl reads
it, whatever namespace prefix its writer used."""

import io

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from evaluations.spreadsheets import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    ImportFileError,
    column_letter,
    column_number,
    read_rows,
)
from tests.hostile import files


def workbook_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_xlsx(body: str, *, dimension: str | None = None, prefix: str = "") -> bytes:
    """A worksheet from its <sheetData> content; `prefix` writes every element as prefix:name."""
    tag = f"{prefix}:" if prefix else ""
    namespace = f'xmlns:{prefix}="{files.MAIN}"' if prefix else f'xmlns="{files.MAIN}"'
    head = f'<{tag}dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><{tag}worksheet {namespace}>{head}'
        f"<{tag}sheetData>{body}</{tag}sheetData></{tag}worksheet>"
    )
    return files.xlsx_bytes(sheet=iter([sheet.encode()]))


def test_an_xlsx_reads_as_openpyxl_reads_it():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["部门编码", "年度", "数", "布尔", "空", "富文本", "文本", "负数", "小数"])
    rich = CellRichText(["红", TextBlock(InlineFont(b=True), "粗体")])
    sheet.append(["test-dept", 2023, 3.5, True, None, rich, "'=SUM(A1)", -5, 0.1])
    sheet.append(["  ", None, None])
    sheet.append(["x", 1e20, 12345678901234, False, "", "a\nb", "<&>", "#N/A", "末"])
    sheet["K6"] = "far"
    book.create_sheet("说明")["A1"] = "说明" * 6000  # another sheet's text is not read
    data = workbook_bytes(book)

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    expected = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]

    def trimmed(row: list) -> list:
        while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
            row = row[:-1]
        return row

    assert read_rows(data, kind="xlsx") == [trimmed(r) for r in expected if trimmed(r)]


def test_an_xlsx_written_with_namespace_prefixes_reads_the_same():
    body = (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>部门编码</x:t></x:is></x:c>'
        '<x:c r="B1"><x:v>2023</x:v></x:c></x:row>'
    )

    assert read_rows(sheet_xlsx(body, prefix="x"), kind="xlsx") == [["部门编码", 2023]]


def test_rows_are_never_padded_beyond_their_last_cell():
    body = files.header_row() + '<row r="9"><c r="C9"><v>1</v></c><c r="XFD9" s="1"/></row>'

    rows = read_rows(sheet_xlsx(body), kind="xlsx")

    assert rows[1] == [None, None, 1]


def test_a_document_type_declaration_is_refused():
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>'
        f'<worksheet xmlns="{files.MAIN}"><sheetData><row><c t="inlineStr"><is><t>&a;</t></is>'
        "</c></row></sheetData></worksheet>"
    )

    with pytest.raises(ImportFileError, match="无法读取 XLSX 文件"):
        read_rows(files.xlsx_bytes(sheet=iter([sheet.encode()])), kind="xlsx")


@pytest.mark.parametrize(
    ("dimension", "refusal"),
    [
        (f"A1:{column_letter(MAX_COLUMNS)}{MAX_ROWS + 1}", None),
        (f"A1:K{MAX_ROWS + 2}", f"有 {MAX_ROWS + 1:,} 行数据，超过上限 {MAX_ROWS:,} 行"),
        ("A1:AE2", "工作表的区域 A1:AE2 有 31 列，超过上限 30 列"),
        ("$A$1:$XFD$1048576", "工作表的区域 A1:XFD1048576 有 1,048,575 行数据"),
    ],
)
def test_the_declared_area_of_a_sheet_is_checked_before_its_rows(dimension, refusal):
    data = sheet_xlsx(files.header_row() + files.inline_row(2, ["d"]), dimension=dimension)

    if refusal is None:
        assert len(read_rows(data, kind="xlsx")) == 2
    else:
        with pytest.raises(ImportFileError, match=refusal):
            read_rows(data, kind="xlsx")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_limit_of_rows_is_inclusive(kind):
    def build(rows: int) -> bytes:
        if kind == "csv":
            return files.many_rows_csv(rows)
        return files.many_rows_xlsx(rows)

    assert len(read_rows(build(MAX_ROWS), kind=kind)) == MAX_ROWS + 1
    with pytest.raises(ImportFileError) as refusal:
        read_rows(build(MAX_ROWS + 1), kind=kind)
    assert str(refusal.value) == ("文件有 5,001 行数据，超过上限 5,000 行：请分成几个文件导入。")


def test_the_limits_of_columns_and_cell_length_are_inclusive_in_a_csv():
    header = ",".join(f"列{number}" for number in range(MAX_COLUMNS))
    full = "\n".join([header, ",".join(["x"] * (MAX_COLUMNS - 1) + ["指" * MAX_CELL_CHARS])])

    assert len(read_rows(full.encode(), kind="csv")[1]) == MAX_COLUMNS
    with pytest.raises(ImportFileError, match="第 2 行有 31 列，超过上限 30 列"):
        read_rows((full + ",y").encode(), kind="csv")
    with pytest.raises(ImportFileError, match="第 2 行 AD 列的单元格有 10,001 个字符"):
        read_rows((full + "指").encode(), kind="csv")


def test_trailing_blank_cells_do_not_count_as_columns():
    data = ("a,b\n1,2" + "," * 5000 + "\n").encode()

    assert read_rows(data, kind="csv") == [["a", "b"], ["1", "2"]]


def test_a_cell_just_within_the_limit_is_read_from_an_xlsx():
    rows = read_rows(files.long_cell_xlsx(MAX_CELL_CHARS), kind="xlsx")

    assert rows[1][4] == "指" * MAX_CELL_CHARS


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 30, 16384)] == ["A", "Z", "AA", "AD", "XFD"]
    assert [column_number(s) for s in ("A", "Z", "AA", "AD", "XFD")] == [1, 26, 27, 30, 16384]


@pytest.mark.parametrize(
    ("line", "refusal"),
    [
        ("1," * 999_999 + "1", "第 2 行有 1,000,000 列，超过上限 30 列"),
        ("指" * 700_000, "第 2 行有 700,001 个字符，单元格超过上限 10,000 个字符。"),
    ],
)
def test_a_csv_line_longer_than_any_table_within_the_limits_is_refused_before_it_is_split(
    line, refusal
):
    with pytest.raises(ImportFileError, match=refusal):
        read_rows(f"a,b\n{line}\n".encode(), kind="csv")


def test_a_shared_string_table_longer_than_any_sheet_within_the_limits_needs_is_refused():
    data = files.many_shared_strings_xlsx(MAX_SHARED_STRINGS + 1)

    with pytest.raises(
        ImportFileError, match=f"XLSX 文件的共享字符串超过 {MAX_SHARED_STRINGS:,} 条的上限"
    ):
        read_rows(data, kind="xlsx")
