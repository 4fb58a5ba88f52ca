"""Line and page breaking for GB/T 9704-2012 公文 reports.

WeasyPrint justifies CJK text poorly and knows nothing about 标点挤压 or the
Chinese line-breaking rules, so the breaking is done here, the way an office
suite with a character grid (文档网格) does it, and the renderer only places
finished lines. The model, tuned against a filed original and checked glyph by
glyph on any text (tests/reports/test_typesetting_properties.py):

* Every 汉字, full-width mark and any other character outside the Latin face
  (rare 汉字, Ⅻ, №, ℃, emoji) takes exactly one grid cell: the 版心 width over
  28, rounded down to whole twips (1/20 pt) as office suites store it
  (442.2 pt / 28 = 15.79 pt becomes 15.75 pt). A glyph whose face draws it
  narrower is centred in its cell; one drawn wider is scaled down to the cell,
  so a fallback face can never widen a line.
* Latin letters are laid out at their true advance in the Latin face (Times
  metrics); digits and ASCII marks at half a cell, as in the GB2312 body fonts
  official documents are set in (digits are half a cell in both). A run is
  drawn at its own widths, never letter-spaced or squeezed; lines are justified
  in the gaps between 汉字, at the boundaries between 汉字 and Latin, and at
  spaces.
* Between a 汉字 and a letter or digit there is a gap of a quarter em, the width
  of a space, typed or not (自动调整中文与西文、数字的间距); none next to a mark
  ("6.编制", "100%。").
* A Latin or digit run stays whole unless it does not fit the rest of the line
  and keeping it whole would stretch the line more than RUN_BREAK_STRETCH per gap:
  then a URL or path breaks after / . - _ ? & = and any other run longer than
  LONG_RUN_CELLS between any two characters.
* A line is filled greedily. A closing mark followed by another mark always
  gives up half its cell; the marks on a line are squeezed (down to half a
  cell) only to avoid a 禁则 break (a closing mark starting the next line, an
  opening mark ending this one); otherwise the break moves back. ——  and ……
  are never split and never start a line. No punctuation hangs past the
  margin: the filed original squeezes instead.

Pure Python on purpose: no Django, no WeasyPrint, so it can be unit-tested and
benchmarked alone.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from evaluations.reports import faces
from evaluations.reports.blocks import STYLES, Block

# --- GB/T 9704-2012 geometry -------------------------------------------------
MM = 72 / 25.4  # points per millimetre
# §5.2.1 纸张 A4; 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm, so the fore-edge margin is
# 210 − 28 − 156 = 26 mm and the foot 297 − 37 − 225 = 35 mm. The one definition of the page:
# page_css() hands it to the stylesheet.
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
TOP_MARGIN_MM = 37.0
INNER_MARGIN_MM = 28.0
TEXT_WIDTH_MM = 156.0
TEXT_HEIGHT_MM = 225.0
CHARS_PER_LINE = 28  # §5.2.2 每行 28 个字
LINES_PER_PAGE = 22  # §5.2.2 每面 22 行
BODY_SIZE_PT = 16.0  # 3号
TITLE_SIZE_PT = 22.0  # 2号
PAGE_NUMBER_SIZE_PT = 14.0  # 4号
FIRST_LINE_INDENT_CELLS = 2  # 段首空二字
TWIP = 1 / 20  # office suites keep lengths in twentieths of a point
MAX_STRETCH = 0.25  # of a cell per gap: beyond it a row is left ragged
RUN_BREAK_STRETCH = 0.1  # of a cell per gap: rather than stretch a row more, a long run breaks
MAX_OVERLAP_EM = 0.45  # a squeezed mark overlaps its neighbour by less than half an em
AUTOSPACE_EM = 0.25  # the gap between 汉字 and Latin or digits
LONG_RUN_CELLS = 10  # a run longer than this may break between any two characters
MAX_SHRINK_PT = 1.0  # how far the gap between two 汉字 may close on an overfull row

# Font family names per role. A site that owns 仿宋_GB2312 or 方正小标宋 passes
# its own mapping (REPORT_FONT_*); these defaults are free fonts from Debian
# (Fandol: scripts/install-fonts.sh). Characters a role's faces lack fall
# through to faces.FALLBACK.
DEFAULT_FONTS: dict[str, tuple[str, ...]] = {
    "body": ("FandolFang",),  # 仿宋 role
    "title": ("FandolSong",),  # 小标宋 role, set bold
    "heading1": ("FandolHei",),  # 黑体 role
    "heading2": ("FandolKai",),  # 楷体 role
    "label": ("FandolHei",),  # 黑体 role
    "latin": ("Liberation Serif",),  # Times metrics for digits and letters
    "page_number": ("Noto Serif CJK SC",),  # 宋体 role
}
# The face style each role is set in (the title is bold).
ROLE_STYLE = {"title": "Bold"}
# Code points the Latin face draws (report.css's @font-face unicode-range says the same).
LATIN_LAST = 0x024F

# --- character classes (GB/T 15834 标点符号, CLREQ 行首行尾禁则) --------------------
# May not start a line: 点号, closing quotes and brackets, 间隔号, 连接号, 分隔号, and the
# Latin marks that follow a word.
CLOSING = frozenset("，。、；：？！”’）》〉」』】〕〗〙〛｝］…‥·・～〜‐－–%‰℃°′″,.;:?!)]}")
# May not end a line: opening quotes and brackets.
OPENING = frozenset("“‘（《〈「『【〔〖〘〚｛［([{")
# Full-width marks whose ink sits in one half of the em box, so the other half
# can be squeezed out (标点挤压).
FULLWIDTH_PUNCT = frozenset("，。、；：？！”’）》〉」』】〕〗〙〛｝］“‘（《〈「『【〔〖〘〚｛［")
# Marks whose ink is in the right half of the cell: squeezing trims their left.
INK_ON_RIGHT = OPENING & FULLWIDTH_PUNCT
# 破折号 and 省略号: two cells that stay together and never start a line.
PAIRED_MARKS = frozenset("—…")
# Where a URL or path may break: after these.
URL_BREAK_AFTER = frozenset("/.-_?&=#")
_URL_LIKE = re.compile(r"://|^www\.|/|\\|@", re.IGNORECASE)
ZWJ = "\u200d"


def is_latin(ch: str) -> bool:
    """Is the character drawn by the Latin face (half-width class), not on the grid?"""
    return ord(ch) <= LATIN_LAST and ch not in FULLWIDTH_PUNCT and not ch.isspace()


def is_wide(ch: str) -> bool:
    """Does the character take a full grid cell?"""
    return not ch.isspace() and not is_latin(ch)


def _extends(ch: str) -> bool:
    """Does the character belong to the cluster before it (marks, selectors, joiners)?"""
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Cf")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tags
    )


def clusters(text: str) -> list[str]:
    """The text as user-perceived characters: a base with its marks, selectors and joined parts."""
    out: list[str] = []
    joined = False
    for ch in text:
        if out and (joined or _extends(ch)) and not ch.isspace():
            out[-1] += ch
        else:
            out.append(ch)
        joined = ch == ZWJ
    return out


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
    # The faces each block style's text falls through (advance widths of wide glyphs).
    chains: Mapping[str, faces.FaceChain] = field(
        default_factory=dict, hash=False, compare=False, repr=False
    )
    latin_fallback_em: float = 0.5
    # Layout width of a digit or ASCII mark, in em (half width).
    ascii_layout_em: float = 0.5

    def latin_width(self, text: str, size: float | None = None) -> float:
        """Drawn width of a Latin run in the Latin face."""
        size = self.font_size if size is None else size
        get = self.latin_advance.get
        fallback = self.latin_fallback_em
        return sum(0.0 if _extends(ch) else get(ch, fallback) for ch in text) * size

    def layout_width(self, text: str, size: float | None = None) -> float:
        """Width a Latin run claims on the line when breaking.

        Digits, capitals and marks take half a cell, as the GB2312 faces of the filed
        originals set them ("87.4%", "R&D"); a run with small letters (a word, a URL, an
        e-mail address) sets as it would alone, at the Latin face's own widths, digits
        aside."""
        size = self.font_size if size is None else size
        get = self.latin_advance.get
        half = self.ascii_layout_em
        own = any(ch.islower() for ch in text)
        total = 0.0
        for ch in text:
            if _extends(ch):
                continue
            if ch == " ":
                total += get(" ", 0.25)
            elif ch.isdigit() or not (own or ch.islower()):
                total += half
            else:
                total += get(ch, self.latin_fallback_em)
        return total * size

    def space_width(self, size: float | None = None) -> float:
        size = self.font_size if size is None else size
        return self.latin_advance.get(" ", 0.25) * size

    def cell_for(self, size: float) -> float:
        # The grid adjusts every character by the same amount (pitch − size),
        # so a 2号 title line keeps the body's per-character tightening.
        return size + (self.cell - self.font_size)

    def wide_advance(self, style: str, cluster: str) -> float:
        """Advance in em of a wide cluster's first character in the face that draws it."""
        chain = self.chains.get(style)
        return 1.0 if chain is None else chain.advance(cluster[0])


