"""Import and export of indicator rows (django-import-export): one row per 三级指标, matched by
(部门编码, 年度, 三级指标), on the machinery of evaluations/resources.py."""

from __future__ import annotations

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet
from import_export.fields import Field

from evaluations.models import Evaluation
from evaluations.resources import (
    ChoiceWidget,
    DepartmentScopedResource,
    TextWidget,
    YearWidget,
    locked_message,
    number_field,
    parse_year,
    text_field,
)
from indicators import scoring, services
from indicators.models import IndicatorRow, SecondaryIndicator


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
        skip_html_diff = True
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

    def before_import(self, dataset: tablib.Dataset, **kwargs) -> None:
        super().before_import(dataset, **kwargs)
        years = set()
        for value in dataset["年度"]:
            try:
                years.add(parse_year(value))
            except ValueError:
                continue
        evaluations = Evaluation.objects.select_related("department").filter(
            department__code__in=self.departments, year__in=years
        )
        self.evaluations = {(e.department.code, e.year): e for e in evaluations}
        self.secondaries = {
            (s.primary.framework.year, s.primary.name, s.name): s
            for s in SecondaryIndicator.objects.select_related("primary__framework").filter(
                primary__framework__year__in=years
            )
        }
        self.framework_years = {year for year, _, _ in self.secondaries}
        rows = IndicatorRow.objects.filter(evaluation__in=evaluations.values("pk"))
        self.existing = {(r.evaluation_id, r.name): r for r in rows}
        self.next_order = {
            item["evaluation"]: item["last"] or 0
            for item in rows.values("evaluation").annotate(last=Max("order"))
        }
        self.seen: dict[tuple[str, int, str], int] = {}

    def get_instance(self, instance_loader, row) -> IndicatorRow | None:
        code, year, errors = self.keys(row)
        evaluation = self.evaluations.get((code, year))
        if errors or evaluation is None:
            return None
        return self.existing.get((evaluation.pk, TextWidget().clean(row.get("三级指标"))))

    def import_instance(self, instance: IndicatorRow, row, **kwargs) -> None:
        line = kwargs.get("row_number", 0) + 1  # the header is line 1
        code, year, errors = self.keys(row)
        evaluation = self.evaluations.get((code, year))
        if not errors and evaluation is None:
            errors["年度"] = f"部门“{code}”没有 {year} 年度的绩效自评，请先新建该年度的自评。"
        elif evaluation is not None and (locked := locked_message(evaluation)):
            errors["年度"] = locked
        primary = TextWidget().clean(row.get("一级指标"))
        secondary_name = TextWidget().clean(row.get("二级指标"))
        secondary = self.secondaries.get((year, primary, secondary_name))
        if year is not None and year not in self.framework_years:
            errors.setdefault("一级指标", f"{year} 年度还没有指标体系，请先在“指标体系”中建立。")
        elif year is not None and secondary is None:
            errors["二级指标"] = (
                f"{year} 年度指标体系中没有一级指标“{primary}”下的二级指标“{secondary_name}”。"
            )
        name = TextWidget().clean(row.get("三级指标"))
        if code and year is not None and name:
            first = self.seen.setdefault((code, year, name), line)
            if first != line:
                errors["三级指标"] = (
                    f"与第 {first} 行重复：同一部门同一年度的三级指标“{name}”只能出现一次。"
                )
        self.unresolved = ()
        if evaluation is not None:
            instance.evaluation = evaluation
        else:
            self.unresolved += ("evaluation", "order")
        if secondary is not None:
            instance.secondary = secondary
        else:
            self.unresolved += ("secondary",)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            for key, messages in self.by_column(error.message_dict).items():
                errors.setdefault(key, " ".join(messages))
        if evaluation is not None and instance.pk is None and not instance.order:
            self.next_order[evaluation.pk] = self.next_order.get(evaluation.pk, 0) + 1
            instance.order = self.next_order[evaluation.pk]
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance: IndicatorRow, is_create: bool) -> None:
        services.indicator_row_save(row=instance)
