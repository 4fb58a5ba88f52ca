"""The 公文 line breaker: grid, 禁则, numbers, pages (no database, no WeasyPrint)."""

from __future__ import annotations

import itertools
import re

import pytest

from evaluations.reports.typesetting import (
    CLOSING,
    OPENING,
    OVERRUN_PT,
    Block,
    Line,
    TypesetDocument,
    break_paragraph,
    font_css,
    load_metrics,
    typeset,
)

M = load_metrics()
OVERRUN = OVERRUN_PT  # points a filled line may run over

# Paragraphs of the filed Liwan report, with its printed lines.
FILED = {
    "kinsoku squeeze pulls a closing comma onto a full line": [
        "因势利导引进一批能与现有产业和企业对接、带动性强、",  # the one break the rules miss
        "关联度高的项目，吸引上下游企业跟进，形成比较完整的产业链，",
        "通过相关产业的横向拓展继而扩展成关联度高的产业集聚。开展",
    ],
    "numbers stay whole and a short tail is left alone": [
        "按资金来源分，一般公共预算财政拨款支出 7627.19 万元，",
        "政府性基金预算财政拨款支出 0 万元，国有资本经营预算财政拨",
        "款支出 0 万元，其他资金支出 0 万元。按支出性质看，基本支出",
        "2555.62 万元，项目支出 5071.57 万元。年末结转和结余 0.00",
        "万元。",
    ],
    "a closing mark that would need squeezing alone is not hung": [
        "持续落实“七个一”工作机制，力争荔湾产业园纳入省产业",
        "园，并将其打造成为粤港澳大湾区广佛极点重要平台。分类施策",
        "加快推动老旧物业提质增效，力争广弘交易中心、永安围创意园",
        "等 9 个项目完成 30 万平米面积改造，推动广州发电厂首开区、",
        "黄沙水产市场等 9 个项目开展改造。推进村级工业园整治提升、",
        "错位发展，重点推动东沙现代都市工业园区内工业用地提质扩",
        "容、西塱村级工业园和胜亚灯具厂改造项目开工建设、高得工业",
    ],
    "adjacent quotation marks squeeze each other": [
        "结合机构改革，强化民营企业和中小企业服务，促进民营经",
        "济发展壮大。实施科技企业提质增量计划，推动中小企业升规做",
        "强，培育高成长性企业发展成为“专精特新”“独角兽”。持续发",
        "挥北交所华南基地在地化服务功能，培育推动更多本土企业在新",
        "三板、北交所挂牌上市。力争 2024 新增规上科技服务业、工业、",
        "互联网和软信企业各 10 家以上、省级专精特新企业突破 140 家、",
        "市级创新型企业突破 220 家。",
    ],
}


def liwan_like_blocks() -> list[Block]:
    blocks = [
        Block("label", "附件 2"),
        Block("title", "2023 年度广州市荔湾区科技工业和信息化局"),
        Block("title", "部门整体支出绩效自评报告"),
        Block("heading1", "一、基本情况"),
        Block("heading2", "（一）部门职能"),
    ]
    for lines in FILED.values():
        blocks.append(Block("body", "".join(lines)))
    return blocks * 3


def invented_blocks() -> list[Block]:
    """Very different from the seed: tiny and huge paragraphs, long Latin runs,
    a heading after every paragraph, brackets and quotes everywhere."""
    blocks = [Block("title", "关于 ABC-2025 项目的说明")]
    for n in range(1, 13):
        blocks.append(Block("heading1", f"{'一二三四五六七八九十'[n % 10]}、第 {n} 部分"))
        blocks.append(Block("heading2", "（一）概况"))
        blocks.append(Block("body", "短。"))
        blocks.append(
            Block(
                "body",
                f"{n}.编号 ISO/IEC-27001:2022 与 https://example.org/path?query=1 并列，"
                "金额 123456789012.34 元（约合 USD 17,000,000.00），"
                "同比增长 12.5%，“重点项目”《管理办法》【附表】均已报送。" * (n % 4 + 1),
            )
        )
        blocks.append(Block("body", "甲" * (n * 11) + "。"))
    return blocks


def paragraphs(document: TypesetDocument) -> list[list[Line]]:
    groups: list[list[Line]] = []
    for line in document.lines:
        if line.is_blank:
            continue
        if line.first:
            groups.append([])
        groups[-1].append(line)
    return groups


DOCUMENTS = {"liwan-like": liwan_like_blocks, "invented": invented_blocks}


@pytest.fixture(params=list(DOCUMENTS), ids=list(DOCUMENTS))
def document(request) -> TypesetDocument:
    return typeset(DOCUMENTS[request.param]())


def test_no_line_is_wider_than_the_type_area(document):
    for line in document.lines:
        if line.is_blank:
            continue
        room = document.line_width - line.indent
        assert line.width <= room + OVERRUN, line.text
        if line.justified:
            assert line.width == pytest.approx(room, abs=0.01), line.text


def test_every_full_page_holds_22_lines_and_only_the_last_is_short(document):
    pages = document.pages
    assert all(len(page.lines) == 22 for page in pages[:-1])
    assert 1 <= len(pages[-1].lines) <= 22
    assert [page.number for page in pages] == list(range(1, len(pages) + 1))


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(document):
    for line in document.lines:
        text = line.text
        if not text or line.style == "title":
            continue
        assert text[0] not in CLOSING, text
        assert text[-1] not in OPENING, text


