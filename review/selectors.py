"""Reads of the review layer: what stands between an evaluation and submission, and who
changed what. They see the whole evaluation: its own data and its indicator rows."""

from dataclasses import dataclass
from datetime import datetime

from evaluations import selectors as evaluation_selectors
from evaluations.lists import ORDERED_LISTS
from evaluations.models import REPORT_MAX_CHARACTERS, Evaluation
from evaluations.reports import document
from indicators import selectors as indicator_selectors
from indicators.models import IndicatorRow


def evaluation_problems(*, evaluation: Evaluation) -> list[str]:
    """Everything that stands between an evaluation and submission for review, in the order of
    the report; empty when it may be submitted."""
    problems = [
        *evaluation_selectors.evaluation_data_problems(evaluation=evaluation),
        *indicator_selectors.evaluation_completeness_problems(evaluation=evaluation),
    ]
    loaded = evaluation_selectors.evaluations_for_report().get(pk=evaluation.pk)
    characters = document.report_characters(document.report_blocks(loaded))
    if characters > REPORT_MAX_CHARACTERS:
        problems.append(document.too_long(characters))
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
    parts = [entry.model for entry in ORDERED_LISTS] + [IndicatorRow]
    sources = [(Evaluation.history.filter(id=evaluation.pk), "自评")]
    sources += [
        (model.history.filter(evaluation_id=evaluation.pk), str(model._meta.verbose_name))
        for model in parts
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
