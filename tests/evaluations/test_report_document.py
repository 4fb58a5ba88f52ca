from decimal import Decimal

import pytest

from evaluations.factories import ProblemFactory
from evaluations.reports.document import budget_sentences, chinese_numeral, report_blocks
from evaluations.selectors import evaluation_for_report

pytestmark = pytest.mark.django_db


def test_budget_sentences_write_zero_fund_sources_as_0_and_other_amounts_with_two_places(
    evaluation,
):
    first, second = budget_sentences(evaluation)

    assert first == "全年预算数 8727.19 万元，执行数 7627.19 万元，完成预算的 87.4%。"
    assert second == (
        "按资金来源分，一般公共预算财政拨款支出 7627.19 万元，政府性基金预算财政拨款支出 0 万元，"
        "国有资本经营预算财政拨款支出 0 万元，其他资金支出 0 万元。按支出性质看，"
        "基本支出 2555.62 万元，项目支出 5071.57 万元。年末结转和结余 0.00 万元。"
    )


def test_budget_sentences_follow_the_figures(evaluation):
    evaluation.budget_total = Decimal("100")
    evaluation.expenditure_total = Decimal("80.5")
    evaluation.general_public_budget = Decimal("60.5")
    evaluation.other_funds = Decimal("20")
    evaluation.carryover_balance = Decimal("19.5")

    first, second = budget_sentences(evaluation)

    assert first == "全年预算数 100.00 万元，执行数 80.50 万元，完成预算的 80.5%。"
    assert "一般公共预算财政拨款支出 60.50 万元" in second
    assert "其他资金支出 20.00 万元" in second
    assert second.endswith("年末结转和结余 19.50 万元。")


def test_budget_sentence_says_the_rate_is_not_computable_for_a_zero_budget(evaluation):
    evaluation.budget_total = Decimal("0")

    assert budget_sentences(evaluation)[0].endswith("完成率无法计算（全年预算数为空或为 0）。")


def test_list_numbering_comes_from_the_order(evaluation):
    for order, text in ((2, "第二项问题。"), (1, "第一项问题。")):
        ProblemFactory(evaluation=evaluation, order=order, text=text)
    loaded = evaluation_for_report(department_code=evaluation.department.code, year=2023)

    texts = [block.text for block in report_blocks(loaded)]

    assert texts.index("一是第一项问题。") < texts.index("二是第二项问题。")


@pytest.mark.parametrize(
    ("number", "numeral"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (36, "三十六")],
)
def test_chinese_numerals(number, numeral):
    assert chinese_numeral(number) == numeral