def page_css() -> str:
    """The page geometry as CSS (numbers only), for the report template: the margins around
    the 版心, and one grid row per line with the glyphs in its middle. A row is 225 mm / 22,
    rounded down a hair so that 22 rows never spill onto a new page; line-height 1 keeps every
    line box inside its row whatever mix of faces it holds, and the padding centres it."""
    right = PAGE_WIDTH_MM - INNER_MARGIN_MM - TEXT_WIDTH_MM
    bottom = PAGE_HEIGHT_MM - TOP_MARGIN_MM - TEXT_HEIGHT_MM
    margins = f"{TOP_MARGIN_MM:g}mm {right:g}mm {bottom:g}mm {INNER_MARGIN_MM:g}mm"
    row_mm = math.floor(TEXT_HEIGHT_MM / LINES_PER_PAGE * 10_000) / 10_000
    row_pt = row_mm * MM

    def centred(size: float) -> str:
        return f"{(row_pt - size) / 2:.3f}pt"

    return (
        f"@page {{ size: {PAGE_WIDTH_MM:g}mm {PAGE_HEIGHT_MM:g}mm; margin: {margins}; }}\n"
        f".line {{ height: {row_mm}mm; padding-top: {centred(BODY_SIZE_PT)};"
        f" font-size: {BODY_SIZE_PT:g}pt; }}\n"
        f".s-title {{ padding-top: {centred(TITLE_SIZE_PT)}; font-size: {TITLE_SIZE_PT:g}pt; }}\n"
        "@media screen {\n"
        f"  .page {{ width: {TEXT_WIDTH_MM:g}mm; min-height: {TEXT_HEIGHT_MM:g}mm;"
        f" padding: {margins}; }}\n"
        "}\n"
    )


