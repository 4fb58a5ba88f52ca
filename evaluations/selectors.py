"""Reads for pages and reports: each returns fully loaded data, so templates never query."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from evaluations.models import Evaluation

REPORT_LISTS = (
    "departmentfunctions",
    "performancegoals",
    "keytasks",
    "problems",
    "improvementmeasures",
)


def evaluation_list() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related("department")


def evaluation_for_report(*, department_code: str, year: int) -> Evaluation:
    """The evaluation with its department and every ordered list loaded (a fixed number of
    queries whatever the lengths of the lists); 404 when there is none."""
    return get_object_or_404(
        Evaluation.objects.select_related("department").prefetch_related(*REPORT_LISTS),
        department__code=department_code,
        year=year,
    )
