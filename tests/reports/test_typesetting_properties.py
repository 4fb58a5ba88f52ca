"""The typesetter's invariants hold for any text a department can type (Hypothesis).

Random paragraphs mix 汉字, every class of punctuation, Latin words, capitals, digits with
separators, URLs, 40-character serial numbers, English sentences, —— and ……, rare characters
and emoji. For every line the typesetter produces, checked on the glyph boxes it placed:
every glyph inside the measure, no glyph drawn over its neighbour (beyond 标点挤压), Latin
runs drawn at their own width, no forbidden line start or end, —— and …… whole, and the text
kept, character for character and in order.
"""

from __future__ import annotations

import itertools
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluations.reports.typesetting import (
    CLOSING,
    FULLWIDTH_PUNCT,
    OPENING,
    OVERRUN_PT,
    Block,
    is_latin,
    load_metrics,
    typeset,
)

M = load_metrics()
HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1)
PUNCT = st.sampled_from(list("，。、；：？！“”‘’（）《》【】〔〕「」·～%‰℃"))
LATIN_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
CAPITALS = st.sampled_from(["GDP", "CPI", "PMI", "R&D", "ISO/IEC 27001", "Wi-Fi 7", "NB-IoT"])
NUMBER = st.builds(
    lambda whole, frac, sep: f"{whole:,}".replace(",", sep) + (f".{frac:02d}" if frac else ""),
    st.integers(0, 10**12),
    st.integers(0, 99),
    st.sampled_from(["", ","]),
)
URL = st.builds(
    lambda host, path: f"https://www.{host}.gov.cn/{'/'.join(path)}?id=1&p=2",
    LATIN_WORD,
    st.lists(LATIN_WORD, min_size=1, max_size=6),
)
SERIAL = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=40, max_size=40)
SENTENCE = st.lists(LATIN_WORD, min_size=3, max_size=20).map(
    lambda words: " ".join(words).capitalize() + "."
)
PAIRED = st.sampled_from(["——", "……"])
RARE = st.sampled_from([*list("㐀䶵𠀀𠮷𪚥𫠝塱漖ⅫⅣ№①℃‰"), "😀", "👍🏽", "🇨🇳", "❤️"])
TOKEN = st.one_of(
    HAN, HAN, HAN, PUNCT, LATIN_WORD, CAPITALS, NUMBER, URL, SERIAL, SENTENCE, PAIRED, RARE
)
PARAGRAPH = st.lists(TOKEN, min_size=1, max_size=40).map("".join)
STYLE = st.sampled_from(["body", "body", "heading1", "heading2"])

SOLID_LIMIT = 1.25 + 0.01  # the grid's 0.25 pt plus the 1 pt an overfull row may close
# A squeezed mark gives up at most half its cell (as ../shared/tools/grid_check.py allows).
SQUEEZE_LIMIT = M.font_size * 0.5 + SOLID_LIMIT


def strip(text: str) -> str:
    return re.sub(r"\s", "", text)


def lines_of(text: str, style: str):
    return [line for line in typeset([Block(style, text)], M).lines if not line.is_blank]


def is_mark(text: str) -> bool:
    return text in FULLWIDTH_PUNCT


checked = settings(
    max_examples=int(os.environ.get("TYPESETTING_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not os.environ.get("TYPESETTING_EXAMPLES"),
    database=None,
)


@checked
@given(PARAGRAPH, STYLE)
def test_no_character_is_lost_or_reordered(text, style):
    lines = lines_of(text, style)

    assert strip("".join(line.text for line in lines)) == strip(text)


@checked
@given(PARAGRAPH, STYLE)
def test_every_glyph_lies_inside_the_measure(text, style):
    for line in lines_of(text, style):
        measure = M.line_width - line.indent
        for k, (glyph, left, right) in enumerate(line.boxes):
            assert left >= -0.01, (glyph, left, line.text)
            # A squeezed closing mark ending the line has its ink in the left half of its box.
            hangs = k == len(line.boxes) - 1 and glyph in CLOSING
            allowed = measure + (M.cell if hangs else OVERRUN_PT)
            assert right <= allowed, (glyph, right - measure, line.text)


@checked
@given(PARAGRAPH, STYLE)
def test_no_glyph_is_drawn_over_its_neighbour(text, style):
    for line in lines_of(text, style):
        for (a, _, a_right), (b, b_left, _) in itertools.pairwise(line.boxes):
            overlap = a_right - b_left
            marks = is_mark(a) + is_mark(b)
            limit = SQUEEZE_LIMIT * marks if marks else SOLID_LIMIT
            assert overlap <= limit, (a, b, overlap, line.text)


@checked
@given(PARAGRAPH, STYLE)
def test_latin_runs_are_drawn_at_their_own_width_never_squeezed(text, style):
    for line in lines_of(text, style):
        latin = [seg for seg in line.segments if seg.text and is_latin(seg.text[0])]
        assert all(seg.letter_spacing == 0.0 for seg in latin), line.segments
        for glyph, left, right in line.boxes:
            if is_latin(glyph[0]):
                assert abs((right - left) - M.latin_width(glyph)) < 0.01, glyph


@checked
@given(PARAGRAPH.filter(lambda t: t[0] not in CLOSING and t[-1] not in OPENING), STYLE)
def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one(text, style):
    lines = lines_of(text, style)
    for line in lines[1:]:
        assert strip(line.text)[0] not in CLOSING, line.text
    for line in lines[:-1]:
        assert strip(line.text)[-1] not in OPENING, line.text


@checked
@given(PARAGRAPH, STYLE)
def test_dashes_and_ellipses_stay_whole_and_never_start_a_line(text, style):
    lines = [strip(line.text) for line in lines_of(text, style)]
    for before, after in itertools.pairwise(lines):
        for mark in "—…":
            assert not (before.endswith(mark) and after.startswith(mark)), (before, after)
            assert not after.startswith(mark), after


@checked
@given(st.lists(st.one_of(HAN, RARE), min_size=30, max_size=80).map("".join))
def test_rare_characters_and_emoji_take_exactly_one_cell(text):
    for line in lines_of(text, "body"):
        # No face draws wider than a cell, and every glyph is one grid step from the last,
        # whichever face (Fandol, Noto CJK, HanaMin, emoji) drew it.
        assert all(right - left <= M.font_size + 0.01 for _, left, right in line.boxes)
        starts = [left - (M.font_size - (right - left)) / 2 for _, left, right in line.boxes]
        steps = [b - a for a, b in itertools.pairwise(starts)]
        if steps:
            assert max(steps) - min(steps) < 0.02, (steps, line.text)
            assert M.cell - 0.01 <= min(steps) <= max(steps) <= M.cell * 1.25, steps