def grid_pitch(line_width: float, chars: int = CHARS_PER_LINE) -> float:
    return math.floor(line_width / chars / TWIP + 1e-9) * TWIP


_STYLE_ROLE = {"label": "label", "title": "title", "heading1": "heading1", "heading2": "heading2"}


def role_families(
    fonts: Mapping[str, str | Sequence[str]] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Family names per role: the site's mapping laid over DEFAULT_FONTS."""
    merged: dict[str, tuple[str, ...]] = dict(DEFAULT_FONTS)
    for role, families in (fonts or {}).items():
        if role not in DEFAULT_FONTS:
            raise ValueError(f"unknown font role {role!r}; expected one of {tuple(DEFAULT_FONTS)}")
        merged[role] = (families,) if isinstance(families, str) else tuple(families)
    return merged


def _with_fallback(families: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*families, *faces.FALLBACK)))


def load_metrics(fonts: Mapping[str, str | Sequence[str]] | None = None) -> Metrics:
    """Metrics for the report's fonts (the site's REPORT_FONTS over the defaults)."""
    families = role_families(fonts)
    return _load_metrics(tuple(sorted((k, tuple(v)) for k, v in families.items())))


@lru_cache(maxsize=4)
def _load_metrics(families: tuple[tuple[str, tuple[str, ...]], ...]) -> Metrics:
    roles = dict(families)
    advance: dict[str, float] = {}
    for family in roles["latin"]:
        located = faces.locate(family)
        if located is None:
            continue
        font = faces.face(located)
        for code, width in font.advance.items():
            ch = chr(code)
            if is_latin(ch) or ch == " ":
                advance.setdefault(ch, width)
    chains = {
        style: faces.FaceChain(
            (*_with_fallback(roles[_STYLE_ROLE.get(style, "body")]), *faces.EMOJI),
            ROLE_STYLE.get(_STYLE_ROLE.get(style, "body"), ""),
        )
        for style in STYLES
    }
    width = TEXT_WIDTH_MM * MM
    return Metrics(
        font_size=BODY_SIZE_PT,
        cell=grid_pitch(width),
        line_width=width,
        line_pitch=TEXT_HEIGHT_MM * MM / LINES_PER_PAGE,
        lines_per_page=LINES_PER_PAGE,
        latin_advance=advance,
        chains=chains,
    )


