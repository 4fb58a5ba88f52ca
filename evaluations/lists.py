"""The ordered lists of an evaluation, declared once.

Selectors prefetch them, the submission checks require each, the admin builds one inline per
list, copy-forward carries some into next year's draft, the change log names their entries and
the tests walk them, all from this registry. Adding a list means a model and one entry here.
"""

from dataclasses import dataclass

from evaluations.models import (
    DepartmentFunction,
    ImprovementMeasure,
    KeyTask,
    OrderedItem,
    PerformanceGoal,
    Problem,
)


@dataclass(frozen=True)
class OrderedList:
    model: type[OrderedItem]
    accessor: str  # the related name on Evaluation, e.g. "departmentfunctions"
    label: str  # what the list is called in messages: “部门职能”至少要填写一项
    section: str  # where it stands in the report and on the evaluation page
    fields: tuple[str, ...]  # what a user fills in, besides 序号
    copied_forward: bool  # carried into next year's draft by 从上年复制

    @property
    def stacked(self) -> bool:
        """Entries of several fields are edited one below the other, not in a table row."""
        return len(self.fields) > 1


ORDERED_LISTS: tuple[OrderedList, ...] = (
    OrderedList(
        DepartmentFunction,
        "departmentfunctions",
        "部门职能",
        "一、基本情况 ·（一）部门职能",
        ("text",),
        copied_forward=True,
    ),
    OrderedList(
        PerformanceGoal,
        "performancegoals",
        "部门整体支出绩效目标",
        "一、基本情况 ·（三）部门整体支出绩效目标",
        ("text",),
        copied_forward=True,
    ),
    OrderedList(
        KeyTask,
        "keytasks",
        "部门年度重点工作任务",
        "一、基本情况 ·（四）部门年度重点工作任务",
        ("text",),
        copied_forward=True,
    ),
    OrderedList(
        Problem, "problems", "存在的主要问题", "三、存在的主要问题", ("text",), copied_forward=False
    ),
    OrderedList(
        ImprovementMeasure,
        "improvementmeasures",
        "下一步改进措施",
        "四、下一步改进措施",
        ("title", "body"),
        copied_forward=False,
    ),
)

ACCESSORS: tuple[str, ...] = tuple(entry.accessor for entry in ORDERED_LISTS)


def ordered_list(model: type[OrderedItem]) -> OrderedList:
    """The registry entry of a list's model."""
    for entry in ORDERED_LISTS:
        if entry.model is model:
            return entry
    raise LookupError(f"{model.__name__} is not an ordered list of an evaluation")
