"""Reads for pages and reports: each returns fully loaded data, so templates never query."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from evaluations.models import ApprovedReport, Evaluation

REPORT_LISTS = (
    "departmentfunctions",
    "performancegoals",
    "keytasks",
    "problems",
    "improvementmeasures",
)


def evaluation_list() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related("department")


def evaluations_for_report() -> QuerySet[Evaluation]:
    """Evaluations with their department and every ordered list loaded (a fixed number of
    queries whatever the lengths of the lists)."""
    return Evaluation.objects.select_related("department").prefetch_related(*REPORT_LISTS)


def evaluation_for_report(*, department_code: str, year: int) -> Evaluation:
    """One evaluation loaded for the report; 404 when there is none."""
    return get_object_or_404(evaluations_for_report(), department__code=department_code, year=year)


def approved_report(*, evaluation: Evaluation, appendix: int) -> ApprovedReport | None:
    """The PDF stored when the evaluation was approved, if it was."""
    if evaluation.status != Evaluation.Status.APPROVED:
        return None
    return ApprovedReport.objects.filter(evaluation=evaluation, appendix=appendix).first()


def evaluation_problems(*, evaluation: Evaluation) -> list[str]:
    """Everything that stands between an evaluation and submission for review, in the order of
    the report; empty when it may be submitted."""
    from evaluations.models import AMOUNT_FIELDS
    from indicators import selectors as indicator_selectors

    problems: list[str] = []
    meta = Evaluation._meta
    missing = [
        meta.get_field(name).verbose_name.removesuffix("（万元）")
        for name in AMOUNT_FIELDS
        if getattr(evaluation, name) is None
    ]
    if missing:
        problems.append(f"部门整体收支情况尚未填写：{'、'.join(missing)}。")
    else:
        from django.core.exceptions import ValidationError

        try:
            evaluation.clean()
        except ValidationError as error:
            problems.extend(error.messages)
    for accessor, label in (
        ("departmentfunctions", "部门职能"),
        ("performancegoals", "部门整体支出绩效目标"),
        ("keytasks", "部门年度重点工作任务"),
        ("problems", "存在的主要问题"),
        ("improvementmeasures", "下一步改进措施"),
    ):
        if not getattr(evaluation, accessor).exists():
            problems.append(f"“{label}”至少要填写一项。")
    for field in ("conclusion_summary", "grade", "task_analysis", "achievements"):
        if not getattr(evaluation, field).strip():
            problems.append(f"“{meta.get_field(field).verbose_name}”尚未填写。")
    problems.extend(indicator_selectors.evaluation_completeness_problems(evaluation=evaluation))
    return problems


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangeEntry:
    when: datetime
    who: str
    what: str
    action: str  # 新建 / 修改 / 删除
    changes: tuple[FieldChange, ...]


HISTORY_ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}


def _shown(value: object) -> str:
    if value is None or value == "":
        return "（空）"
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def evaluation_change_log(*, evaluation: Evaluation, limit: int = 200) -> list[ChangeEntry]:
    """Who changed what, when, field by field: the evaluation and every part of it (lists and
    indicator rows), newest first. One query per kind of part."""
    from evaluations.models import (
        DepartmentFunction,
        ImprovementMeasure,
        KeyTask,
        PerformanceGoal,
        Problem,
    )
    from indicators.models import IndicatorRow

    sources = [(Evaluation.history.filter(id=evaluation.pk), "自评")]
    sources += [
        (model.history.filter(evaluation_id=evaluation.pk), str(model._meta.verbose_name))
        for model in (
            DepartmentFunction,
            PerformanceGoal,
            KeyTask,
            Problem,
            ImprovementMeasure,
            IndicatorRow,
        )
    ]
    entries: list[ChangeEntry] = []
    for records, label in sources:
        previous: dict[int, object] = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            previous[record.id] = record
            changes: tuple[FieldChange, ...] = ()
            if before is not None and record.history_type == "~":
                delta = record.diff_against(before)
                changes = tuple(
                    FieldChange(
                        field=str(record.instance_type._meta.get_field(change.field).verbose_name),
                        old=_shown(change.old),
                        new=_shown(change.new),
                    )
                    for change in delta.changes
                )
                if not changes:
                    continue
            name = getattr(record, "name", None) or getattr(record, "title", None)
            order = getattr(record, "order", None)
            what = label if order is None else f"{label} 第 {order} 项"
            if name:
                what += f"（{name}）"
            entries.append(
                ChangeEntry(
                    when=record.history_date,
                    who=str(record.history_user or "系统"),
                    what=what,
                    action=HISTORY_ACTIONS[record.history_type],
                    changes=changes,
                )
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
