"""The budget figures of 一、（二）部门整体收支情况 as a table (django-import-export), on the
machinery of evaluations/tabular.py. The indicator rows' resource is in indicators/resources.py.
"""

from __future__ import annotations

import tablib
from django.db.models import QuerySet
from import_export.fields import Field

from evaluations import services
from evaluations.models import AMOUNT_FIELDS, Evaluation, field_label
from evaluations.tabular import (
    DepartmentScopedResource,
    ImportRun,
    RowPlan,
    YearWidget,
    locked_message,
    number_field,
)


def amount_field(name: str) -> Field:
    """Headed by the model's label, e.g. 全年预算数（万元）."""
    return number_field(name, field_label(Evaluation, name))


class EvaluationBudgetResource(DepartmentScopedResource):
    """The budget figures of 一、（二）部门整体收支情况, one row per evaluation; a row for a
    department and year without an evaluation creates a draft one."""

    department_code = Field(attribute="department__code", column_name="部门编码", readonly=True)
    year = Field(attribute="year", column_name="年度", widget=YearWidget())
    budget_total = amount_field("budget_total")
    expenditure_total = amount_field("expenditure_total")
    general_public_budget = amount_field("general_public_budget")
    government_fund_budget = amount_field("government_fund_budget")
    state_capital_budget = amount_field("state_capital_budget")
    other_funds = amount_field("other_funds")
    basic_expenditure = amount_field("basic_expenditure")
    project_expenditure = amount_field("project_expenditure")
    carryover_balance = amount_field("carryover_balance")

    REQUIRED_COLUMNS = (
        "部门编码",
        "年度",
        *(field_label(Evaluation, name) for name in AMOUNT_FIELDS),
    )
    EXTRA_COLUMNS = {"department": "部门编码"}
    RESOLVED_FOREIGN_KEYS = ("department",)

    class Meta:
        model = Evaluation
        fields = ("department_code", "year", *AMOUNT_FIELDS)
        import_id_fields = ("department_code", "year")
        clean_model_instances = True
        use_transactions = True
        skip_diff = True

    def get_queryset(self) -> QuerySet[Evaluation]:
        return Evaluation.objects.select_related("department").order_by("department__code", "year")

    def visible(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.select_related("department")
        if self.department_codes is None:
            return queryset
        return queryset.filter(department__code__in=self.department_codes)

    def start_import(self, dataset: tablib.Dataset) -> ImportRun:
        departments = self.departments_named(dataset)
        evaluations = Evaluation.objects.select_related("department").filter(
            department__code__in=departments
        )
        return ImportRun(
            departments=departments,
            evaluations={(e.department.code, e.year): e for e in evaluations},
        )

    def plan_row(self, run: ImportRun, row: dict[str, object], line: int) -> RowPlan:
        code, year, errors = self.keys(run, row)
        key_errors = bool(errors)
        if code and year is not None:
            first = run.first_line((code, year), line)
            if first != line:
                errors["年度"] = f"与第 {first} 行重复：部门“{code}”的 {year} 年度只能出现一次。"
        existing = None if year is None else run.evaluations.get((code, year))
        if existing is not None and (locked := locked_message(existing)):
            errors["年度"] = locked
        evaluation = existing if existing is not None and not key_errors else Evaluation()
        department = run.departments.get(code)
        if department is not None and "部门编码" not in errors:
            evaluation.department = department
        return RowPlan(
            instance=evaluation,
            new=evaluation.pk is None,
            errors=errors,
            evaluation_id=evaluation.pk,
        )

    def save_row(self, instance: Evaluation, *, locked: Evaluation | None) -> None:
        services.evaluation_save(evaluation=instance, locked=locked)