# --- input and output ----------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """A run of a line's text and how it is drawn.

    Most runs take the line's letter-spacing and need no markup. Otherwise a run
    carries its own letter_spacing (points after each glyph), a left shift (a
    squeezed opening mark trims its empty left half; a narrow glyph is centred in
    its cell), a gap after it (margin-right: after a Latin run, which is never
    letter-spaced) or a font size (a glyph drawn wider than its cell, scaled down).
    """

    text: str
    letter_spacing: float | None = None  # None: the line's letter-spacing
    shift: float = 0.0
    after: float = 0.0
    font_size: float | None = None

    @property
    def css(self) -> str:
        """Inline style declarations for the template (numbers only); "" for plain runs."""
        parts = []
        if self.letter_spacing is not None:
            parts.append(f"letter-spacing:{self.letter_spacing:.3f}pt")
        if self.shift:
            parts.append(f"margin-left:{self.shift:.3f}pt")
        if self.after:
            parts.append(f"margin-right:{self.after:.3f}pt")
        if self.font_size is not None:
            parts.append(f"font-size:{self.font_size:.3f}pt")
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
    # Where each glyph cluster is drawn: (text, left, right) in points from the
    # line's start (after the indent). What the tests check the grid on.
    boxes: tuple[tuple[str, float, float], ...] = field(default=(), compare=False, repr=False)
    source: str = ""

    @property
    def text(self) -> str:
        """The line's text as typed (a space that became the automatic gap included)."""
        return self.source or "".join(s.text for s in self.segments)

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
# An atom is the smallest unit the breaker moves: one wide cluster, one full-width
# mark, one space, or a piece of a run of Latin characters.
KIND_CJK = 0
KIND_PUNCT = 1  # squeezable full-width mark
KIND_LATIN = 2
KIND_SPACE = 3

# How an atom joins the one before it.
JOIN_FREE = 0  # a break is allowed (禁则 permitting)
JOIN_SOFT = 1  # inside a Latin run: a break only when the run does not fit the line
JOIN_TIGHT = 2  # never a break (inside a word, —— and ……)


@dataclass(frozen=True, slots=True)
class _Atom:
    text: str
    kind: int
    width: float  # layout width
    squeeze: float  # how much 标点挤压 may take away
    closing: bool  # may not start a line
    opening: bool  # may not end a line
    join: int = JOIN_FREE


def _wide_atom(text: str, cell: float) -> _Atom:
    if text in FULLWIDTH_PUNCT:
        return _Atom(text, KIND_PUNCT, cell, cell / 2, text in CLOSING, text in OPENING)
    return _Atom(text, KIND_CJK, cell, 0.0, text[0] in CLOSING, text[0] in OPENING)


def _latin_atoms(run: str, m: Metrics, size: float) -> list[_Atom]:
    """A run of Latin characters: whole, or in pieces that may break (a URL, a long run)."""
    cell = m.cell_for(size)
    if _URL_LIKE.search(run):
        pieces, start = [], 0
        for i, ch in enumerate(run[:-1]):
            if ch in URL_BREAK_AFTER and run[i + 1] not in URL_BREAK_AFTER:
                pieces.append(run[start : i + 1])
                start = i + 1
        pieces.append(run[start:])
    else:
        pieces = [run]
    out: list[str] = []
    for piece in pieces:  # a piece longer than LONG_RUN_CELLS may break anywhere
        if m.layout_width(piece, size) > LONG_RUN_CELLS * cell:
            out.extend(clusters(piece))
        else:
            out.append(piece)
    return [
        _Atom(
            piece,
            KIND_LATIN,
            m.layout_width(piece, size),
            0.0,
            piece[0] in CLOSING,
            piece[-1] in OPENING,
            JOIN_FREE if k == 0 else JOIN_SOFT,
        )
        for k, piece in enumerate(out)
    ]


def _atoms(text: str, m: Metrics, size: float) -> list[_Atom]:
    cell = m.cell_for(size)
    atoms: list[_Atom] = []
    items = clusters(text)
    i, n = 0, len(items)
    while i < n:
        ch = items[i]
        j = i + 1
        if ch.isspace():
            atoms.append(_Atom(" ", KIND_SPACE, m.space_width(size), 0.0, False, False))
        elif is_latin(ch[0]):
            while j < n and is_latin(items[j][0]):
                j += 1
            atoms.extend(_latin_atoms("".join(items[i:j]), m, size))
        elif ch in PAIRED_MARKS:  # —— and ……: one unit that never starts a line
            while j < n and items[j] == ch:
                j += 1
            atoms.append(_Atom(ch, KIND_CJK, cell, 0.0, True, False))
            atoms.extend(
                _Atom(ch, KIND_CJK, cell, 0.0, True, False, JOIN_TIGHT) for _ in range(j - i - 1)
            )
        else:
            atoms.append(_wide_atom(ch, cell))
        i = j
    return atoms


