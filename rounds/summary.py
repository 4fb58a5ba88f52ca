"""The year's 汇总表: one row per department (部门编码, 部门名称, 全年预算数, 执行数, 完成率, 自评得分,
自评等级, 状态, 提交时间, 审核时间) and a 合计 row, as XLSX (printable) and CSV (UTF-8 with BOM, or
GBK). The same figures as the overview page (`rounds.selectors.department_results`).

These functions check no access: the caller (the overview's downloads, the ZIP of the bundles
app) has already decided the user may see every department it passes."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from evaluations.models import Department
from evaluations.tabular import neutralise, write_cell
from indicators.reports.appendix1 import PRINT_FOOTER, PRINT_MARGINS_MM
from rounds.models import Round
from rounds.selectors import DepartmentResult, Totals, department_results, totals_of

HEADERS = (
    "部门编码",
    "部门名称",
    "全年预算数（万元）",
    "执行数（万元）",
    "完成率（%）",
    "自评得分",
    "自评等级",
    "状态",
    "提交时间",
    "审核时间",
)
TOTAL_LABEL = "合计"
TITLE = "{year} 年度部门整体支出绩效自评汇总表"
# Title, a line on what the figures are, then the column headings (repeated on every page).
HEADING_ROW = 3
NOTE = (
    "自评得分、自评等级按绩效指标计算；完成率 = 执行数 ÷ 全年预算数；"
    "提交时间为首次提交送审的时间；合计行的完成率 = 执行数合计 ÷ 全年预算数合计。"
)
AMOUNT_FORMAT = "#,##0.00"
RATE_FORMAT = "0.0"
SCORE_FORMAT = "0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
CSV_ENCODINGS = {"utf-8-sig": "utf-8-sig", "gbk": "gb18030"}


@dataclass(frozen=True)
class SummaryTable:
    year: int
    results: tuple[DepartmentResult, ...]

    @property
    def totals(self) -> Totals:
        return totals_of(self.results)


def summary_departments(
    *, year: int, round_: Round | None, department_codes: list[str] | None
) -> QuerySet[Department]:
    """The named departments; without names, those taking part in the year's round, or, when
    the year has no round, those with an evaluation of the year."""
    if department_codes is not None:
        return Department.objects.filter(code__in=department_codes)
    if round_ is not None:
        return round_.departments.all()
    return Department.objects.filter(evaluations__year=year)


def summary_table(*, year: int, department_codes: list[str] | None = None) -> SummaryTable:
    round_ = Round.objects.filter(year=year).first()
    results = department_results(
        year=year,
        departments=summary_departments(
            year=year, round_=round_, department_codes=department_codes
        ),
        deadline=round_.deadline if round_ is not None else None,
    )
    return SummaryTable(year=year, results=tuple(results))


def _local(moment: datetime | None) -> datetime | None:
    """Spreadsheets know no time zones: the time as read in the project's zone."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _cells(result: DepartmentResult) -> tuple[object, ...]:
    return (
        result.code,
        result.full_name,
        result.budget_total,
        result.expenditure_total,
        result.completion_rate,
        result.score,
        result.grade.label,
        result.state.label,
        _local(result.submitted_at),
        _local(result.approved_at),
    )


def _total_cells(table: SummaryTable) -> tuple[object, ...]:
    totals = table.totals
    return (
        TOTAL_LABEL,
        f"{len(table.results)} 个部门",
        totals.budget_total,
        totals.expenditure_total,
        totals.completion_rate,
        None,
        None,
        None,
        None,
        None,
    )


# Number formats by column (1-based), as the headers name them.
FORMATS = {3: AMOUNT_FORMAT, 4: AMOUNT_FORMAT, 5: RATE_FORMAT, 6: SCORE_FORMAT}
TIME_COLUMNS = (9, 10)
WIDTHS = (14, 40, 16, 16, 10, 10, 10, 10, 17, 17)


def summary_xlsx(*, year: int, department_codes: list[str] | None = None) -> bytes:
    """The 汇总表 as a worksheet: amounts, rates and scores as numbers with their number
    formats, text neutralised against formulas (`write_cell`), A4 landscape one page wide with
    the column headings on every page and page numbers."""
    table = summary_table(year=year, department_codes=department_codes)
    book = Workbook()
    sheet = book.active
    sheet.title = "汇总表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = len(HEADERS)

    title = write_cell(sheet, 1, 1, TITLE.format(year=year))
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    write_cell(sheet, 2, 1, NOTE).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.row_dimensions[2].height = 30

    def put_row(row: int, values: tuple[object, ...], *, bold: bool = False) -> None:
        for column, value in enumerate(values, 1):
            cell = write_cell(sheet, row, column, value)
            cell.border = border
            if bold:
                cell.font = Font(bold=True)
            if column in FORMATS:
                cell.number_format = FORMATS[column]
            elif column in TIME_COLUMNS:
                cell.number_format = TIME_FORMAT

    put_row(HEADING_ROW, HEADERS, bold=True)
    for cell in sheet[HEADING_ROW]:
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row = HEADING_ROW + 1
    for result in table.results:
        put_row(row, _cells(result))
        row += 1
    put_row(row, _total_cells(table), bold=True)

    for index, size in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = size
    sheet.freeze_panes = sheet.cell(row=HEADING_ROW + 1, column=1)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0: as many pages as the rows need
    sheet.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    for side, millimetres in PRINT_MARGINS_MM.items():
        setattr(sheet.page_margins, side, round(millimetres / 25.4, 2))
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = PRINT_FOOTER
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_text(value: object) -> str:
    """A cell as CSV text: amounts with two places, the rate with one, times to the minute,
    blanks empty, text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(neutralise(str(value)))


def summary_csv(
    *,
    year: int,
    department_codes: list[str] | None = None,
    encoding: Literal["utf-8-sig", "gbk"] = "utf-8-sig",
) -> bytes:
    """The 汇总表 as CSV: UTF-8 with a byte-order mark (Excel then reads it as UTF-8), or GBK
    as Chinese Excel saves CSV. GBK is written as GB18030, byte for byte the same for every
    character GBK has, so that a name with a rarer character is kept rather than lost."""
    if encoding not in CSV_ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}: utf-8-sig or gbk")
    table = summary_table(year=year, department_codes=department_codes)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for result in table.results:
        writer.writerow([_csv_text(value) for value in _cells(result)])
    writer.writerow([_csv_text(value) for value in _total_cells(table)])
    return out.getvalue().encode(CSV_ENCODINGS[encoding])