def test_a_line_splits_a_number_or_word_only_where_a_long_run_may_break(document):
    # A run breaks after / . - _ ? & = # when it is a URL or path, or anywhere when it is
    # longer than ten cells; a number or word that fits stays whole.
    given = [block.text for block in invented_blocks() + liwan_like_blocks()]
    for lines in paragraphs(document):
        for a, b in itertools.pairwise(lines):
            head = re.search(r"[0-9A-Za-z.%:/?=&,_#@-]+$", a.text)
            tail = re.match(r"[0-9A-Za-z.%:/?=&,_#@-]+", b.text)
            if not (head and tail) or any(f"{head.group()} {tail.group()}" in t for t in given):
                continue  # two words, broken at the space between them
            run = head.group() + tail.group()
            url = re.search(r"://|/|@", run)
            assert (url and head.group()[-1] in "/.-_?&=#") or (
                M.layout_width(run) > 10 * M.cell
            ), (a.text, b.text)


def test_a_url_breaks_after_a_slash_rather_than_leaving_a_short_stretched_line():
    text = "政务公开专栏（https://www.lw.gov.cn/zwgk/zdlyxxgk/czzj/content/post_9876543.html）发布预决算信息27条。"

    lines = break_paragraph(text)

    assert lines[0].endswith("/"), lines
    assert len(lines[0]) > 40, lines  # the line is filled, not left at 政务公开专栏（


def test_a_long_serial_number_breaks_between_characters_when_it_does_not_fit():
    serial = "GZLWZF2023ABCDEFGHJKLMNPQRSTUVWXYZ0012345"
    text = f"全区执法文书统一编号{serial}{serial}，全年制发执法文书1286份。"

    lines = break_paragraph(text)

    assert strip_spaces("".join(lines)) == strip_spaces(text)
    assert lines[0].startswith("全区执法文书统一编号GZLW"), lines  # not pushed to the next line


def strip_spaces(text: str) -> str:
    return re.sub(r"\s", "", text)


def test_generated_and_typed_numbers_get_the_same_gap_beside_chinese():
    typed, generated = (
        typeset([Block("body", text)]).lines[0] for text in ("突破380家。", "突破 380 家。")
    )

    assert typed.boxes == generated.boxes
    gap = typed.boxes[2][1] - typed.boxes[1][2]  # 破 → 3
    assert gap == pytest.approx(0.25 * M.font_size, abs=0.01)


def test_no_gap_between_a_mark_and_a_number():
    line = typeset([Block("body", "6.编制全区科技经费的预决算，完成100%。")]).lines[0]
    boxes = dict((text, (left, right)) for text, left, right in line.boxes)

    assert boxes["编"][0] - boxes["6."][1] == pytest.approx(0.0, abs=0.01)


def test_typesetting_keeps_the_text_exactly_as_given():
    blocks = invented_blocks() + liwan_like_blocks()
    flowed = "".join(line.text for line in typeset(blocks).lines)
    given = "".join(b.text for b in blocks)
    assert re.sub(r"\s", "", flowed) == re.sub(r"\s", "", given)


def test_body_lines_sit_on_the_28_character_grid():
    # A paragraph of plain CJK: 26 after the two-cell indent, then 28 a line.
    lines = break_paragraph("字" * 100)
    assert [len(line) for line in lines] == [26, 28, 28, 18]


@pytest.mark.parametrize("case", list(FILED), ids=list(FILED))
def test_filed_paragraphs_break_where_the_original_breaks(case):
    printed = FILED[case]
    text = "".join(printed)
    got = break_paragraph(text)
    if case.startswith("kinsoku"):
        # The original keeps 关 on the second line though it fits the first;
        # no general rule explains it, so only the later lines are compared.
        assert got[1:3] == [
            "联度高的项目，吸引上下游企业跟进，形成比较完整的产业链，",
            "通过相关产业的横向拓展继而扩展成关联度高的产业集聚。开展",
        ]
    else:
        assert got[: len(printed)] == printed


def test_the_first_page_has_label_blank_title_blank_then_body():
    page = typeset(liwan_like_blocks()).pages[0]
    styles = [line.style for line in page.lines[:6]]
    assert styles == ["label", "blank", "title", "title", "blank", "heading1"]
    assert page.lines[2].text == "2023 年度广州市荔湾区科技工业和信息化局"  # one line at 2号


def test_squeezed_marks_carry_their_own_spacing():
    lines = [line for line in typeset(liwan_like_blocks()).lines if "“独角兽”" in line.text]
    assert lines
    squeezed = [
        s for s in lines[0].segments if s.letter_spacing is not None and s.text in "“”，、。"
    ]
    assert any(s.text == "”" for s in squeezed)
    assert all(s.letter_spacing < lines[0].letter_spacing for s in squeezed if not s.shift)


def test_unknown_styles_are_refused():
    with pytest.raises(ValueError):
        typeset([Block("footnote", "脚注")])


def test_font_names_that_could_escape_the_css_are_refused():
    assert font_css({"body": ["FangSong_GB2312", "仿宋_GB2312"]})["body"].startswith(
        "FangSong_GB2312, 仿宋_GB2312, Noto Serif CJK SC"
    )
    for evil in ['x"; background: url(http://e)', "a;b", "x}", "1abc", "a\\62"]:
        with pytest.raises(ValueError):
            font_css({"body": [evil]})


def test_a_latin_run_wider_than_a_line_is_cut_at_the_margin_instead_of_running_off_the_page():
    url = "https://example.gov.cn/" + "a1b2c3d4" * 40
    document = typeset([Block("body", f"详见{url}。")])

    lines = document.lines
    assert len(lines) > 3
    assert all(line.width <= M.line_width + OVERRUN for line in lines), [
        line.width for line in lines
    ]
    assert (
        "".join(seg.text for line in lines for seg in line.segments).replace(" ", "")
        == f"详见{url}。"
    )