def _autospaced(a: _Atom, b: _Atom) -> bool:
    """Is there an automatic gap between these neighbours: a 汉字 and a letter or digit (not a
    mark on either side, as office suites do it)?"""
    if a.kind == KIND_CJK and b.kind == KIND_LATIN and b.join == JOIN_FREE:
        return b.text[0].isalnum()
    if a.kind == KIND_LATIN and b.kind == KIND_CJK:
        return a.text[-1].isalnum()
    return False


# --- breaking -------------------------------------------------------------------
# Points a line may run over its measure before it counts as overfull: the rounding an office
# suite allows itself when it fills a grid line (the placement closes the gaps to absorb it).
OVERRUN_PT = 1.0


@dataclass(frozen=True, slots=True)
class _Break:
    end: int  # atoms[start:end] are on the line
    squeeze: float  # compression applied to marks on the line
    forced: bool = False  # no permitted break: cut where the line is full


def _allowed(atoms: Sequence[_Atom], end: int, soft: bool = False) -> bool:
    """May a line end before atoms[end]?"""
    if end >= len(atoms):
        return True
    prev, nxt = atoms[end - 1], atoms[end]
    if nxt.join == JOIN_TIGHT or (nxt.join == JOIN_SOFT and not soft):
        return False
    if nxt.closing or prev.opening:
        return False
    return nxt.kind != KIND_SPACE  # break after a space, never before it


def _pair_squeezed(atoms: Sequence[_Atom], i: int) -> bool:
    a = atoms[i]
    if a.kind != KIND_PUNCT or not a.closing or i + 1 >= len(atoms):
        return False
    return atoms[i + 1].kind == KIND_PUNCT


def _fit(atoms: Sequence[_Atom], start: int, width: float, soft: bool) -> _Break:
    """Where the line starting at atoms[start] ends, breaking Latin runs only if soft."""
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
    if (
        nxt.kind in (KIND_CJK, KIND_PUNCT)
        and not _allowed(atoms, end, soft)
        and _allowed(atoms, end + 1, soft)
    ):
        need = used + nxt.width - width
        if need <= squeezable + 1e-6:
            return _Break(end + 1, max(need, 0.0))

    cut = end
    while cut > start + 1 and not _allowed(atoms, cut, soft):
        cut -= 1
    if _allowed(atoms, cut, soft):
        return _Break(cut, 0.0)
    return _Break(_forced_cut(atoms, start, end), 0.0, forced=True)


def _forced_cut(atoms: Sequence[_Atom], start: int, end: int) -> int:
    """No permitted break: cut a run where the line is full, keeping the 禁则 if any position
    allows, and never inside —— or ……"""
    for keep_kinsoku in (True, False):
        cut = end
        while cut > start + 1 and (
            atoms[cut].join == JOIN_TIGHT
            or (keep_kinsoku and (atoms[cut].closing or atoms[cut - 1].opening))
        ):
            cut -= 1
        if cut > start + 1 or not keep_kinsoku:
            return cut
    return end


def _stretch(atoms: Sequence[_Atom], start: int, end: int, width: float) -> float:
    """Room per gap that justifying atoms[start:end] on a line of this width would need."""
    used = sum(a.width for a in atoms[start:end])
    line = atoms[start:end]
    slots = sum(
        1 for a in line[1:] if a.kind != KIND_SPACE and not (a.kind == KIND_LATIN and a.join)
    )
    return (width - used) / max(slots, 1)


def _choose(atoms: Sequence[_Atom], start: int, width: float, cell: float) -> _Break:
    """A Latin run stays whole unless that would stretch the line too far: then it breaks."""
    whole = _fit(atoms, start, width, soft=False)
    if whole.end >= len(atoms) or (atoms[whole.end].join == JOIN_SOFT and not whole.forced):
        return whole
    split = _fit(atoms, start, width, soft=True)
    if whole.forced and not split.forced:
        return split
    if (
        split.end > whole.end
        and _stretch(atoms, start, whole.end, width) > RUN_BREAK_STRETCH * cell
    ):
        return split
    return whole


