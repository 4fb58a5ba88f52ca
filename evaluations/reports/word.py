"""Word (DOCX) documents on the 公文 grid, through python-docx: the only module that imports it.

What python-docx models (paragraphs, runs, tables, sections, styles, core properties, even-page
footers) is set through its API. What it lacks is written as plain OOXML on its objects: the
document grid (`w:docGrid`), east-Asian font names and the font hint, indents and spacing in
character and line units, the PAGE field, the font table's alternate names, repeated heading rows,
rows that may not split, and vertical merges. No Django: the callers hand in text and figures.

The fonts are named as government PCs have them (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体,
宋体), each with the name Word and WPS fall back to when it is missing (`w:altName`); the server's
own faces (Fandol, typesetting.DEFAULT_FONTS) are for the PDF only.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from evaluations.reports import ooxml
from evaluations.reports.blocks import Block
from evaluations.reports.typesetting import (
    BODY_SIZE_PT,
    CHARS_PER_LINE,
    FIRST_LINE_INDENT_CELLS,
    INNER_MARGIN_MM,
    LINES_PER_PAGE,
    MM,
    PAGE_HEIGHT_MM,
    PAGE_NUMBER_SIZE_PT,
    PAGE_WIDTH_MM,
    TEXT_HEIGHT_MM,
    TEXT_WIDTH_MM,
    TITLE_SIZE_PT,
    TOP_MARGIN_MM,
)

TWIPS_PER_MM = MM * 20


@dataclass(frozen=True)
class Face:
    """A font as Word names it, and what Word or WPS uses on a PC without it."""

    name: str
    alt: str = ""
    family: str = "modern"  # the font table's generic family
    charset: str = "86"  # GB2312


FANGSONG = Face("仿宋_GB2312", alt="仿宋")  # 正文
HEITI = Face("黑体", alt="SimHei")  # 一级标题, 附件标识
KAITI = Face("楷体_GB2312", alt="楷体")  # 二级标题
XIAOBIAOSONG = Face("方正小标宋简体", alt="宋体", family="roman")  # 标题
SONGTI = Face("宋体", alt="SimSun")  # 页码 (§7.5: 4号半角宋体阿拉伯数字)
LATIN = Face("Times New Roman", family="roman", charset="00")  # digits and letters
FACES = (FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONGTI)
# The face each role of the report is set in, as typesetting.DEFAULT_FONTS names the roles: the
# PDF's faces (Fandol on a Debian server) stand in for these on a machine without them.
ROLE_FACES: dict[str, Face] = {
    "body": FANGSONG,
    "title": XIAOBIAOSONG,
    "heading1": HEITI,
    "heading2": KAITI,
    "label": HEITI,
    "page_number": SONGTI,
}


@dataclass(frozen=True)
class Page:
    """A page and its margins, in millimetres."""

    width: float
    height: float
    top: float
    bottom: float
    left: float
    right: float

    @property
    def text_width_twips(self) -> int:
        return twips(self.width) - twips(self.left) - twips(self.right)

    @property
    def text_height_twips(self) -> int:
        return twips(self.height) - twips(self.top) - twips(self.bottom)


# GB/T 9704-2012 §5.2.1: A4, 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm.
GONGWEN_PAGE = Page(
    width=PAGE_WIDTH_MM,
    height=PAGE_HEIGHT_MM,
    top=TOP_MARGIN_MM,
    bottom=PAGE_HEIGHT_MM - TOP_MARGIN_MM - TEXT_HEIGHT_MM,
    left=INNER_MARGIN_MM,
    right=PAGE_WIDTH_MM - INNER_MARGIN_MM - TEXT_WIDTH_MM,
)
# §7.5: the page number's top edge 7 mm below the 版心, one 4号 character in from the outer edge.
PAGE_NUMBER_GAP_MM = 7.0


def twips(millimetres: float) -> int:
    return round(millimetres * TWIPS_PER_MM)


@dataclass(frozen=True)
class Grid:
    """The document grid (文档网格) as Word's page setup writes it: the line pitch in twips,
    and the character pitch as what is added to the 3号 size of the Normal style, in 1/4096 pt
    (negative: the characters are set closer than their size)."""

    line_pitch: int  # twips
    char_space: int  # 1/4096 pt, added to font_size

    @property
    def char_pitch_pt(self) -> float:
        return BODY_SIZE_PT + self.char_space / 4096


def gongwen_grid(page: Page = GONGWEN_PAGE) -> Grid:
    # Whole twips, rounded down, so that 22 lines and 28 characters always fit (§5.2.2), the
    # character pitch as the PDF's (typesetting.grid_pitch): 156 mm / 28 → 15.75 pt.
    line_pitch = page.text_height_twips // LINES_PER_PAGE
    char_pitch_twips = page.text_width_twips // CHARS_PER_LINE
    char_space = math.floor((char_pitch_twips / 20 - BODY_SIZE_PT) * 4096)
    return Grid(line_pitch=line_pitch, char_space=char_space)


GRID = gongwen_grid()
# 字符缩放: each character drawn a hair narrower (98 %) than its 3号 size, so that it fits the
# grid's 15.75 pt cell. Word squeezes a character into a narrower cell by itself; LibreOffice
# gives it two cells instead, doubling the spacing of every line. The PDF narrows the advance
# the same way (typesetting.Metrics.cell_for).
GRID_SCALE_PERCENT = math.floor(GRID.char_pitch_pt / BODY_SIZE_PT * 100)


# --- the document -----------------------------------------------------------------------------


def new_word_document(
    *, title: str, author: str, created: datetime | None, page: Page, landscape: bool = False
) -> Document:
    """An empty document: the page, its footers with page numbers "— 1 —" (odd pages on the
    right, even on the left), the fonts and the base style (仿宋_GB2312 3号), in Chinese."""
    document = new_document()
    _core_properties(document, title=title, author=author, created=created)
    _settings(document)
    _font_table(document)
    _base_style(document)
    section = document.sections[0]
    _page(section, page, landscape=landscape)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], outer="right")
    _page_number(section.even_page_footer.paragraphs[0], outer="left")
    return document


def _core_properties(
    document: Document, *, title: str, author: str, created: datetime | None
) -> None:
    core = document.core_properties
    core.title = title
    core.author = author
    core.last_modified_by = author
    core.language = "zh-CN"
    core.revision = 1
    core.comments = ""
    core.keywords = ""
    core.subject = ""
    core.category = ""
    if created is not None:
        core.created = created
        core.modified = created
    # The template's extended properties name an application that did not write the file.
    app = document.part.package.part_related_by(RELATIONSHIP_TYPE.EXTENDED_PROPERTIES)
    properties = parse_xml(app.blob)
    for element in properties:
        if _local_name(element) == "Application":
            element.text = "selfeval"
        elif _local_name(element) == "Template":
            properties.remove(element)
    app._blob = serialize_part_xml(properties)


def _settings(document: Document) -> None:
    settings = document.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(document: Document) -> None:
    """Declares the Chinese faces with their alternate names, so Word and WPS substitute 仿宋
    for a missing 仿宋_GB2312 (and so on) instead of a face of their own choosing."""
    part = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    fonts = parse_xml(part.blob)
    for face in (*FACES, LATIN):
        font = OxmlElement("w:font")
        font.set(qn("w:name"), face.name)
        if face.alt:
            alt = OxmlElement("w:altName")
            alt.set(qn("w:val"), face.alt)
            font.append(alt)
        for tag, value in (("w:charset", face.charset), ("w:family", face.family)):
            element = OxmlElement(tag)
            element.set(qn("w:val"), value)
            font.append(element)
        pitch = OxmlElement("w:pitch")
        pitch.set(qn("w:val"), "variable")
        font.append(pitch)
        for existing in fonts.findall(qn("w:font")):
            if existing.get(qn("w:name")) == face.name:
                fonts.remove(existing)
        fonts.append(font)
    part._blob = serialize_part_xml(fonts)  # a plain Part: python-docx keeps its bytes as they are


def _local_name(element) -> str:
    return str(element.tag).rpartition("}")[2]


def _base_style(document: Document) -> None:
    """The document defaults and the Normal style: 仿宋_GB2312 3号, Times New Roman for Latin
    text, Chinese, no widow control (it would move lines off the grid of 22)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(run_defaults):
        run_defaults.remove(child)
    _set_run(run_defaults, FANGSONG, BODY_SIZE_PT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    run_defaults.append(lang)
    paragraph_defaults = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(paragraph_defaults):
        paragraph_defaults.remove(child)


def _set_run(rpr, face: Face, size_pt: float, *, hint: bool = False) -> None:
    """Font names for every script (east-Asian text in `face`, Latin in Times New Roman), with
    the theme fonts removed (they would override the names), and the size."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    latin = face.name if face is SONGTI else LATIN.name
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), face.name)
    fonts.set(qn("w:cs"), latin)
    if hint:
        fonts.set(qn("w:hint"), "eastAsia")
    for tag in ("sz", "szCs"):
        _put(rpr, _attr(f"w:{tag}", {"w:val": str(round(size_pt * 2))}), _RUN_PROPERTIES)


def _page(section: Section, page: Page, *, landscape: bool) -> None:
    width, height = (page.height, page.width) if landscape else (page.width, page.height)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width = Twips(twips(width))
    section.page_height = Twips(twips(height))
    section.top_margin = Twips(twips(page.top))
    section.bottom_margin = Twips(twips(page.bottom))
    section.left_margin = Twips(twips(page.left))
    section.right_margin = Twips(twips(page.right))
    section.gutter = Twips(0)
    section.header_distance = Mm(10)
    number_height_mm = PAGE_NUMBER_SIZE_PT / MM
    section.footer_distance = Mm(page.bottom - PAGE_NUMBER_GAP_MM - number_height_mm)


def set_grid(section: Section, grid: Grid) -> None:
    """文档网格: 指定行和字符网格 (`linesAndChars`), as Word's page setup writes it."""
    sect_pr = section._sectPr
    element = sect_pr.find(qn("w:docGrid"))
    if element is None:
        element = OxmlElement("w:docGrid")
        sect_pr.append(element)
    for attribute in list(element.attrib):
        del element.attrib[attribute]
    element.set(qn("w:type"), "linesAndChars")
    element.set(qn("w:linePitch"), str(grid.line_pitch))
    element.set(qn("w:charSpace"), str(grid.char_space))


def _page_number(paragraph: Paragraph, *, outer: str) -> None:
    """ "— 1 —" in 4号 宋体, one character in from the outer side (§7.5)."""
    ppr = paragraph._p.get_or_add_pPr()
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), outer)
    one_character = str(round(PAGE_NUMBER_SIZE_PT * 20))
    # The footer style is based on Normal: its first-line indent is cancelled here.
    indent = _attr(
        "w:ind", {f"w:{outer}": one_character, "w:firstLine": "0", "w:firstLineChars": "0"}
    )
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:line"), one_character)
    spacing.set(qn("w:lineRule"), "exact")
    for element in (spacing, indent, jc):
        ppr.append(element)

    def run(text: str | None = None, field: str | None = None, instruction: str | None = None):
        r = paragraph.add_run(text)
        rpr = r._r.get_or_add_rPr()
        _set_run(rpr, SONGTI, PAGE_NUMBER_SIZE_PT, hint=True)
        _put(rpr, _attr("w:w", {"w:val": "100"}), _RUN_PROPERTIES)
        if field is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), field)
            r._r.append(char)
        if instruction is not None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = instruction
            r._r.append(instr)
        return r

    run("— ")
    run(field="begin")
    run(instruction=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


# --- styles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StyleSpec:
    """A paragraph style: its name in Word's style pane, its face and size, and its paragraph
    layout in character and line units (Word shows "首行缩进 2 字符", "段后 1 行")."""

    name: str
    style_id: str
    face: Face
    size_pt: float
    align: str = "both"
    first_line_chars: int = 0
    lines_after: int = 0
    after_twips: int = 0  # more space after, where a line is not the unit (附件1)
    outline_level: int | None = None
    contextual: bool = False  # no space between paragraphs of this style (a title's lines)
    # Off for text larger than the grid's characters: on the grid, Word and LibreOffice give
    # each of its characters two cells (the title's "拉开的字距").
    snap_to_grid: bool = True
    scale_percent: int = 100  # 字符缩放
    builtin: bool = False  # one of Word's own styles (Normal, Title): only restyled


def add_style(document: Document, spec: StyleSpec, *, line_twips: int) -> ParagraphStyle:
    if spec.builtin:
        style = document.styles[spec.name]
    else:
        style = document.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = spec.style_id
        style.base_style = document.styles["Normal"]
        style.quick_style = True
        style.unhide_when_used = False
        style.hidden = False
    element = style.element
    for tag in ("w:pPr", "w:rPr", "w:link", "w:next"):
        for child in element.findall(qn(tag)):
            element.remove(child)
    ppr = element.get_or_add_pPr()
    ppr.append(_attr("w:widowControl", {"w:val": "0"}))
    if not spec.snap_to_grid:
        ppr.append(_attr("w:snapToGrid", {"w:val": "0"}))
    # Both units are written, and written when zero: a style inherits each attribute on its
    # own, so a zero left out would inherit Normal's two-character indent.
    spacing = {
        "w:before": "0",
        "w:after": str(spec.lines_after * line_twips + spec.after_twips),
        "w:afterLines": str(spec.lines_after * 100),
    }
    spacing.update({"w:line": str(line_twips), "w:lineRule": "exact"})
    ppr.append(_attr("w:spacing", spacing))
    indent_twips = round(spec.first_line_chars * GRID.char_pitch_pt * 20)
    indent = {
        "w:left": "0",
        "w:right": "0",
        "w:firstLine": str(indent_twips),
        "w:firstLineChars": str(spec.first_line_chars * 100),
    }
    ppr.append(_attr("w:ind", indent))
    if spec.contextual:
        ppr.append(_attr("w:contextualSpacing", {}))
    ppr.append(_attr("w:jc", {"w:val": spec.align}))
    if spec.outline_level is not None:
        ppr.append(_attr("w:outlineLvl", {"w:val": str(spec.outline_level)}))
    rpr = element.get_or_add_rPr()
    _set_run(rpr, spec.face, spec.size_pt)
    if spec.scale_percent != 100:
        _put(rpr, _attr("w:w", {"w:val": str(spec.scale_percent)}), _RUN_PROPERTIES)
    return style


# Word refuses a file whose property elements are out of the schema's order: elements are
# put into these sequences in place (ECMA-376 Part 1, CT_TblPr, CT_RPr).
_TABLE_PROPERTIES = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook",
)  # fmt: skip
_RUN_PROPERTIES = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
    "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
)  # fmt: skip


