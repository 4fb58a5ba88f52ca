"""The consistency check of an evaluation: its figures, score and lists as `Facts`, its free
text as `Text`s at their fields on the change page."""

from evaluations.lists import ORDERED_LISTS
from evaluations.models import Evaluation, OrderedItem, field_label
from evaluations.selectors import entry_field_anchor, field_anchor
from indicators import selectors as indicator_selectors
from indicators.selectors import Scorecard
from review.consistency.check import Facts, Figure, Finding, Text, find_inconsistencies

NARRATIVE_FIELDS = ("conclusion_summary", "task_analysis", "achievements")
# The figures compared with last year's: the totals and the natures. The fund sources are left
# out: a department funded by one source repeats 0 and the whole total in them.
COPY_CHECKED_FIGURES = (
    "budget_total",
    "expenditure_total",
    "basic_expenditure",
    "project_expenditure",
    "carryover_balance",
)
# The lists whose entries are checked, in the order of the report; the narrative stands
# between 重点工作任务 and 存在的主要问题.
LISTS_BEFORE_NARRATIVE = ("performancegoals", "keytasks")
LISTS_AFTER_NARRATIVE = ("problems", "improvementmeasures")


def evaluation_inconsistencies(
    *, evaluation: Evaluation, scorecard: Scorecard | None = None
) -> list[Finding]:
    """The sentences of the evaluation's free text that contradict its figures, score, grade
    or lists, and its figures equal to last year's, in the order of the report. Lists that are
    prefetched (`evaluations_for_report`) are not read again; others are read once each.
    Queries: the lists not prefetched, the scorecard's (unless `scorecard` is given), and one
    for last year's evaluation."""
    if scorecard is None:
        scorecard = indicator_selectors.evaluation_scorecard(evaluation=evaluation)
    entries = {
        entry.accessor: list(getattr(evaluation, entry.accessor).all())
        for entry in ORDERED_LISTS
        if entry.accessor in (*LISTS_BEFORE_NARRATIVE, *LISTS_AFTER_NARRATIVE)
    }
    facts = evaluation_facts(evaluation=evaluation, scorecard=scorecard, entries=entries)
    texts = [
        *_list_texts(entries, LISTS_BEFORE_NARRATIVE),
        *(
            Text(
                key=name,
                place=field_label(Evaluation, name),
                anchor=field_anchor(name),
                text=getattr(evaluation, name),
            )
            for name in NARRATIVE_FIELDS
        ),
        *_list_texts(entries, LISTS_AFTER_NARRATIVE),
    ]
    return find_inconsistencies(facts, texts)


def evaluation_facts(
    *, evaluation: Evaluation, scorecard: Scorecard, entries: dict[str, list[OrderedItem]]
) -> Facts:
    summary = scorecard.summary
    grade = evaluation.grade or None
    # The typed grade stands when its departure from the computed one is explained
    # (indicators.selectors.grade_problem), or when there is nothing to compute it from.
    recorded = (
        grade if grade and (evaluation.grade_override_reason.strip() or not summary.grade) else None
    )
    previous = (
        Evaluation.objects.filter(department_id=evaluation.department_id, year=evaluation.year - 1)
        .only("year", *COPY_CHECKED_FIGURES)
        .first()
    )
    return Facts(
        year=evaluation.year,
        budget_total=evaluation.budget_total,
        expenditure_total=evaluation.expenditure_total,
        carryover_balance=evaluation.carryover_balance,
        completion_rate=evaluation.completion_rate,
        total_score=summary.total,
        grade=summary.grade,
        grade_label=summary.grade_label if summary.grade else None,
        recorded_grade=recorded,
        recorded_grade_label=Evaluation.Grade(recorded).label if recorded else None,
        key_tasks=len(entries["keytasks"]),
        goals=len(entries["performancegoals"]),
        problems=len(entries["problems"]),
        previous_year=previous.year if previous else None,
        figures=tuple(
            Figure(
                key=name,
                label=field_label(Evaluation, name).removesuffix("（万元）"),
                anchor=field_anchor(name),
                value=getattr(evaluation, name),
                previous=getattr(previous, name) if previous else None,
            )
            for name in COPY_CHECKED_FIGURES
        ),
    )


def _list_texts(entries: dict[str, list[OrderedItem]], accessors: tuple[str, ...]) -> list[Text]:
    """Each entry's texts, at their fields: "<list label> 第 <序号> 项", with the field's name
    when the entry has several (改进措施: 标题, 内容)."""
    texts = []
    for entry in ORDERED_LISTS:
        if entry.accessor not in accessors:
            continue
        for index, item in enumerate(entries[entry.accessor]):
            for name in entry.fields:
                place = f"{entry.label} 第 {item.order} 项"
                if entry.stacked:
                    place += f"（{field_label(entry.model, name)}）"
                texts.append(
                    Text(
                        key=f"{entry.accessor}-{index}-{name}",
                        place=place,
                        anchor=entry_field_anchor(entry.accessor, index, name),
                        text=getattr(item, name),
                    )
                )
    return texts