def _break(
    atoms: Sequence[_Atom], width: float, first_indent: float, m: Metrics, size: float, style: str
) -> list[tuple[int, int, _Break, float]]:
    """(start, end, break, indent) per line."""
    cell = m.cell_for(size)
    out: list[tuple[int, int, _Break, float]] = []
    start, indent, n = 0, first_indent, len(atoms)
    while start < n:
        measure = width - indent
        brk = _choose(atoms, start, measure, cell)
        # Capitals, %, @ are laid out at half width like the rest of ASCII (as the GB2312 faces
        # of the filed originals set them) but drawn wider; a line whose glyphs cannot be
        # drawn in the measure even with every gap closed gives up its last unit.
        while not _drawable(atoms[start : brk.end], brk, measure, m, size, style):
            cut = brk.end - 1
            while cut > start + 1 and not _allowed(atoms, cut, soft=True):
                cut -= 1
            if cut <= start + 1 and not _allowed(atoms, cut, soft=True):
                break
            brk = _Break(cut, 0.0)
        out.append((start, brk.end, brk, indent))
        start = brk.end
        while start < n and atoms[start].kind == KIND_SPACE:
            start += 1  # spaces at a break fall into the margin
        indent = 0.0
    return out


# --- placing -------------------------------------------------------------------
def _r(x: float) -> float:
    return round(x, 3)


_ROUNDED: dict[float, float] = {}


GAP_FIXED = 0  # part of a word, or before a space
GAP_GRID = 1  # between two wide characters: the grid's spacing
GAP_AUTO = 2  # between 汉字 and Latin
GAP_SPACE = 3  # after a space


@dataclass(slots=True)
class _Item:
    atom: _Atom
    occupied: float  # width the item takes on the line
    advance: float  # width of its glyphs as drawn
    shift: float = 0.0  # where the glyphs start inside the occupied width
    font_size: float | None = None
    squeezed: float = 0.0  # taken away by 标点挤压


def _items(atoms: Sequence[_Atom], brk: _Break, m: Metrics, size: float, style: str) -> list[_Item]:
    cell = m.cell_for(size)
    squeezes = [0.0] * len(atoms)
    for i, a in enumerate(atoms):
        following = atoms[i + 1] if i + 1 < len(atoms) else None
        if a.kind == KIND_PUNCT and a.closing and following and following.kind == KIND_PUNCT:
            squeezes[i] = a.squeeze  # adjacent marks: the first gives up half
    if brk.squeeze:
        free = [
            i
            for i, a in enumerate(atoms)
            if a.kind == KIND_PUNCT and not squeezes[i] and not (i == 0 and a.text in INK_ON_RIGHT)
        ]
        room = sum(atoms[i].squeeze for i in free)
        for i in free:
            squeezes[i] = min(atoms[i].squeeze, brk.squeeze * atoms[i].squeeze / room)
    # Text extractors (pdftotext) read a glyph that overlaps its neighbour's box by about half
    # an em as the start of a new line, so a squeeze stops short of that, for a mark and for
    # two neighbouring marks together; what is left goes to the gaps of the row.
    cap = _squeeze_cap(size, cell)
    squeezes = [min(q, cap) for q in squeezes]
    for i in range(1, len(atoms)):
        if squeezes[i - 1] + squeezes[i] > cap:
            squeezes[i] = max(cap - squeezes[i - 1], 0.0)
    items = []
    for a, q in zip(atoms, squeezes, strict=True):
        if a.kind == KIND_LATIN:
            width = m.latin_width(a.text, size)
            items.append(_Item(a, width, width))
        elif a.kind == KIND_SPACE:
            width = m.space_width(size)
            items.append(_Item(a, width, width))
        else:
            em = m.wide_advance(style, a.text)
            item = _Item(a, size, size)
            if em > 1.001:  # a face that draws it wider than a cell: scale it down to one
                item.font_size = _r(size / em)
            elif em < 0.999:  # narrower: centred in its cell
                item.advance = em * size
                item.shift = (size - item.advance) / 2
            _squeeze(item, q)
            items.append(item)
    return items


def _squeeze_cap(size: float, cell: float) -> float:
    return size * MAX_OVERLAP_EM - (size - cell)


def _squeeze(item: _Item, q: float) -> None:
    item.occupied -= q
    item.squeezed += q
    if item.atom.text in INK_ON_RIGHT:
        item.shift -= q


