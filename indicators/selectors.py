"""Reads for the admin, the 附件1 自评表 and the review workflow: fully loaded, so templates and
renderers never query."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from evaluations import selectors as evaluation_selectors
from evaluations.models import Evaluation
from evaluations.selectors import (
    SubmissionProblem,
    entry_field_anchor,
    field_anchor,
    list_anchor,
    problems_from_error,
)
from indicators import scoring
from indicators.models import IndicatorFramework, IndicatorRow, PrimaryIndicator


def framework_for_year(*, year: int) -> IndicatorFramework | None:
    return (
        IndicatorFramework.objects.filter(year=year)
        .prefetch_related(
            Prefetch(
                "primaries",
                queryset=PrimaryIndicator.objects.prefetch_related("secondaries"),
            )
        )
        .first()
    )


def indicator_rows(*, evaluation: Evaluation) -> QuerySet[IndicatorRow]:
    """In the order of the rows' inline on the evaluation's change page (IndicatorRow's
    Meta.ordering), with what a row's clean() reads (its 二级指标's framework)."""
    return evaluation.indicator_rows.select_related("secondary__primary__framework").order_by(
        "order"
    )


# The rows' inline on the evaluation's change page: Django's default formset prefix is the
# related accessor (IndicatorRow.evaluation's related_name).
INDICATOR_ROWS_PREFIX = "indicator_rows"


def row_anchor(index: int, name: str) -> str:
    """The id of field `name` of the row at `index` in `indicator_rows` order."""
    return entry_field_anchor(INDICATOR_ROWS_PREFIX, index, name)


@dataclass(frozen=True)
class ScoredRow:
    row: IndicatorRow
    result: scoring.RowResult


@dataclass(frozen=True)
class BudgetLine:
    name: str
    weight: Decimal
    completion_rate: Decimal | None  # percent, as Evaluation.completion_rate gives it
    result: scoring.RowResult


@dataclass(frozen=True)
class Scorecard:
    evaluation: Evaluation
    framework: IndicatorFramework | None
    rows: tuple[ScoredRow, ...]
    budget: BudgetLine | None
    summary: scoring.Summary


def scorecard_for_rows(
    *,
    evaluation: Evaluation,
    rows: Iterable[IndicatorRow],
    framework: IndicatorFramework | None,
) -> Scorecard:
    """The scores of the given rows (saved or not) and of the evaluation's budget figures."""
    scored = tuple(ScoredRow(row=row, result=scoring.row_result(row)) for row in rows)
    budget = None
    if framework is not None:
        primary = next((p for p in framework.primaries.all() if p.scores_budget_execution), None)
        if primary is not None:
            rate = evaluation.completion_rate
            budget = BudgetLine(
                name=primary.name,
                weight=primary.weight,
                completion_rate=rate,
                result=scoring.budget_result(completion_rate=rate, weight=primary.weight),
            )
    summary = scoring.summarise(
        rows=[s.result for s in scored], budget=budget.result if budget else None
    )
    return Scorecard(
        evaluation=evaluation, framework=framework, rows=scored, budget=budget, summary=summary
    )


def evaluation_scorecard(*, evaluation: Evaluation) -> Scorecard:
    return scorecard_for_rows(
        evaluation=evaluation,
        rows=indicator_rows(evaluation=evaluation),
        framework=framework_for_year(year=evaluation.year),
    )


def grade_problem(*, evaluation: Evaluation, summary: scoring.Summary) -> str | None:
    """The typed 自评等级 must equal the computed grade unless a reason is written."""
    if not evaluation.grade or summary.grade is None or evaluation.grade == summary.grade:
        return None
    if evaluation.grade_override_reason.strip():
        return None
    typed = Evaluation.Grade(evaluation.grade).label
    return (
        f"自评等级为“{typed}”，按指标计算的等级为“{summary.grade_label}”"
        f"（{summary.explanation.removesuffix('。')}）：请将自评等级改为“{summary.grade_label}”，"
        f"或在“等级调整说明”中写明理由。"
    )


