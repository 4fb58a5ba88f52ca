"""Line and page breaking for GB/T 9704-2012 公文 reports.

WeasyPrint justifies CJK text poorly and knows nothing about 标点挤压 or
行尾标点悬挂, so the breaking is done here, the way an office suite with a
character grid (文档网格) does it, and the renderer only places finished lines.

The model, tuned against a filed original (see bench/typeset_seed.py):

* Every CJK character and full-width mark takes one grid cell. The cell is the
  版心 width over 28, rounded down to whole twips (1/20 pt) as office suites
  store it: 442.2 pt / 28 = 15.79 pt becomes 15.75 pt.
* ASCII letters, digits and marks are half width (half an em), as in the
  GB2312 body fonts official documents are set in; a space takes the advance of
  the Latin font (Times metrics). A run of them ("8727.19", "R&D") never splits.
* A line is filled greedily at natural width (tolerating a sub-point overrun).
* A closing mark followed by another mark always gives up half its cell.
* When the break found would break a 禁则 rule (a closing mark at a line start,
  an opening mark at a line end), the marks already on the line are squeezed
  (down to half a cell) to pull the next character in; only if that is not
  enough is the break moved back. Squeezing is never used just to fit one more
  ordinary character.
* No punctuation hangs past the margin (行尾标点悬挂): the filed original
  squeezes instead, and letting closing marks hang made the match worse.
* Rows are justified by one letter-spacing per row; a row pushed short by a
  long unbreakable run is left ragged rather than torn apart.

Pure Python on purpose: no Django, no WeasyPrint, so it can be unit-tested and
benchmarked alone.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from evaluations.reports.blocks import STYLES, Block

# --- GB/T 9704-2012 geometry -------------------------------------------------
MM = 72 / 25.4  # points per millimetre
TEXT_WIDTH_MM = 156.0  # §5.2.1 版心 156 mm × 225 mm
TEXT_HEIGHT_MM = 225.0
CHARS_PER_LINE = 28  # §5.2.2 每行 28 个字
LINES_PER_PAGE = 22  # §5.2.2 每面 22 行
BODY_SIZE_PT = 16.0  # 3号
TITLE_SIZE_PT = 22.0  # 2号
PAGE_NUMBER_SIZE_PT = 14.0  # 4号
FIRST_LINE_INDENT_CELLS = 2  # 段首空二字
TWIP = 1 / 20  # office suites keep lengths in twentieths of a point
MAX_STRETCH = 0.25  # of a cell per gap: beyond it a row is left ragged
MAX_OVERLAP_EM = 0.45  # a squeezed mark overlaps its neighbour by less than half an em

LATIN_FONT_PATH = Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf")


# Font family names per role. A site that owns 仿宋_GB2312 or 方正小标宋 passes
# its own mapping; these defaults are free fonts packaged by Debian. Only
# installed families belong here: fontconfig substitutes a missing first family
# instead of falling through to the next one.
DEFAULT_FONTS: dict[str, tuple[str, ...]] = {
    "body": ("Noto Serif CJK SC",),  # 仿宋 role
    "title": ("Noto Serif CJK SC",),  # 小标宋 role, set bold
    "heading1": ("Noto Sans CJK SC",),  # 黑体 role
    "heading2": ("LXGW WenKai", "AR PL UKai CN"),  # 楷体 role
    "label": ("Noto Sans CJK SC",),  # 黑体 role
    "latin": ("Liberation Serif",),  # Times metrics for digits and letters
    "page_number": ("Noto Serif CJK SC",),  # 宋体 role
}

# --- character classes (GB/T 15834 标点符号 and the usual 禁则 sets) -----------
CLOSING = frozenset("，。、；：？！”’）》〉」』】〕〗〙〛｝］…%‰℃,.;:?!)]}")
OPENING = frozenset("“‘（《〈「『【〔〖〘〚｛［([{")
# Full-width marks whose ink sits in one half of the em box, so the other half
# can be squeezed out (标点挤压).
FULLWIDTH_PUNCT = frozenset("，。、；：？！”’）》〉」』】〕〗〙〛｝］“‘（《〈「『【〔〖〘〚｛［")
# Marks whose ink is in the right half of the cell: squeezing trims their left.
INK_ON_RIGHT = OPENING & FULLWIDTH_PUNCT


def is_wide(ch: str) -> bool:
    """Does the character take a full grid cell?"""
    # Chinese quotation marks and dashes are "ambiguous" in Unicode but full
    # width in Chinese text (GB/T 15834).
    return (
        ch in FULLWIDTH_PUNCT
        or ch in "…—"
        or ord(ch) >= 0x2E80
        or unicodedata.east_asian_width(ch) in ("W", "F")
    )


# --- metrics -----------------------------------------------------------------
@dataclass(frozen=True)
class Metrics:
    """Everything the breaker needs to know about widths, in points."""

    font_size: float
    cell: float  # grid pitch of the body text
    line_width: float  # 版心 width
    line_pitch: float  # 版心 height / 22
    lines_per_page: int
    # Advance widths of the Latin face (em per character), used to place runs.
    latin_advance: dict[str, float] = field(hash=False, compare=False, repr=False)
    latin_fallback_em: float = 0.5
    # Layout width of a non-space ASCII character, in em (half width).
    ascii_layout_em: float = 0.5

    def latin_width(self, text: str, size: float | None = None) -> float:
        """Rendered width of a Latin run in the Times-metric face."""
        size = self.font_size if size is None else size
        get = self.latin_advance.get
        fallback = self.latin_fallback_em
        return sum(get(ch, fallback) for ch in text) * size

    def layout_width(self, text: str, size: float | None = None) -> float:
        """Width a Latin run claims on the line when breaking."""
        size = self.font_size if size is None else size
        spaces = text.count(" ")
        return (len(text) - spaces) * self.ascii_layout_em * size + self.latin_width(
            " " * spaces, size
        )

    def cell_for(self, size: float) -> float:
        # The grid adjusts every character by the same amount (pitch − size),
        # so a 2号 title line keeps the body's per-character tightening.
        return size + (self.cell - self.font_size)


def grid_pitch(line_width: float, chars: int = CHARS_PER_LINE) -> float:
    return math.floor(line_width / chars / TWIP + 1e-9) * TWIP


@lru_cache(maxsize=4)
def load_metrics(latin_font: str | Path = LATIN_FONT_PATH) -> Metrics:
    """Read the Latin advance widths once; CJK needs none (one cell each)."""
    from fontTools.ttLib import TTFont  # deferred: only the first call pays for it

    font = TTFont(str(latin_font), lazy=True)
    units = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    advance: dict[str, float] = {}
    for code, glyph in font.getBestCmap().items():
        ch = chr(code)
        if code < 0x2000 and not is_wide(ch):
            advance[ch] = hmtx[glyph][0] / units
    font.close()
    width = TEXT_WIDTH_MM * MM
    return Metrics(
        font_size=BODY_SIZE_PT,
        cell=grid_pitch(width),
        line_width=width,
        line_pitch=TEXT_HEIGHT_MM * MM / LINES_PER_PAGE,
        lines_per_page=LINES_PER_PAGE,
        latin_advance=advance,
    )


# --- input and output ----------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """A run of a line's text.

    Most runs take the line's letter-spacing and need no markup; a squeezed
    punctuation mark carries its own letter_spacing (points after the glyph) and,
    when its ink sits in the right half of the cell, a negative left shift that
    trims the empty half.
    """

    text: str
    letter_spacing: float | None = None  # None: the line's letter-spacing
    shift: float = 0.0

    @property
    def css(self) -> str:
        """Inline style declarations for the template (numbers only); "" for plain runs."""
        parts = []
        if self.letter_spacing is not None:
            parts.append(f"letter-spacing:{self.letter_spacing:.3f}pt")
        if self.shift:
            parts.append(f"margin-left:{self.shift:.3f}pt")
        return ";".join(parts)


@dataclass(frozen=True)
class Line:
    """One grid row. Empty segments make a blank row."""

    style: str
    segments: tuple[Segment, ...] = ()
    indent: float = 0.0  # first-line indent, points
    letter_spacing: float = 0.0  # CSS letter-spacing of the row, points
    align: str = "left"  # "left" or "center"; justification is in the spacing
    first: bool = False  # first line of its paragraph
    last: bool = False  # last line of its paragraph
    justified: bool = False  # spacing stretched to reach both margins
    width: float = 0.0  # set width inside the margins, points
    font_size: float = BODY_SIZE_PT

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def is_blank(self) -> bool:
        return not self.segments

    @property
    def css(self) -> str:
        parts = []
        if self.indent:
            parts.append(f"padding-left:{self.indent:.3f}pt")
        if self.letter_spacing:
            parts.append(f"letter-spacing:{self.letter_spacing:.3f}pt")
        return ";".join(parts)


@dataclass(frozen=True)
class Page:
    number: int
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class TypesetDocument:
    pages: tuple[Page, ...]
    cell: float
    line_width: float
    line_pitch: float
    lines_per_page: int
    font_size: float

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for page in self.pages for line in page.lines)


# --- atoms -----------------------------------------------------------------------
# An atom is the smallest unit the breaker moves: one CJK character, one
# full-width mark, one space, or a run of non-space ASCII characters.
KIND_CJK = 0
KIND_PUNCT = 1  # squeezable full-width mark
KIND_LATIN = 2
KIND_SPACE = 3


@dataclass(frozen=True, slots=True)
class _Atom:
    text: str
    kind: int
    width: float  # layout width
    squeeze: float  # how much 标点挤压 may take away
    closing: bool  # may not start a line
    opening: bool  # may not end a line


@lru_cache(maxsize=8)
def _wide_atoms(m: Metrics, size: float) -> dict[str, _Atom]:
    return {}


def _atoms(text: str, m: Metrics, size: float) -> list[_Atom]:
    cell = m.cell_for(size)
    cache = _wide_atoms(m, size)
    atoms: list[_Atom] = []
    append = atoms.append
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            append(_Atom(" ", KIND_SPACE, m.layout_width(" ", size), 0.0, False, False))
            i += 1
        elif is_wide(ch):
            atom = cache.get(ch)
            if atom is None:
                if ch in FULLWIDTH_PUNCT:
                    atom = _Atom(ch, KIND_PUNCT, cell, cell / 2, ch in CLOSING, ch in OPENING)
                else:
                    atom = _Atom(ch, KIND_CJK, cell, 0.0, ch in CLOSING, ch in OPENING)
                cache[ch] = atom
            append(atom)
            i += 1
        else:
            j = i + 1
            while j < n and not text[j].isspace() and not is_wide(text[j]):
                j += 1
            for run in _fitting_pieces(text[i:j], m, size):
                append(
                    _Atom(
                        run,
                        KIND_LATIN,
                        m.layout_width(run, size),
                        0.0,
                        run[0] in CLOSING,
                        run[-1] in OPENING,
                    )
                )
            i = j
    return atoms


def _fitting_pieces(run: str, m: Metrics, size: float) -> list[str]:
    """A run of digits and Latin is never split — unless it is wider than a whole line (a long
    URL, a pasted hash): then it is cut where the line is full, rather than run off the page."""
    if m.layout_width(run, size) <= m.line_width:
        return [run]
    pieces, start = [], 0
    for end in range(1, len(run) + 1):
        if m.layout_width(run[start:end], size) > m.line_width and end - 1 > start:
            pieces.append(run[start : end - 1])
            start = end - 1
    pieces.append(run[start:])
    return pieces


# --- breaking -------------------------------------------------------------------
# Points a line may run over its measure before it counts as overfull: the rounding an office
# suite allows itself when it fills a grid line.
OVERRUN_PT = 1.0


@dataclass(frozen=True, slots=True)
class _Break:
    end: int  # atoms[start:end] are on the line
    squeeze: float  # compression applied to marks on the line


def _allowed(atoms: Sequence[_Atom], end: int) -> bool:
    """May a line end before atoms[end]?"""
    if end >= len(atoms):
        return True
    prev, nxt = atoms[end - 1], atoms[end]
    if nxt.closing or prev.opening:
        return False
    return nxt.kind != KIND_SPACE  # break after a space, never before it


def _pair_squeezed(atoms: Sequence[_Atom], i: int) -> bool:
    a = atoms[i]
    if a.kind != KIND_PUNCT or not a.closing or i + 1 >= len(atoms):
        return False
    return atoms[i + 1].kind == KIND_PUNCT


def _fit(atoms: Sequence[_Atom], start: int, width: float) -> _Break:
    """Choose where the line starting at atoms[start] ends."""
    n = len(atoms)
    limit = width + OVERRUN_PT + 1e-6
    used = 0.0
    squeezable = 0.0
    end = start
    while end < n:
        a = atoms[end]
        w, sq = a.width, a.squeeze
        # A closing mark followed by another mark always gives up half its cell.
        if sq and _pair_squeezed(atoms, end):
            w, sq = w - sq, 0.0
        if a.kind != KIND_SPACE and used + w > limit:
            break
        used += w
        squeezable += sq
        end += 1
    if end >= n:
        return _Break(n, 0.0)
    if end == start:  # a single atom wider than the line: set it overfull
        return _Break(start + 1, 0.0)

    nxt = atoms[end]
    # Squeeze the marks already on the line, but only to avoid a 禁则 break (a closing mark
    # starting the next line, an opening mark ending this one) — never just to fit one more
    # ordinary character, which the filed original does not do either.
    if nxt.kind != KIND_SPACE and not _allowed(atoms, end) and _allowed(atoms, end + 1):
        need = used + nxt.width - width
        if need <= squeezable + 1e-6:
            return _Break(end + 1, max(need, 0.0))

    cut = end
    while cut > start + 1 and not _allowed(atoms, cut):
        cut -= 1
    if not _allowed(atoms, cut):
        cut = end  # no permitted break at all: overfull rather than looping
    return _Break(cut, 0.0)


def _break(
    atoms: Sequence[_Atom], width: float, first_indent: float
) -> list[tuple[int, int, _Break, float]]:
    """(start, end, break, indent) per line."""
    out: list[tuple[int, int, _Break, float]] = []
    start, indent, n = 0, first_indent, len(atoms)
    while start < n:
        brk = _fit(atoms, start, width - indent)
        out.append((start, brk.end, brk, indent))
        start = brk.end
        while start < n and atoms[start].kind == KIND_SPACE:
            start += 1  # spaces at a break fall into the margin
        indent = 0.0
    return out


# --- placing -------------------------------------------------------------------
def _r(x: float) -> float:
    return round(x, 3)


def _place(
    atoms: Sequence[_Atom], brk: _Break, width: float, justify: bool, m: Metrics, size: float
) -> tuple[tuple[Segment, ...], float, float]:
    """Turn a line's atoms into segments; returns (segments, letter-spacing, set width).

    Every character of the row gets the same CSS letter-spacing: the grid's
    per-character adjustment (cell − em) plus, on justified rows, an equal share
    of the room left, so the last glyph ends on the right margin. Latin runs
    ride on the same spacing, which keeps a row to one text run in the PDF.
    """
    items = list(atoms)
    while items and items[-1].kind == KIND_SPACE:
        items.pop()
    cell = m.cell_for(size)
    base_spacing = cell - size  # the grid's adjustment per character

    squeezes = [0.0] * len(items)
    for i, a in enumerate(items):
        following = items[i + 1] if i + 1 < len(items) else None
        if a.kind == KIND_PUNCT and a.closing and following and following.kind == KIND_PUNCT:
            squeezes[i] = a.squeeze  # adjacent marks: the first gives up half
    if brk.squeeze:
        free = [i for i, a in enumerate(items) if a.kind == KIND_PUNCT and not squeezes[i]]
        room = sum(items[i].squeeze for i in free)
        for i in free:
            squeezes[i] = min(items[i].squeeze, brk.squeeze * items[i].squeeze / room)

    # Natural set width at the grid spacing; the last glyph's trailing spacing
    # falls outside the measure.
    # Text extractors (pdftotext) read a glyph that overlaps its neighbour's box
    # by about half an em as the start of a new line, so a squeeze stops short
    # of that; the remaining few tenths of a point go to the row's spacing.
    max_squeeze = size * MAX_OVERLAP_EM - (size - cell)
    squeezes = [min(q, max_squeeze) for q in squeezes]
    chars = 0
    natural = 0.0
    for i, a in enumerate(items):
        if a.kind in (KIND_CJK, KIND_PUNCT):
            natural += cell - squeezes[i]
            chars += 1
        else:
            natural += m.latin_width(a.text, size) + base_spacing * len(a.text)
            chars += len(a.text)
    natural -= base_spacing  # no spacing after the last glyph
    gaps = chars - 1
    # Justify full rows; tighten any row whose Times-metric Latin runs came out
    # wider than the half-width layout allowed for, so none crosses the margin.
    overfull = natural > width + 1e-6
    extra = (width - natural) / gaps if (justify or overfull) and gaps > 0 else 0.0
    if extra > cell * MAX_STRETCH:
        # A long unbreakable run (a URL, a code) pushed down leaves too much
        # room: spreading it would tear the row apart, so leave it ragged.
        extra = 0.0
    spacing = base_spacing + extra
    set_width = natural + extra * max(gaps, 0)

    segments: list[Segment] = []
    run: list[str] = []
    for i, a in enumerate(items):
        q = squeezes[i]
        if not q:
            run.append(a.text)
            continue
        if run:
            segments.append(Segment("".join(run)))
            run = []
        if a.text in INK_ON_RIGHT:
            segments.append(Segment(a.text, _r(spacing), shift=_r(-q)))
        else:
            segments.append(Segment(a.text, _r(spacing - q)))
    if run:
        segments.append(Segment("".join(run)))
    return tuple(segments), _r(spacing), set_width


# --- public API ----------------------------------------------------------------
_BLANK = Line(style="blank")


def _paragraph_lines(block: Block, m: Metrics) -> list[Line]:
    style = block.style
    if style not in STYLES:
        raise ValueError(f"unknown block style {style!r}; expected one of {STYLES}")
    size = TITLE_SIZE_PT if style == "title" else m.font_size
    indent = 0.0 if style in ("label", "title") else FIRST_LINE_INDENT_CELLS * m.cell
    atoms = _atoms(block.text.strip(), m, size)
    if not atoms:
        return [Line(style=style, indent=indent, first=True, last=True, font_size=size)]
    breaks = _break(atoms, m.line_width, indent)
    lines: list[Line] = []
    for k, (start, end, brk, ind) in enumerate(breaks):
        last = k == len(breaks) - 1
        justify = style in ("body", "heading1", "heading2") and not last
        segs, spacing, set_width = _place(
            atoms[start:end], brk, m.line_width - ind, justify, m, size
        )
        lines.append(
            Line(
                style=style,
                segments=segs,
                indent=_r(ind),
                letter_spacing=spacing,
                align="center" if style == "title" else "left",
                first=k == 0,
                last=last,
                justified=justify and abs(set_width - (m.line_width - ind)) < 0.01,
                width=_r(set_width),
                font_size=size,
            )
        )
    return lines


def typeset(blocks: Iterable[Block], metrics: Metrics | None = None) -> TypesetDocument:
    """Break the blocks into lines and the lines into pages of 22."""
    m = metrics or load_metrics()
    blocks = list(blocks)
    flow: list[Line] = []
    for i, block in enumerate(blocks):
        following = blocks[i + 1].style if i + 1 < len(blocks) else None
        flow.extend(_paragraph_lines(block, m))
        # 公文 layout: one empty line between 附件 label and title, and one
        # between the title and the body.
        after_label = block.style == "label" and following == "title"
        after_title = block.style == "title" and following not in (None, "title")
        if after_label or after_title:
            flow.append(_BLANK)
    per_page = m.lines_per_page
    pages = tuple(
        Page(number=k // per_page + 1, lines=tuple(flow[k : k + per_page]))
        for k in range(0, len(flow), per_page)
    )
    return TypesetDocument(
        pages=pages,
        cell=m.cell,
        line_width=m.line_width,
        line_pitch=m.line_pitch,
        lines_per_page=per_page,
        font_size=m.font_size,
    )


def break_paragraph(
    text: str,
    m: Metrics | None = None,
    *,
    first_indent: float | None = None,
    size: float | None = None,
) -> list[str]:
    """The printed lines of one paragraph (a convenience for tests and tuning)."""
    m = m or load_metrics()
    size = m.font_size if size is None else size
    indent = FIRST_LINE_INDENT_CELLS * m.cell if first_indent is None else first_indent
    atoms = _atoms(text, m, size)
    return [
        "".join(a.text for a in atoms[s:e]).strip()
        for s, e, _, _ in _break(atoms, m.line_width, indent)
    ]


# --- fonts ----------------------------------------------------------------------
_IDENT_START = re.compile(r"^(?!-?\d)(?!--)[A-Za-z_\-\u00a0-\U0010ffff]")
_IDENT_CHARS = re.compile(r"^[A-Za-z0-9_\-\u00a0-\U0010ffff]+$")


def checked_family(name: str) -> str:
    """A family name as unquoted CSS identifiers, or ValueError.

    Unquoted identifiers need no escaping in either a <style> element or an
    attribute, so the template can print them with autoescaping on; anything
    that is not a plain identifier could break out of the CSS value.
    """
    words = name.split()
    if not words or not all(_IDENT_CHARS.match(w) and _IDENT_START.match(w) for w in words):
        raise ValueError(f"unsupported font family name {name!r}")
    return " ".join(words)


def font_css(fonts: Mapping[str, str | Sequence[str]] | None = None) -> dict[str, str]:
    """CSS values per font role: the site's mapping laid over DEFAULT_FONTS.

    The template expects this as its ``fonts`` context variable; every role
    maps to a font-family list. The "latin" role is also what pdf.render_pdf
    must be given as latin_fonts.
    """
    merged: dict[str, Sequence[str]] = dict(DEFAULT_FONTS)
    for role, families in (fonts or {}).items():
        if role not in DEFAULT_FONTS:
            raise ValueError(f"unknown font role {role!r}; expected one of {tuple(DEFAULT_FONTS)}")
        merged[role] = (families,) if isinstance(families, str) else tuple(families)
    return {role: ", ".join(checked_family(f) for f in fams) for role, fams in merged.items()}