def _gap(a: _Atom, b: _Atom, base: float, autospace: float) -> tuple[int, float]:
    """The kind and natural width of the gap between two neighbouring atoms of a line."""
    if b.kind == KIND_SPACE:
        return GAP_FIXED, 0.0
    if a.kind == KIND_SPACE:
        return GAP_SPACE, 0.0
    if a.kind == KIND_LATIN and b.kind == KIND_LATIN:
        return GAP_FIXED, 0.0
    if _autospaced(a, b):
        return GAP_AUTO, autospace
    if a.kind == KIND_LATIN or b.kind == KIND_LATIN:  # Latin next to a mark: set solid
        return GAP_GRID, 0.0
    return GAP_GRID, base


def _compress(
    items: list[_Item], kinds: list[int], widths: list[float], room: float, cap: float
) -> float:
    """Absorb an overfull row (letters, %, @ drawn wider than laid out), in this order: the
    gaps between 汉字 and Latin close, lone full-width marks are squeezed (标点挤压), then the
    gaps between 汉字 and at spaces close by up to MAX_SHRINK_PT. Returns the room left."""
    autos = [i for i, kind in enumerate(kinds) if kind == GAP_AUTO]
    total = sum(widths[i] for i in autos)
    take = min(-room, total)
    for i in autos:
        widths[i] -= take * widths[i] / total
    room += take
    if room < -1e-6:
        lone = [
            item
            for k, item in enumerate(items)
            if item.atom.kind == KIND_PUNCT
            and not item.squeezed
            and not (k == 0 and item.atom.text in INK_ON_RIGHT)  # its box would cross the margin
            and not (k > 0 and items[k - 1].squeezed)
            and not (k + 1 < len(items) and items[k + 1].atom.kind == KIND_PUNCT)
        ]
        if lone:
            per = min(-room / len(lone), cap)
            for item in lone:
                _squeeze(item, per)
            room += per * len(lone)
    closable = [i for i, kind in enumerate(kinds) if kind in (GAP_GRID, GAP_SPACE)]
    if room < -1e-6 and closable:
        per = min(-room / len(closable), MAX_SHRINK_PT)
        for i in closable:
            widths[i] -= per
        room += per * len(closable)
    return room


def _layout(
    atoms: Sequence[_Atom],
    brk: _Break,
    width: float,
    justify: bool,
    m: Metrics,
    size: float,
    style: str,
) -> tuple[list[_Item], list[float]]:
    """Each item's glyphs and the gaps after them, justified or compressed to the width."""
    cell = m.cell_for(size)
    base = cell - size  # the grid's adjustment per character
    items = _items(atoms, brk, m, size, style)
    autospace = AUTOSPACE_EM * size
    gaps = [_gap(a, b, base, autospace) for a, b in itertools.pairwise(atoms)]
    kinds = [kind for kind, _ in gaps]
    widths = [w for _, w in gaps]
    # A space typed between a 汉字 and a letter or digit is the automatic gap itself, so
    # "预算数 8727.19 万元" and "突破380家" are spaced alike; it is not drawn.
    for k in range(1, len(atoms) - 1):
        if atoms[k].kind == KIND_SPACE and _autospaced(atoms[k - 1], atoms[k + 1]):
            items[k].occupied = items[k].advance = 0.0
            kinds[k - 1], widths[k - 1] = GAP_AUTO, autospace
            kinds[k], widths[k] = GAP_FIXED, 0.0
    room = width - sum(item.occupied for item in items) - sum(widths)
    if room < -1e-6:
        _compress(items, kinds, widths, room, _squeeze_cap(size, cell))
    elif justify:
        slots = [i for i, kind in enumerate(kinds) if kind != GAP_FIXED]
        extra = room / len(slots) if slots else 0.0
        # A line that would need more (a long run pushed down that could not break) is
        # left ragged rather than torn apart.
        if extra <= cell * MAX_STRETCH:
            for i in slots:
                widths[i] += extra
    return items, widths


def _set_width(items: list[_Item], widths: list[float]) -> float:
    return sum(item.occupied for item in items) + sum(widths)


def _trimmed(atoms: Sequence[_Atom]) -> list[_Atom]:
    """The line's atoms without the spaces at its end (they fall into the margin)."""
    end = len(atoms)
    while end and atoms[end - 1].kind == KIND_SPACE:
        end -= 1
    return list(atoms[:end])