def evaluation_scoring_problem_list(
    *, evaluation: Evaluation, scorecard: Scorecard | None = None
) -> list[SubmissionProblem]:
    """What stands between this evaluation's scores and a consistent 自评表, for reviewers:
    rows that fail their own rules and a grade that disagrees without a reason; each at the
    row's field (or the 自评等级). `scorecard`: the evaluation's, when the caller has it."""
    if scorecard is None:
        scorecard = evaluation_scorecard(evaluation=evaluation)
    problems: list[SubmissionProblem] = []
    for index, scored in enumerate(scorecard.rows):
        row = scored.row
        row.evaluation = evaluation
        try:
            row.clean()
        except ValidationError as error:
            problems.extend(problems_from_error(error, anchor=partial(row_anchor, index)))
    problem = grade_problem(evaluation=evaluation, summary=scorecard.summary)
    if problem:
        problems.append(SubmissionProblem(problem, field_anchor("grade")))
    return problems


def evaluation_scoring_problems(*, evaluation: Evaluation) -> list[str]:
    """What stands between this evaluation's scores and a consistent 自评表, for reviewers:
    rows that fail their own rules and a grade that disagrees without a reason."""
    return [p.message for p in evaluation_scoring_problem_list(evaluation=evaluation)]


def evaluation_completeness_problem_list(
    *, evaluation: Evaluation, scorecard: Scorecard | None = None
) -> list[SubmissionProblem]:
    """For submission: at least one indicator row, every row with a target has its 实际完成值 and
    every 定性 row its 评价档次, plus the rules of `evaluation_scoring_problem_list`; each at
    the row's field, or at the rows' list. A fixed number of queries, whatever the rows (none
    for the scorecard when the caller has it)."""
    if scorecard is None:
        scorecard = evaluation_scorecard(evaluation=evaluation)
    problems: list[SubmissionProblem] = []
    if not scorecard.rows:
        problems.append(
            SubmissionProblem(
                "尚未填写任何绩效指标（三级指标）。", list_anchor(INDICATOR_ROWS_PREFIX)
            )
        )
    for index, scored in enumerate(scorecard.rows):
        name = scored.row.name
        if scored.result.status == scoring.Status.NO_ACTUAL:
            problems.append(
                SubmissionProblem(
                    f"指标“{name}”设定了年度指标值，但尚未填写实际完成值。",
                    row_anchor(index, "actual"),
                )
            )
        elif scored.result.status == scoring.Status.NOT_ASSESSED:
            problems.append(
                SubmissionProblem(
                    f"定性指标“{name}”尚未选择评价档次和得分比例。",
                    row_anchor(index, "qualitative_tier"),
                )
            )
    return problems + evaluation_scoring_problem_list(evaluation=evaluation, scorecard=scorecard)


def evaluation_completeness_problems(*, evaluation: Evaluation) -> list[str]:
    """For submission: at least one indicator row, every row with a target has its 实际完成值 and
    every 定性 row its 评价档次, plus the rules of `evaluation_scoring_problems`."""
    return [p.message for p in evaluation_completeness_problem_list(evaluation=evaluation)]


def evaluations_for_appendix() -> QuerySet[Evaluation]:
    """Evaluations with their department, goals and indicator rows loaded for 附件1."""
    return Evaluation.objects.select_related("department").prefetch_related(
        "performancegoals",
        Prefetch(
            "indicator_rows",
            queryset=IndicatorRow.objects.select_related("secondary__primary").order_by("order"),
        ),
    )


def evaluations_for_documents() -> QuerySet[Evaluation]:
    """Evaluations loaded for either document and for what both carry (the data as JSON, the
    附件1 workbook): department, every ordered list, the indicator rows."""
    return evaluation_selectors.evaluations_for_report().prefetch_related(
        Prefetch(
            "indicator_rows",
            queryset=IndicatorRow.objects.select_related("secondary__primary").order_by("order"),
        ),
    )


def evaluation_for_appendix(*, department_code: str, year: int) -> Evaluation:
    """One evaluation loaded for 附件1; 404 when there is none."""
    return get_object_or_404(
        evaluations_for_appendix(), department__code=department_code, year=year
    )


def appendix_scorecard(*, evaluation: Evaluation) -> Scorecard:
    """For an evaluation from `evaluation_for_appendix` (rows already loaded)."""
    return scorecard_for_rows(
        evaluation=evaluation,
        rows=evaluation.indicator_rows.all(),
        framework=framework_for_year(year=evaluation.year),
    )
