"""Reads for pages and reports: each returns fully loaded data, so templates never query."""

from django.core.exceptions import ValidationError
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


def evaluation_data_problems(*, evaluation: Evaluation) -> list[str]:
    """What the evaluation's own data (figures, lists, narrative) still lacks for submission,
    in the order of the report; the indicators add theirs (review.selectors)."""
    problems: list[str] = []
    missing = [
        field_label(Evaluation, name).removesuffix("（万元）")
        for name in AMOUNT_FIELDS
        if getattr(evaluation, name) is None
    ]
    if missing:
        problems.append(f"部门整体收支情况尚未填写：{'、'.join(missing)}。")
    else:
        try:
            evaluation.clean()
        except ValidationError as error:
            problems.extend(error.messages)
    for entry in ORDERED_LISTS:
        if not getattr(evaluation, entry.accessor).exists():
            problems.append(f"“{entry.label}”至少要填写一项。")
    for field in ("conclusion_summary", "grade", "task_analysis", "achievements"):
        if not getattr(evaluation, field).strip():
            problems.append(f"“{field_label(Evaluation, field)}”尚未填写。")
    return problems
