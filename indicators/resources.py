"""Import and export of indicator rows (django-import-export): one row per 三级指标, matched by
(部门编码, 年度, 三级指标), on the machinery of evaluations/tabular.py."""

from __future__ import annotations

from dataclasses import dataclass

import tablib
from django.db.models import Max, QuerySet
from import_export.fields import Field

from evaluations.models import Evaluation
from evaluations.tabular import (
    ChoiceWidget,
    DepartmentScopedResource,
    ImportRun,
    RowPlan,
    TextWidget,
    YearWidget,
    locked_message,
    number_field,
    parse_year,
    text_field,
)
from indicators import scoring, services
from indicators.models import IndicatorRow, SecondaryIndicator


@dataclass(kw_only=True)
class IndicatorImport(ImportRun):
    """What an import of indicator rows looks up once: the frameworks of the file's years, the
    rows its evaluations already have (matched by 三级指标), and the last 序号 of each."""

    secondaries: dict[tuple[int, str, str], SecondaryIndicator]
    framework_years: set[int]
    existing: dict[tuple[int, str], IndicatorRow]
    last_order: dict[int, int]

    def next_order(self, evaluation_id: int) -> int:
        """A new row goes after the evaluation's rows, in the order of the file."""
        self.last_order[evaluation_id] = self.last_order.get(evaluation_id, 0) + 1
        return self.last_order[evaluation_id]


class IndicatorRowResource(DepartmentScopedResource):
    department_code = Field(
        attribute="evaluation__department__code", column_name="部门编码", readonly=True
    )
    year = Field(
        attribute="evaluation__year", column_name="年度", readonly=True, widget=YearWidget()
    )
    primary = Field(attribute="secondary__primary__name", column_name="一级指标", readonly=True)
    secondary_name = Field(attribute="secondary__name", column_name="二级指标", readonly=True)
    name = text_field("name", "三级指标")
    unit = text_field("unit", "计量单位")
    nature = Field(
        attribute="nature",
        column_name="指标性质",
        widget=ChoiceWidget(
            scoring.Nature,
            column="指标性质",
            aliases={">=": scoring.Nature.GTE, "<=": scoring.Nature.LTE, "＝": scoring.Nature.EQ},
        ),
    )
    target = number_field("target", "年度指标值")
    actual = number_field("actual", "实际完成值")
    weight = number_field("weight", "分值")
    deviation_reason = text_field("deviation_reason", "偏差原因分析及改进措施")
    # Optional columns for 定性 rows (absent columns are left as they are).
    qualitative_tier = Field(
        attribute="qualitative_tier",
        column_name="定性评价档次",
        widget=ChoiceWidget(scoring.Tier, column="定性评价档次"),
    )
    qualitative_share = number_field("qualitative_share", "得分比例（%）")

    REQUIRED_COLUMNS = (
        "部门编码",
        "年度",
        "一级指标",
        "二级指标",
        "三级指标",
        "计量单位",
        "指标性质",
        "年度指标值",
        "实际完成值",
        "分值",
        "偏差原因分析及改进措施",
    )
    EXTRA_COLUMNS = {"evaluation": "部门编码", "secondary": "二级指标", "order": "三级指标"}
    RESOLVED_FOREIGN_KEYS = ("evaluation", "secondary")

    class Meta:
        model = IndicatorRow
        fields = (
            "department_code",
            "year",
            "primary",
            "secondary_name",
            "name",
            "unit",
            "nature",
            "target",
            "actual",
            "weight",
            "deviation_reason",
            "qualitative_tier",
            "qualitative_share",
        )
        import_id_fields = ("department_code", "year", "name")
        clean_model_instances = True
        use_transactions = True
        skip_diff = True

    def get_queryset(self) -> QuerySet[IndicatorRow]:
        return IndicatorRow.objects.select_related(
            "evaluation__department", "secondary__primary"
        ).order_by("evaluation__department__code", "evaluation__year", "order")

    def visible(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.select_related("evaluation__department", "secondary__primary")
        if self.department_codes is None:
            return queryset
        return queryset.filter(evaluation__department__code__in=self.department_codes)

    def start_import(self, dataset: tablib.Dataset) -> IndicatorImport:
        departments = self.departments_named(dataset)
        years = set()
        for value in dataset["年度"]:
            try:
                years.add(parse_year(value))
            except ValueError:
                continue
        evaluations = Evaluation.objects.select_related("department").filter(
            department__code__in=departments, year__in=years
        )
        secondaries = {
            (s.primary.framework.year, s.primary.name, s.name): s
            for s in SecondaryIndicator.objects.select_related("primary__framework").filter(
                primary__framework__year__in=years
            )
        }
        rows = IndicatorRow.objects.filter(evaluation__in=evaluations.values("pk"))
        return IndicatorImport(
            departments=departments,
            evaluations={(e.department.code, e.year): e for e in evaluations},
            secondaries=secondaries,
            framework_years={year for year, _, _ in secondaries},
            existing={(r.evaluation_id, r.name): r for r in rows},
            last_order={
                item["evaluation"]: item["last"] or 0
                for item in rows.values("evaluation").annotate(last=Max("order"))
            },
        )

    def plan_row(self, run: IndicatorImport, row: dict[str, object], line: int) -> RowPlan:
        code, year, errors = self.keys(run, row)
        key_errors = bool(errors)
        evaluation = None if year is None else run.evaluations.get((code, year))
        if not errors and evaluation is None:
            errors["年度"] = f"部门“{code}”没有 {year} 年度的绩效自评，请先新建该年度的自评。"
        elif evaluation is not None and (locked := locked_message(evaluation)):
            errors["年度"] = locked
        primary = TextWidget().clean(row.get("一级指标"))
        secondary_name = TextWidget().clean(row.get("二级指标"))
        secondary = None if year is None else run.secondaries.get((year, primary, secondary_name))
        if year is not None and year not in run.framework_years:
            errors.setdefault("一级指标", f"{year} 年度还没有指标体系，请先在“指标体系”中建立。")
        elif year is not None and secondary is None:
            errors["二级指标"] = (
                f"{year} 年度指标体系中没有一级指标“{primary}”下的二级指标“{secondary_name}”。"
            )
        name = TextWidget().clean(row.get("三级指标"))
        if code and year is not None and name:
            first = run.first_line((code, year, name), line)
            if first != line:
                errors["三级指标"] = (
                    f"与第 {first} 行重复：同一部门同一年度的三级指标“{name}”只能出现一次。"
                )
        existing = None
        if evaluation is not None and not key_errors:
            existing = run.existing.get((evaluation.pk, name))
        instance = existing or IndicatorRow()
        unresolved: set[str] = set()
        if evaluation is not None:
            instance.evaluation = evaluation
            if existing is None:
                instance.order = run.next_order(evaluation.pk)
        else:
            unresolved |= {"evaluation", "order"}
        if secondary is not None:
            instance.secondary = secondary
        else:
            unresolved.add("secondary")
        return RowPlan(
            instance=instance,
            new=existing is None,
            errors=errors,
            evaluation_id=None if evaluation is None else evaluation.pk,
            unresolved=frozenset(unresolved),
        )

    def save_row(self, instance: IndicatorRow, *, locked: Evaluation | None) -> None:
        services.indicator_row_save(row=instance, locked=locked)