def _drawable(
    atoms: Sequence[_Atom], brk: _Break, width: float, m: Metrics, size: float, style: str
) -> bool:
    """Do the atoms fit the width as drawn, once every gap is closed as far as it may be?"""
    if not any(a.kind == KIND_LATIN for a in atoms):
        return True  # only wide characters: laid out exactly as drawn
    items, widths = _layout(_trimmed(atoms), brk, width, False, m, size, style)
    return _set_width(items, widths) <= width + OVERRUN_PT + 1e-6


def _place(
    atoms: Sequence[_Atom],
    brk: _Break,
    width: float,
    justify: bool,
    m: Metrics,
    size: float,
    style: str,
) -> tuple[tuple[Segment, ...], float, float, tuple[tuple[str, float, float], ...]]:
    """Turn a line's atoms into segments; returns (segments, row spacing, set width, boxes).

    Every glyph is drawn at its own width; the line is justified in its gaps: between two
    wide characters (the grid's spacing, cell − em, plus an equal share of the room), at
    the boundaries between 汉字 and Latin and after spaces. Latin runs are never
    letter-spaced.
    """
    atoms = _trimmed(atoms)
    base = m.cell_for(size) - size
    items, widths = _layout(atoms, brk, width, justify, m, size, style)
    set_width = _set_width(items, widths)

    # Per item: the CSS letter-spacing (wide characters and spaces) that puts the next item
    # where the gap says; a Latin run keeps letter-spacing 0 and gets a right margin.
    spacings: list[float] = []
    boxes: list[tuple[str, float, float]] = []
    x = 0.0
    for i, item in enumerate(items):
        gap = widths[i] if i < len(widths) else (base if item.atom.kind != KIND_LATIN else 0.0)
        spacing = item.occupied + gap - item.shift - item.advance
        rounded = _ROUNDED.get(spacing)
        if rounded is None:  # a row's characters share a few values: round each once
            rounded = _ROUNDED[spacing] = _r(spacing)
            if len(_ROUNDED) > 4096:
                _ROUNDED.clear()
        spacings.append(rounded)
        left = x + item.shift
        if item.atom.kind != KIND_SPACE:
            boxes.append((item.atom.text, left, left + item.advance))
        x += item.occupied + gap
    spaced = [s for item, s in zip(items, spacings, strict=True) if item.atom.kind != KIND_LATIN]
    row = Counter(spaced).most_common(1)[0][0] if spaced else _r(base)

    segments: list[Segment] = []
    run: list[str] = []
    for i, item in enumerate(items):
        text = item.atom.text
        if item.atom.kind == KIND_SPACE and not item.occupied:
            continue  # a typed space that became the automatic gap
        if item.atom.kind == KIND_LATIN:
            after = _r(widths[i] if i < len(widths) else 0.0)
            if run:
                segments.append(Segment("".join(run)))
                run = []
            if i and items[i - 1].atom.kind == KIND_LATIN and not segments[-1].after:
                text = segments.pop().text + text  # pieces of one run, set solid
            segments.append(Segment(text, 0.0, after=after))
        elif spacings[i] == row and not item.shift and item.font_size is None:
            run.append(text)
        else:
            if run:
                segments.append(Segment("".join(run)))
                run = []
            own = None if spacings[i] == row else spacings[i]
            segments.append(Segment(text, own, _r(item.shift), font_size=item.font_size))
    if run:
        segments.append(Segment("".join(run)))
    return tuple(segments), row, set_width, tuple(boxes)


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
    breaks = _break(atoms, m.line_width, indent, m, size, style)
    lines: list[Line] = []
    for k, (start, end, brk, ind) in enumerate(breaks):
        last = k == len(breaks) - 1
        justify = style in ("body", "heading1", "heading2") and not last
        segs, spacing, set_width, boxes = _place(
            atoms[start:end], brk, m.line_width - ind, justify, m, size, style
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
                boxes=boxes,
                source="".join(a.text for a in atoms[start:end]).strip(),
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
        for s, e, _, _ in _break(atoms, m.line_width, indent, m, size, "body")
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
    """CSS values per font role: the site's mapping laid over DEFAULT_FONTS, every role but
    the Latin one followed by faces.FALLBACK.

    The template expects this as its ``fonts`` context variable; every role
    maps to a font-family list. The "latin" role is also what pdf.render_pdf
    must be given as latin_fonts.
    """
    merged = role_families(fonts)
    return {
        role: ", ".join(
            checked_family(f) for f in (fams if role == "latin" else _with_fallback(fams))
        )
        for role, fams in merged.items()
    }