def _put(parent, element, order: Sequence[str]) -> None:
    """Puts `element` into `parent` in schema order, replacing one of the same name."""
    name = _local_name(element)
    for existing in parent.findall(qn(f"w:{name}")):
        parent.remove(existing)
    later = set(order[order.index(name) + 1 :])
    for position, child in enumerate(parent):
        if _local_name(child) in later:
            parent.insert(position, element)
            return
    parent.append(element)


def _attr(tag: str, attributes: dict[str, str]):
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(name), value)
    return element


def _set_style(paragraph: Paragraph, style: ParagraphStyle) -> None:
    """By the style's id: python-docx's own setter looks the style up among all of them for
    every paragraph (most of the time of a table)."""
    paragraph._p.style = style.style_id


def add_paragraph(container, text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of one run. The run's font hint is east-Asian, so the marks Unicode shares
    between Chinese and Latin text (“ ” ‘ ’ — … ·) are drawn full-width in the Chinese face, as
    in the PDF, not half-width in Times New Roman."""
    paragraph = container.add_paragraph()
    _set_style(paragraph, style)
    if text:
        _hinted_run(paragraph, text)
    return paragraph


# --- tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableCell:
    """A cell of a table as laid out on its grid: where it starts, how far it spans, its
    paragraphs and the style they are set in (a key of the styles handed to `add_table`)."""

    row: int
    column: int
    texts: tuple[str, ...]
    style: str
    rows: int = 1
    columns: int = 1


def add_table(
    document: Document,
    *,
    widths_twips: Sequence[int],
    row_count: int,
    cells: Iterable[TableCell],
    styles: dict[str, ParagraphStyle],
    heading_rows: int = 0,
    unsplit_rows: Iterable[int] = (),
) -> Table:
    """A table of fixed column widths and thin black rules, its cells merged as laid out
    (`w:gridSpan` across, `w:vMerge` down) and centred vertically. The first `heading_rows`
    rows repeat at the top of every page the table runs onto (标题行重复); `unsplit_rows` are
    never split between pages."""
    table = document.add_table(rows=row_count, cols=len(widths_twips))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    _put(
        tbl_pr, _attr("w:tblW", {"w:w": str(sum(widths_twips)), "w:type": "dxa"}), _TABLE_PROPERTIES
    )
    _put(tbl_pr, _attr("w:tblLayout", {"w:type": "fixed"}), _TABLE_PROPERTIES)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        rule = {"w:val": "single", "w:sz": "6", "w:space": "0", "w:color": "000000"}
        borders.append(_attr(f"w:{side}", rule))
    _put(tbl_pr, borders, _TABLE_PROPERTIES)
    for column, width in zip(table.columns, widths_twips, strict=True):
        column.width = Twips(width)
    grid = table._cells  # computed once: python-docx recomputes the whole grid per lookup
    width = len(widths_twips)
    for index, cell in enumerate(grid):
        cell.width = Twips(widths_twips[index % width])
        cell._tc.get_or_add_tcPr().append(_attr("w:vAlign", {"w:val": "center"}))
    for spec in cells:
        cell = grid[spec.row * width + spec.column]
        if spec.rows > 1 or spec.columns > 1:
            last = grid[(spec.row + spec.rows - 1) * width + spec.column + spec.columns - 1]
            cell = cell.merge(last)
        _fill(cell, spec.texts or ("",), styles[spec.style])
    for index in range(heading_rows):
        tr_pr = table.rows[index]._tr.get_or_add_trPr()
        tr_pr.append(_attr("w:cantSplit", {}))
        tr_pr.append(_attr("w:tblHeader", {}))
    for index in unsplit_rows:
        table.rows[index]._tr.get_or_add_trPr().append(_attr("w:cantSplit", {}))
    return table


def _fill(cell: _Cell, texts: Sequence[str], style: ParagraphStyle) -> None:
    """The cell's paragraphs (a merge leaves the merged cells' empty ones behind: removed)."""
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    first = cell.paragraphs[0]
    _set_style(first, style)
    if texts[0]:
        _hinted_run(first, texts[0])
    for text in texts[1:]:
        add_paragraph(cell, text, style)


def _hinted_run(paragraph: Paragraph, text: str) -> None:
    run = paragraph.add_run(text)
    run._r.get_or_add_rPr().append(_attr("w:rFonts", {"w:hint": "eastAsia"}))


def add_spacer(document: Document, *, height_twips: int) -> Paragraph:
    """An empty paragraph of the given height: keeps two tables apart (Word joins adjacent
    tables into one) while drawing them as one."""
    paragraph = document.add_paragraph()
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        _attr(
            "w:spacing",
            {"w:before": "0", "w:after": "0", "w:line": str(height_twips), "w:lineRule": "exact"},
        )
    )
    ppr.append(_attr("w:ind", {"w:firstLine": "0", "w:firstLineChars": "0"}))
    rpr = OxmlElement("w:rPr")
    rpr.append(_attr("w:sz", {"w:val": "2"}))
    ppr.append(rpr)
    return paragraph


# --- saving -----------------------------------------------------------------------------------


def docx_bytes(document: Document, *, created: datetime | None) -> bytes:
    """The document as a DOCX whose bytes depend only on its content (ooxml.repeatable)."""
    raw = io.BytesIO()
    document.save(raw)
    return ooxml.repeatable(raw.getvalue(), when=created)


# --- 附件2: the report ------------------------------------------------------------------------

# Word's own Normal and Title are shown as 正文 and 标题 in Chinese Word and WPS, which reserve
# those names: the report's body and title are these built-in styles, restyled, so the style
# pane shows 正文 and 标题 once each. The other roles are styles of their own.
_SCALE = GRID_SCALE_PERCENT
BODY_STYLE = StyleSpec(
    "Normal",
    "Normal",
    FANGSONG,
    BODY_SIZE_PT,
    first_line_chars=FIRST_LINE_INDENT_CELLS,
    scale_percent=_SCALE,
    builtin=True,
)
TITLE_STYLE = StyleSpec(
    "Title",
    "Title",
    XIAOBIAOSONG,
    TITLE_SIZE_PT,
    align="center",
    lines_after=1,
    contextual=True,
    snap_to_grid=False,
    scale_percent=_SCALE,
    builtin=True,
)
LABEL_STYLE = StyleSpec(
    "附件标识",
    "AttachmentLabel",
    HEITI,
    BODY_SIZE_PT,
    align="left",
    lines_after=1,
    scale_percent=_SCALE,
)
HEADING1_STYLE = StyleSpec(
    "一级标题",
    "HeadingLevel1",
    HEITI,
    BODY_SIZE_PT,
    first_line_chars=FIRST_LINE_INDENT_CELLS,
    outline_level=0,
    scale_percent=_SCALE,
)
HEADING2_STYLE = StyleSpec(
    "二级标题",
    "HeadingLevel2",
    KAITI,
    BODY_SIZE_PT,
    first_line_chars=FIRST_LINE_INDENT_CELLS,
    outline_level=1,
    scale_percent=_SCALE,
)
# The report's block styles (blocks.STYLES) and the Word style each is set in.
REPORT_STYLES: dict[str, StyleSpec] = {
    "label": LABEL_STYLE,
    "title": TITLE_STYLE,
    "heading1": HEADING1_STYLE,
    "heading2": HEADING2_STYLE,
    "body": BODY_STYLE,
}


def report_docx(
    blocks: Iterable[Block], *, title: str, author: str, created: datetime | None
) -> bytes:
    """附件2 as Word: one paragraph per block in the style of its role, on the 28 × 22 grid.
    Word does the line breaking."""
    document = new_word_document(title=title, author=author, created=created, page=GONGWEN_PAGE)
    set_grid(document.sections[0], GRID)
    styles = {
        role: add_style(document, spec, line_twips=GRID.line_pitch)
        for role, spec in REPORT_STYLES.items()
    }
    body = document._body
    body.clear_content()  # the template's one empty paragraph
    for block in blocks:
        add_paragraph(document, block.text, styles[block.style])
    return docx_bytes(document, created=created)
