"""Reads for pages and reports: each returns fully loaded data, so templates never query."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from evaluations.lists import ACCESSORS, ORDERED_LISTS
from evaluations.models import AMOUNT_FIELDS, ApprovedReport, Evaluation, field_label


def evaluation_list() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related("department")


def evaluations_for_report() -> QuerySet[Evaluation]:
    """Evaluations with their department and every ordered list loaded (a fixed number of
    queries whatever the lengths of the lists)."""
    return Evaluation.objects.select_related("department").prefetch_related(*ACCESSORS)


def evaluation_for_report(*, department_code: str, year: int) -> Evaluation:
    """One evaluation loaded for the report; 404 when there is none."""
    return get_object_or_404(evaluations_for_report(), department__code=department_code, year=year)


def approved_report(
    *, evaluation: Evaluation, appendix: int, fmt: str = "pdf"
) -> ApprovedReport | None:
    """The file stored when the evaluation was approved, if it was."""
    if evaluation.status != Evaluation.Status.APPROVED:
        return None
    return ApprovedReport.objects.filter(evaluation=evaluation, appendix=appendix, fmt=fmt).first()


@dataclass(frozen=True)
class SubmissionProblem:
    """One thing that stands between an evaluation and submission, and where on the
    evaluation's change page it is fixed."""

    message: str
    anchor: str  # the HTML id of the field or list on the change page (no "#"); "" if none


def field_anchor(name: str) -> str:
    """The id Django's admin gives the input of a field of the main form."""
    return f"id_{name}"


def list_anchor(prefix: str) -> str:
    """The id of an inline's <div>: "<formset prefix>-group"; an inline's default prefix is
    the related accessor (ORDERED_LISTS' `accessor`)."""
    return f"{prefix}-group"


def entry_field_anchor(prefix: str, index: int, name: str) -> str:
    """The id of a field of an inline's entry at `index` (its position in the formset's
    queryset, which follows the model's Meta.ordering)."""
    return f"id_{prefix}-{index}-{name}"


def problems_from_error(
    error: ValidationError, *, anchor: Callable[[str], str]
) -> list[SubmissionProblem]:
    """The messages of a model's clean(), in the order of `error.messages`, each at the field
    it is keyed by (`anchor(field)`); errors not keyed by a field have no anchor."""
    if not hasattr(error, "error_dict"):
        return [SubmissionProblem(message, "") for message in error.messages]
    return [
        SubmissionProblem(message, "" if field == NON_FIELD_ERRORS else anchor(field))
        for field, messages in error.message_dict.items()
        for message in messages
    ]


NARRATIVE_FIELDS = ("conclusion_summary", "grade", "task_analysis", "achievements")


def evaluation_data_problem_list(*, evaluation: Evaluation) -> list[SubmissionProblem]:
    """What the evaluation's own data (figures, lists, narrative) still lacks for submission,
    in the order of the report, each with where it is fixed; the indicators add theirs
    (review.selectors). Reads each list once, or not at all when it is prefetched
    (`evaluations_for_report`)."""
    problems: list[SubmissionProblem] = []
    missing = [name for name in AMOUNT_FIELDS if getattr(evaluation, name) is None]
    if missing:
        labels = [field_label(Evaluation, name).removesuffix("（万元）") for name in missing]
        problems.append(
            SubmissionProblem(
                f"部门整体收支情况尚未填写：{'、'.join(labels)}。", field_anchor(missing[0])
            )
        )
    else:
        try:
            evaluation.clean()
        except ValidationError as error:
            problems.extend(problems_from_error(error, anchor=field_anchor))
    for entry in ORDERED_LISTS:
        if not getattr(evaluation, entry.accessor).exists():
            problems.append(
                SubmissionProblem(f"“{entry.label}”至少要填写一项。", list_anchor(entry.accessor))
            )
    for field in NARRATIVE_FIELDS:
        if not getattr(evaluation, field).strip():
            problems.append(
                SubmissionProblem(
                    f"“{field_label(Evaluation, field)}”尚未填写。", field_anchor(field)
                )
            )
    return problems


def evaluation_data_problems(*, evaluation: Evaluation) -> list[str]:
    """What the evaluation's own data (figures, lists, narrative) still lacks for submission,
    in the order of the report; the indicators add theirs (review.selectors)."""
    return [problem.message for problem in evaluation_data_problem_list(evaluation=evaluation)]


def lists_loaded(evaluation: Evaluation) -> bool:
    """Whether every ordered list of the evaluation is prefetched (`evaluations_for_report`)."""
    cache = getattr(evaluation, "_prefetched_objects_cache", {})
    return all(accessor in cache for accessor in ACCESSORS)
