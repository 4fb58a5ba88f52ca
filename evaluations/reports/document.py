"""The 附件2 report as a sequence of typeset blocks, built from an evaluation.

Headings, numbering ("1.", "一是", "（一）") and the sentences about the budget figures are
produced here from the data, worded as the official template words them; the data itself holds
only what the department wrote.
"""

from collections.abc import Iterable, Iterator

from evaluations import figures
from evaluations.models import REPORT_MAX_CHARACTERS, Evaluation, OrderedText
from evaluations.reports.blocks import Block

ATTACHMENT_LABEL = "附件 2"
REPORT_TITLE = "部门整体支出绩效自评报告"

_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (lists in a report stay well below 100)."""
    if not 1 <= number <= 99:
        raise ValueError(f"cannot write {number} as a list numeral")
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + ("" if units == 0 else _DIGITS[units])


def paragraphs(text: str) -> list[str]:
    """Paragraph fields hold one paragraph per line; blank lines are ignored."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def budget_sentences(evaluation: Evaluation) -> list[str]:
    e = evaluation
    amount = figures.format_amount
    source = figures.format_fund_source_amount
    rate = e.completion_rate
    if rate is None:
        completion = "完成率无法计算（全年预算数为空或为 0）。"
    else:
        completion = f"完成预算的 {figures.format_rate(rate)}%。"
    return [
        f"全年预算数 {amount(e.budget_total)} 万元，执行数 {amount(e.expenditure_total)} 万元，"
        + completion,
        f"按资金来源分，一般公共预算财政拨款支出 {source(e.general_public_budget)} 万元，"
        f"政府性基金预算财政拨款支出 {source(e.government_fund_budget)} 万元，"
        f"国有资本经营预算财政拨款支出 {source(e.state_capital_budget)} 万元，"
        f"其他资金支出 {source(e.other_funds)} 万元。"
        f"按支出性质看，基本支出 {amount(e.basic_expenditure)} 万元，"
        f"项目支出 {amount(e.project_expenditure)} 万元。"
        f"年末结转和结余 {amount(e.carryover_balance)} 万元。",
    ]


def report_characters(blocks: list[Block]) -> int:
    """The length of a report's text, what REPORT_MAX_CHARACTERS bounds."""
    return sum(len(block.text) for block in blocks)


def too_long(characters: int) -> str:
    return (
        f"自评报告正文共 {characters:,} 字，超过上限 {REPORT_MAX_CHARACTERS:,} 字（约 45 页）："
        "请精简后再提交或下载。"
    )


def report_blocks(evaluation: Evaluation) -> list[Block]:
    """Expects an evaluation from `selectors.evaluation_for_report` (lists prefetched)."""
    return list(_blocks(evaluation))


def _blocks(e: Evaluation) -> Iterator[Block]:
    def body(*texts: str) -> Iterator[Block]:
        for text in texts:
            yield Block("body", text)

    def numbered(items: Iterable[OrderedText]) -> Iterator[Block]:
        for position, item in enumerate(items, start=1):
            yield Block("body", f"{position}.{item.text}")

    yield Block("label", ATTACHMENT_LABEL)
    yield Block("title", f"{e.year} 年度{e.department.full_name}")
    yield Block("title", REPORT_TITLE)

    yield Block("heading1", "一、基本情况")
    yield Block("heading2", "（一）部门职能")
    yield from numbered(e.departmentfunctions.all())
    yield Block("heading2", "（二）部门整体收支情况")
    yield from body(*budget_sentences(e))
    yield Block("heading2", "（三）部门整体支出绩效目标")
    yield from numbered(e.performancegoals.all())
    yield Block("heading2", "（四）部门年度重点工作任务")
    yield from numbered(e.keytasks.all())

    yield Block("heading1", "二、综合评价分析")
    yield Block("heading2", "（一）自评结论综述")
    yield from body(*paragraphs(e.conclusion_summary))
    yield Block("heading2", "（二）各重点工作任务绩效目标完成情况分析")
    yield from body(*paragraphs(e.task_analysis))
    yield Block("heading2", "（三）主要工作成效")
    yield from body(*paragraphs(e.achievements))

    yield Block("heading1", "三、存在的主要问题")
    for position, problem in enumerate(e.problems.all(), start=1):
        yield Block("body", f"{chinese_numeral(position)}是{problem.text}")

    yield Block("heading1", "四、下一步改进措施")
    for position, measure in enumerate(e.improvementmeasures.all(), start=1):
        yield Block("heading2", f"（{chinese_numeral(position)}）{measure.title}")
        yield from body(*paragraphs(measure.body))
