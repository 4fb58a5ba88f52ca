"""The 附件1 部门整体支出绩效自评表 of one evaluation, as PDF (through the project's one
WeasyPrint module) and as XLSX with the same merged cells.

Flow: selector (evaluation, rows and framework loaded) → `appendix1_table` (frozen data, every
figure already formatted or rounded by `scoring`/`figures`) → template or worksheet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string

from evaluations import figures
from evaluations.models import Evaluation
from evaluations.reports import ooxml, pdf, word
from evaluations.reports.carried import NOTHING, Carried, code_groups
from evaluations.reports.document import paragraphs
from evaluations.reports.pdf import render_pdf
from evaluations.reports.typesetting import DEFAULT_FONTS, font_css
from evaluations.tabular import plain_number, write_cell
from indicators.selectors import Scorecard, appendix_scorecard

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

ATTACHMENT_LABEL = "附件 1"
TABLE_TITLE = "部门整体支出绩效自评表"
TEMPLATE = "indicators/appendix1.html"
COLUMNS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "计量单位",
    "年度指标值",
    "实际完成值",
    "同比增长（%）",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)
# The worksheet's row of column headings, repeated at the top of every printed page.
HEADING_ROW = 8
# The Word file: the PDF's page (A4 landscape, the same margins, in mm) and the share of the
# width each column takes (the template's <col> widths, in per cent).
WORD_PAGE = word.Page(width=210, height=297, top=20, bottom=25, left=20, right=20)
COLUMN_PERCENT = (7, 8, 14, 7, 6, 7, 7, 7, 5, 9, 23)
# Printed like the PDF: A4 landscape, its margins (mm) and a centred page number. Excel and WPS
# take margins in inches.
PRINT_MARGINS_MM = {"left": 20, "right": 20, "top": 20, "bottom": 25, "header": 10, "footer": 12}
PRINT_FOOTER = "第 &P 页 共 &N 页"


def number_text(value: Decimal | None) -> str:
    return "" if value is None else f"{plain_number(value):f}"


@dataclass(frozen=True)
class IndicatorLine:
    primary: str
    primary_span: int  # rows the 一级指标 cell covers; 0 when merged into the one above
    secondary: str
    secondary_span: int
    name: str
    nature: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    growth: Decimal | None
    weight: Decimal
    score: Decimal | None
    score_text: str  # the score, or why there is none (未设定目标)
    deviation: str

    @property
    def texts(self) -> tuple[str, ...]:
        return (
            self.primary,
            self.secondary,
            self.name,
            self.nature,
            self.unit,
            number_text(self.target),
            number_text(self.actual),
            number_text(self.growth),
            number_text(self.weight),
            self.score_text,
            self.deviation,
        )


@dataclass(frozen=True)
class Appendix1:
    title: str
    department: str
    year: int
    budget_total: Decimal | None
    expenditure_total: Decimal | None
    budget_weight: Decimal | None
    completion_rate: Decimal | None
    budget_score: Decimal | None
    goals: tuple[str, ...]
    achievements: tuple[str, ...]
    lines: tuple[IndicatorLine, ...]
    total: Decimal | None
    grade: str
    explanation: str
    # The PDF's creation date: the evaluation's last change, so the same data renders to the
    # same bytes (a restored backup reproduces the PDF). None means now.
    created: datetime | None = None

    @property
    def budget_texts(self) -> tuple[str, str, str, str, str]:
        return (
            figures.format_amount(self.budget_total),
            figures.format_amount(self.expenditure_total),
            number_text(self.budget_weight) or "—",
            "—"
            if self.completion_rate is None
            else f"{figures.format_rate(self.completion_rate)}%",
            "—" if self.budget_score is None else str(self.budget_score),
        )

    @property
    def total_text(self) -> str:
        return "—" if self.total is None else str(self.total)


def _spans(keys: Sequence[object]) -> list[int]:
    spans = [0] * len(keys)
    start = 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            spans[start] = index - start
            start = index
    return spans


def appendix1_table(scorecard: Scorecard) -> Appendix1:
    evaluation = scorecard.evaluation
    scored = sorted(
        scorecard.rows,
        key=lambda s: (s.row.secondary.primary.order, s.row.secondary.order, s.row.order),
    )
    primaries = [s.row.secondary.primary_id for s in scored]
    secondaries = [s.row.secondary_id for s in scored]
    primary_spans, secondary_spans = _spans(primaries), _spans(secondaries)
    lines = tuple(
        IndicatorLine(
            primary=s.row.secondary.primary.name,
            primary_span=primary_spans[i],
            secondary=s.row.secondary.name,
            secondary_span=secondary_spans[i],
            name=s.row.name,
            nature=s.row.get_nature_display(),
            unit=s.row.unit,
            target=s.row.target,
            actual=s.row.actual,
            growth=s.row.reported_growth,
            weight=s.row.weight,
            score=s.result.score,
            score_text=s.result.label,
            deviation=s.row.deviation_reason,
        )
        for i, s in enumerate(scored)
    )
    budget = scorecard.budget
    summary = scorecard.summary
    return Appendix1(
        title=f"{evaluation.year}年度{TABLE_TITLE}",
        department=evaluation.department.full_name,
        year=evaluation.year,
        budget_total=evaluation.budget_total,
        expenditure_total=evaluation.expenditure_total,
        budget_weight=budget.weight if budget else None,
        completion_rate=evaluation.completion_rate,
        budget_score=budget.result.score if budget else None,
        goals=tuple(f"{g.order}.{g.text}" for g in evaluation.performancegoals.all()),
        achievements=tuple(paragraphs(evaluation.achievements)),
        lines=lines,
        total=summary.total,
        grade=summary.grade_label,
        explanation=summary.explanation,
        created=evaluation.updated_at,
    )


def appendix1_for(evaluation: Evaluation) -> Appendix1:
    """Expects an evaluation from `selectors.evaluation_for_appendix`."""
    return appendix1_table(appendix_scorecard(evaluation=evaluation))


def appendix1_key(table: Appendix1) -> str:
    """A hash of the table's content and of the code, template and fonts that lay it out."""
    payload = json.dumps(
        {
            "table": dataclasses.asdict(table),
            "fonts": font_css(settings.REPORT_FONTS),
            "layout": _layout_fingerprint(),
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@cache
def _layout_fingerprint() -> str:
    """Changes whenever the code or files that decide the table's layout change (a deploy)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve()
    sources = [
        here,
        Path(pdf.__file__),
        Path(word.__file__),
        *(Path(directory) / TEMPLATE for directory in settings.TEMPLATES[0]["DIRS"]),
        *sorted((Path(pdf.__file__).resolve().parents[1] / "static" / "evaluations").glob("*.css")),
    ]
    for source in sources:
        if source.exists():
            digest.update(source.read_bytes())
    return digest.hexdigest()


def appendix1_filename(evaluation: Evaluation, extension: str) -> str:
    return f"{evaluation.year}年度{evaluation.department.full_name}{TABLE_TITLE}.{extension}"


def appendix1_html(table: Appendix1, *, verification_code: str = "") -> str:
    return render_to_string(
        TEMPLATE,
        {
            "table": table,
            "verification_code": code_groups(verification_code),
            "label": ATTACHMENT_LABEL,
            "columns": COLUMNS,
            "fonts": font_css(settings.REPORT_FONTS),
        },
    )


def appendix1_pdf(table: Appendix1, carried: Carried = NOTHING) -> bytes:
    latin = settings.REPORT_FONTS.get("latin") or DEFAULT_FONTS["latin"]
    return render_pdf(
        appendix1_html(table, verification_code=carried.verification_code),
        title=f"{table.year}年度{table.department}{TABLE_TITLE}",
        author=table.department,
        created=table.created,
        latin_fonts=(latin,) if isinstance(latin, str) else tuple(latin),
        carried=carried,
    )


def appendix1_xlsx(table: Appendix1) -> bytes:
    """The same table as a worksheet: merged cells as in the PDF, numbers as numbers, text
    that a spreadsheet would run as a formula neutralised (`write_cell`), and a page setup that
    prints it like the PDF."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    book = Workbook()
    sheet = book.active
    sheet.title = "自评表"
    width = len(COLUMNS)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    left = Alignment(wrap_text=True, vertical="center", horizontal="left")

    def put(
        row: int, column: int, value: object, *, span: int = 1, down: int = 1, bold: bool = False
    ) -> None:
        cell = write_cell(sheet, row, column, value)
        cell.alignment = left if isinstance(value, str) and len(value) > 20 else wrap
        cell.font = Font(bold=bold)
        if span > 1 or down > 1:
            sheet.merge_cells(
                start_row=row,
                start_column=column,
                end_row=row + down - 1,
                end_column=column + span - 1,
            )
        for r in range(row, row + down):
            for c in range(column, column + span):
                sheet.cell(row=r, column=c).border = border

    write_cell(sheet, 1, 1, ATTACHMENT_LABEL).font = Font(bold=True)
    put(2, 1, table.title, span=width, bold=True)
    put(3, 1, "部门名称", span=2, bold=True)
    put(3, 3, table.department, span=5)
    put(3, 8, "年度", span=2, bold=True)
    put(3, 10, table.year, span=2)
    put(4, 1, "预算执行情况（万元）", span=2, down=2, bold=True)
    heads = (("全年预算数", 2), ("全年执行数", 2), ("分值", 1), ("执行率（%）", 2), ("得分", 2))
    values = (
        table.budget_total,
        table.expenditure_total,
        table.budget_weight,
        table.completion_rate,
        table.budget_score,
    )
    column = 3
    for (head, span), value in zip(heads, values, strict=True):
        put(4, column, head, span=span, bold=True)
        put(5, column, value, span=span)
        column += span
    put(6, 1, "年度总体目标", span=2, down=2, bold=True)
    put(6, 3, "预期目标", span=5, bold=True)
    put(6, 8, "实际完成情况", span=4, bold=True)
    put(7, 3, "\n".join(table.goals), span=5)
    put(7, 8, "\n".join(table.achievements), span=4)
    for index, head in enumerate(COLUMNS, 1):
        put(HEADING_ROW, index, head, bold=True)
    row = HEADING_ROW + 1
    for line in table.lines:
        if line.primary_span:
            put(row, 1, line.primary, down=line.primary_span)
        if line.secondary_span:
            put(row, 2, line.secondary, down=line.secondary_span)
        cells = (
            line.name,
            line.nature,
            line.unit,
            line.target,
            line.actual,
            line.growth,
            line.weight,
            line.score if line.score is not None else line.score_text,
            line.deviation,
        )
        for offset, content in enumerate(cells, 3):
            put(row, offset, content)
        row += 1
    put(row, 1, "总分", span=8, bold=True)
    put(row, 9, table.total, span=2)
    put(row, 11, table.explanation)
    put(row + 1, 1, "等级", span=8, bold=True)
    put(row + 1, 9, table.grade, span=3)
    for letter, size in zip("ABCDEFGHIJK", (10, 14, 26, 8, 8, 10, 10, 10, 7, 10, 34), strict=True):
        sheet.column_dimensions[letter].width = size
    sheet.row_dimensions[7].height = 160
    _set_print_layout(sheet)
    out = io.BytesIO()
    book.save(out)
    # The same table gives the same bytes: the workbook is embedded in the PDFs.
    return ooxml.repeatable(out.getvalue(), when=table.created)


def _set_print_layout(sheet: Worksheet) -> None:
    """What Excel and WPS print: one page wide and as many tall as the rows need, the column
    headings on each page, so a long table prints without a hand-made page setup."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0: as many pages as needed
    sheet.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    for side, millimetres in PRINT_MARGINS_MM.items():
        setattr(sheet.page_margins, side, round(millimetres / 25.4, 2))
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = PRINT_FOOTER


# The 附件1 Word styles: 5号 仿宋 in the cells (黑体 in the headings), the label and title as in
# the PDF (3号 黑体; 小2号 小标宋).
_CELL_PT = 10.5
_CELL_LINE_TWIPS = 284  # 14.2 pt: the template's line-height 1.35
_APPENDIX1_STYLES = {
    "label": word.StyleSpec(
        "附件标识", "AttachmentLabel", word.HEITI, 16, align="left", after_twips=227
    ),
    "title": word.StyleSpec(
        "Title", "Title", word.XIAOBIAOSONG, 18, align="center", after_twips=283, builtin=True
    ),
    "head": word.StyleSpec("表头", "TableHeading", word.HEITI, _CELL_PT, align="center"),
    "cell": word.StyleSpec("表格文字", "TableText", word.FANGSONG, _CELL_PT, align="center"),
    "text": word.StyleSpec(
        "表格段落", "TableParagraph", word.FANGSONG, _CELL_PT, align="both", first_line_chars=2
    ),
    "left": word.StyleSpec("表格说明", "TableNote", word.FANGSONG, _CELL_PT, align="left"),
}
_LINE_TWIPS = {"label": 560, "title": 560}


def appendix1_docx(table: Appendix1) -> bytes:
    """The same table as a Word document: A4 landscape, a real table whose 一级/二级 cells are
    merged as in the PDF and whose column headings repeat on every page."""
    document = word.new_word_document(
        title=f"{table.year}年度{table.department}{TABLE_TITLE}",
        author=table.department,
        created=table.created,
        page=WORD_PAGE,
        landscape=True,
    )
    styles = {
        key: word.add_style(document, spec, line_twips=_LINE_TWIPS.get(key, _CELL_LINE_TWIPS))
        for key, spec in _APPENDIX1_STYLES.items()
    }
    document._body.clear_content()
    word.add_paragraph(document, ATTACHMENT_LABEL, styles["label"])
    word.add_paragraph(document, table.title, styles["title"])
    text_width = word.twips(WORD_PAGE.height - WORD_PAGE.left - WORD_PAGE.right)
    widths = [text_width * percent // 100 for percent in COLUMN_PERCENT]
    widths[-1] += text_width - sum(widths)
    Cell = word.TableCell
    budget = table.budget_texts
    summary = [
        Cell(0, 0, ("部门名称",), "head", columns=2),
        Cell(0, 2, (table.department,), "cell", columns=5),
        Cell(0, 7, ("年度",), "head", columns=2),
        Cell(0, 9, (str(table.year),), "cell", columns=2),
        Cell(1, 0, ("预算执行情况（万元）",), "head", rows=2, columns=2),
    ]
    column = 2
    for head, span, value in zip(
        ("全年预算数", "全年执行数", "分值", "执行率", "得分"), (2, 2, 1, 2, 2), budget, strict=True
    ):
        summary += [
            Cell(1, column, (head,), "head", columns=span),
            Cell(2, column, (value,), "cell", columns=span),
        ]
        column += span
    summary += [
        Cell(3, 0, ("年度总体目标",), "head", rows=2, columns=2),
        Cell(3, 2, ("预期目标",), "head", columns=5),
        Cell(3, 7, ("实际完成情况",), "head", columns=4),
        Cell(4, 2, table.goals, "text", columns=5),
        Cell(4, 7, table.achievements, "text", columns=4),
    ]
    word.add_table(
        document,
        widths_twips=widths,
        row_count=5,
        cells=summary,
        styles=styles,
        unsplit_rows=range(4),
    )
    word.add_spacer(document, height_twips=20)

    rows = [Cell(0, index, (head,), "head") for index, head in enumerate(COLUMNS)]
    row = 1
    for line in table.lines:
        texts = line.texts
        if line.primary_span:
            rows.append(Cell(row, 0, (line.primary,), "cell", rows=line.primary_span))
        if line.secondary_span:
            rows.append(Cell(row, 1, (line.secondary,), "cell", rows=line.secondary_span))
        rows += [Cell(row, index, (texts[index],), "cell") for index in range(2, 10)]
        rows.append(Cell(row, 10, (line.deviation,), "left"))
        row += 1
    if not table.lines:
        rows.append(Cell(row, 0, ("（未填写绩效指标）",), "cell", columns=len(COLUMNS)))
        row += 1
    rows += [
        Cell(row, 0, ("总分",), "head", columns=8),
        Cell(row, 8, (table.total_text,), "cell", columns=2),
        Cell(row, 10, (table.explanation,), "left"),
        Cell(row + 1, 0, ("等级",), "head", columns=8),
        Cell(row + 1, 8, (table.grade,), "cell", columns=3),
    ]
    word.add_table(
        document,
        widths_twips=widths,
        row_count=row + 2,
        cells=rows,
        styles=styles,
        heading_rows=1,
        unsplit_rows=range(1, row + 2),
    )
    return word.docx_bytes(document, created=table.created)
