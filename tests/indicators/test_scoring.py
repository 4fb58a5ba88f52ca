"""Every scoring rule of the 自评表, with its boundaries (indicators/scoring.py)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from evaluations.models import Evaluation
from indicators import scoring
from indicators.scoring import Nature, Status, Tier

D = Decimal
HUNDRED = D("100")
TEN = D("10")


@dataclass
class Row:
    nature: str = Nature.GTE
    target: Decimal | None = HUNDRED
    actual: Decimal | None = HUNDRED
    weight: Decimal = TEN
    qualitative_tier: str = ""
    qualitative_share: Decimal | None = None


def score(**fields) -> Decimal | None:
    return scoring.row_result(Row(**fields)).score


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("100", "100", "10.00"),  # reaching the target exactly earns full marks
        ("100", "120", "10.00"),  # beating it earns no more than full marks
        ("100", "99.99", "10.00"),  # 9.999 rounds half up to 10.00
        ("100", "87.4", "8.74"),
        ("3", "2", "6.67"),  # 6.666… rounds to 6.67
        ("100", "0", "0.00"),
        ("100", "-5", "0.00"),  # a fall below zero cannot earn negative points
    ],
)
def test_at_least_rows_earn_actual_over_target_up_to_full_marks(target, actual, expected):
    assert score(nature=Nature.GTE, target=D(target), actual=D(actual)) == D(expected)


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("5", "5", "10.00"),
        ("5", "1", "10.00"),  # staying below the ceiling earns full marks
        ("5", "8", "6.25"),  # target ÷ actual × 分值
        ("0", "2", "0.00"),  # any excess over a ceiling of 0 earns nothing
    ],
)
def test_at_most_rows_earn_target_over_actual_when_exceeded(target, actual, expected):
    assert score(nature=Nature.LTE, target=D(target), actual=D(actual)) == D(expected)


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [("10", "10", "10.00"), ("10", "8", "8.00"), ("8", "10", "8.00"), ("10", "0", "0.00")],
)
def test_equal_rows_earn_full_marks_only_when_equal_and_the_ratio_otherwise(
    target, actual, expected
):
    assert score(nature=Nature.EQ, target=D(target), actual=D(actual)) == D(expected)


@pytest.mark.parametrize(
    ("tier", "share", "error"),
    [
        (Tier.ACHIEVED, "100", False),
        (Tier.ACHIEVED, "80", False),
        (Tier.ACHIEVED, "79.99", True),
        (Tier.PARTIAL, "80", False),
        (Tier.PARTIAL, "60", False),
        (Tier.PARTIAL, "80.01", True),
        (Tier.PARTIAL, "59.99", True),
        (Tier.MISSED, "60", False),
        (Tier.MISSED, "0", False),
        (Tier.MISSED, "60.01", True),
    ],
)
def test_a_qualitative_share_must_lie_within_its_tier(tier, share, error):
    assert (scoring.share_error(tier, D(share)) is not None) is error


def test_the_share_message_names_the_tier_its_range_and_the_value():
    assert scoring.share_error(Tier.PARTIAL, D("85")) == (
        "评价档次“部分达成并具有一定效果”的得分比例应在 60%–80% 之间，填写的是 85%。"
    )


def test_a_qualitative_row_earns_its_share_of_the_weight():
    row = Row(
        nature=Nature.QUALITATIVE,
        target=None,
        actual=None,
        qualitative_tier=Tier.PARTIAL,
        qualitative_share=D("75"),
    )
    assert scoring.row_result(row) == scoring.RowResult(Status.SCORED, D("10"), D("7.50"))


def test_rows_without_a_target_or_actual_or_assessment_are_not_scored():
    assert scoring.row_result(Row(target=None)).status == Status.NO_TARGET
    assert scoring.row_result(Row(target=None)).label == "未设定目标"
    assert scoring.row_result(Row(actual=None)).status == Status.NO_ACTUAL
    qualitative = Row(nature=Nature.QUALITATIVE, target=None, actual=None)
    assert scoring.row_result(qualitative).status == Status.NOT_ASSESSED


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("87.4", "8.74"), ("100.0", "10.00"), ("120.0", "10.00"), ("0.0", "0.00")],
)
def test_budget_execution_scores_rate_times_weight_capped_at_the_weight(rate, expected):
    assert scoring.budget_score(completion_rate=D(rate), weight=D("10")) == D(expected)


def test_budget_execution_without_a_rate_is_not_scored():
    assert scoring.budget_score(completion_rate=None, weight=D("10")) is None
    result = scoring.budget_result(completion_rate=None, weight=D("10"))
    assert not result.applies


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", Evaluation.Grade.EXCELLENT),
        ("90.00", Evaluation.Grade.EXCELLENT),
        ("89.99", Evaluation.Grade.GOOD),
        ("80.00", Evaluation.Grade.GOOD),
        ("79.99", Evaluation.Grade.FAIR),
        ("60.00", Evaluation.Grade.FAIR),
        ("59.99", Evaluation.Grade.POOR),
        ("0", Evaluation.Grade.POOR),
    ],
)
def test_grade_thresholds(total, grade):
    assert scoring.grade_for(D(total)) == grade


def test_rows_without_targets_are_left_out_and_the_total_is_rescaled_to_the_applicable_weight():
    rows = [
        scoring.row_result(Row(target=D("100"), actual=D("90"), weight=D("40"))),  # 36.00
        scoring.row_result(Row(target=None, weight=D("50"))),  # 未设定目标
    ]
    budget = scoring.budget_result(completion_rate=D("87.4"), weight=D("10"))  # 8.74

    summary = scoring.summarise(rows=rows, budget=budget)

    assert summary.earned == D("44.74")
    assert summary.applicable == D("50")
    assert summary.total == D("89.48")  # 44.74 ÷ 50 × 100
    assert summary.grade == Evaluation.Grade.GOOD
    assert summary.rescaled
    assert summary.explanation == "得分 44.74，按适用分值 50 折算为百分制 89.48。"


def test_a_full_table_is_not_rescaled():
    rows = [scoring.row_result(Row(weight=D("90")))]
    budget = scoring.budget_result(completion_rate=D("100"), weight=D("10"))

    summary = scoring.summarise(rows=rows, budget=budget)

    assert (summary.total, summary.rescaled) == (D("100.00"), False)
    assert summary.explanation == "得分 100.00（满分 100）。"


def test_nothing_applicable_means_no_total_and_no_grade():
    summary = scoring.summarise(rows=[scoring.row_result(Row(target=None))], budget=None)

    assert (summary.total, summary.grade) == (None, None)
    assert summary.grade_label == "无法计算"
