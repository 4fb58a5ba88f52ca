"""Scores of the 附件1 自评表: computed from the stored rows, never typed, never stored.

Rules (the indicators issue, after 财预〔2020〕10号):

* 预算执行率得分 = min(执行率 × 分值, 分值), 执行率 = 执行数 ÷ 全年预算数.
* "≥": full 分值 when actual ≥ target, else actual ÷ target × 分值;
  "≤": full when actual ≤ target, else target ÷ actual × 分值;
  "=": full when equal, else the smaller over the larger × 分值.
  A ratio that cannot be formed (a target or actual of 0 or below on the losing side) scores 0.
* 定性: a share of 分值 picked within the tier's range.
* A row without a target (or not yet assessed) is excluded, and the total is rescaled to the
  applicable 分值: total = earned ÷ applicable × 100.
* Grade: 优秀 ≥ 90, 良好 80–<90, 中 60–<80, 差 < 60.

`Decimal` throughout; `rounded` is the only place a number is rounded (two places, half up):
each row's score, the budget score and the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.db import models

from evaluations.models import Evaluation

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")

GRADE_THRESHOLDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("90"), Evaluation.Grade.EXCELLENT),
    (Decimal("80"), Evaluation.Grade.GOOD),
    (Decimal("60"), Evaluation.Grade.FAIR),
    (ZERO, Evaluation.Grade.POOR),
)


class Nature(models.TextChoices):
    GTE = "gte", "≥"
    LTE = "lte", "≤"
    EQ = "eq", "="
    QUALITATIVE = "qualitative", "定性"


class Tier(models.TextChoices):
    ACHIEVED = "achieved", "达成年度指标"
    PARTIAL = "partial", "部分达成并具有一定效果"
    MISSED = "missed", "未达成且效果较差"


# Share of 分值 (%) allowed per tier, both ends included, as the rule states them.
TIER_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    Tier.ACHIEVED: (Decimal("80"), HUNDRED),
    Tier.PARTIAL: (Decimal("60"), Decimal("80")),
    Tier.MISSED: (ZERO, Decimal("60")),
}


class Status(models.TextChoices):
    SCORED = "scored", "计分"
    NO_TARGET = "no_target", "未设定目标"
    NO_ACTUAL = "no_actual", "未填报完成值"
    NOT_ASSESSED = "not_assessed", "未评价"


def rounded(value: Decimal) -> Decimal:
    """The one rounding place: two decimals, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class ScoredRow(Protocol):
    nature: str
    target: Decimal | None
    actual: Decimal | None
    weight: Decimal
    qualitative_tier: str
    qualitative_share: Decimal | None


@dataclass(frozen=True)
class RowResult:
    status: Status
    weight: Decimal
    score: Decimal | None  # rounded; None unless status is SCORED

    @property
    def applies(self) -> bool:
        return self.status == Status.SCORED

    @property
    def label(self) -> str:
        return str(self.score) if self.score is not None else self.status.label


def share_error(tier: str, share: Decimal | None) -> str | None:
    """Why a 定性 share does not fit its tier, or None."""
    if not tier or share is None:
        return None
    low, high = TIER_RANGES[tier]
    if low <= share <= high:
        return None
    return (
        f"评价档次“{Tier(tier).label}”的得分比例应在 {low}%–{high}% 之间，"
        f"填写的是 {share.normalize():f}%。"
    )


def ratio(*, nature: str, target: Decimal, actual: Decimal) -> Decimal:
    """Share of 分值 earned (0 to 1) by a quantitative row."""
    if nature == Nature.GTE:
        if actual >= target:
            return Decimal("1")
        return actual / target if target > 0 and actual > 0 else ZERO
    if nature == Nature.LTE:
        if actual <= target:
            return Decimal("1")
        return target / actual if target > 0 else ZERO
    if nature == Nature.EQ:
        if actual == target:
            return Decimal("1")
        low, high = min(actual, target), max(actual, target)
        return low / high if low > 0 else ZERO
    raise ValueError(f"not a quantitative nature: {nature!r}")


def row_result(row: ScoredRow) -> RowResult:
    weight = row.weight if row.weight is not None else ZERO
    if row.nature == Nature.QUALITATIVE:
        if not row.qualitative_tier or row.qualitative_share is None:
            return RowResult(Status.NOT_ASSESSED, weight, None)
        if share_error(row.qualitative_tier, row.qualitative_share):
            return RowResult(Status.NOT_ASSESSED, weight, None)
        return RowResult(Status.SCORED, weight, rounded(weight * row.qualitative_share / HUNDRED))
    if row.target is None:
        return RowResult(Status.NO_TARGET, weight, None)
    if row.actual is None:
        return RowResult(Status.NO_ACTUAL, weight, None)
    share = ratio(nature=row.nature, target=row.target, actual=row.actual)
    return RowResult(Status.SCORED, weight, rounded(weight * share))


def budget_score(*, completion_rate: Decimal | None, weight: Decimal) -> Decimal | None:
    """min(执行率 × 分值, 分值); completion_rate is the percentage Evaluation.completion_rate
    gives (87.4 means 87.4 %)."""
    if completion_rate is None:
        return None
    rate = completion_rate / HUNDRED
    return rounded(max(min(rate * weight, weight), ZERO))


def grade_for(total: Decimal | None) -> str | None:
    if total is None:
        return None
    for threshold, grade in GRADE_THRESHOLDS:
        if total >= threshold:
            return grade
    return Evaluation.Grade.POOR


@dataclass(frozen=True)
class Summary:
    earned: Decimal  # sum of the applicable rows' scores (and the budget score)
    applicable: Decimal  # sum of their 分值
    total: Decimal | None  # earned ÷ applicable × 100; None when nothing applies
    grade: str | None

    @property
    def rescaled(self) -> bool:
        """True when the total is not simply the points earned out of 100."""
        return self.total is not None and self.applicable != HUNDRED

    @property
    def grade_label(self) -> str:
        return Evaluation.Grade(self.grade).label if self.grade else "无法计算"

    @property
    def explanation(self) -> str:
        if self.total is None:
            return "无法计算：没有可计分的指标（未设定目标、未填报完成值，且预算执行率无法计算）。"
        if self.rescaled:
            return f"得分 {self.earned}，按适用分值 {self.applicable} 折算为百分制 {self.total}。"
        return f"得分 {self.earned}（满分 100）。"


def summarise(*, rows: Iterable[RowResult], budget: RowResult | None) -> Summary:
    applicable = [r for r in (*rows, *([budget] if budget else [])) if r.applies]
    # A row that applies has a score; the test only tells the type checker.
    earned = sum((r.score for r in applicable if r.score is not None), ZERO)
    weights = sum((r.weight for r in applicable), ZERO)
    total = rounded(earned / weights * HUNDRED) if weights > 0 else None
    return Summary(earned=earned, applicable=weights, total=total, grade=grade_for(total))


def budget_result(*, completion_rate: Decimal | None, weight: Decimal) -> RowResult:
    score = budget_score(completion_rate=completion_rate, weight=weight)
    if score is None:
        return RowResult(Status.NO_ACTUAL, weight, None)
    return RowResult(Status.SCORED, weight, score)
