from typing import Any

from django import forms

from rounds.models import Round
from rounds.selectors import SORT_KEYS, GradeBucket, Lateness, State

DEPARTMENTS_HELP = (
    "新建时默认选中全部启用的部门；在左侧选中部门后点箭头加入，在右侧选中后点箭头移出。"
)


class RoundForm(forms.ModelForm):
    """The round's admin page. Saved by the services (rounds.services), not by the form."""

    create_drafts = forms.BooleanField(
        label="为尚未新建自评的部门生成草稿",
        required=False,
        initial=True,
        help_text="有上年自评的部门从上年复制（职能、绩效目标、重点工作任务和绩效指标），"
        "没有的新建空白草稿；已有的自评不作任何改动。",
    )

    class Meta:
        model = Round
        fields = ("year", "deadline", "departments")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "departments" in self.fields:
            # The admin appends its multiple-select hint, which names keys in English ("Control",
            # "Command" on a Mac); the two-list chooser needs none.
            self.fields["departments"].help_text = DEPARTMENTS_HELP


def _choices(options: Any) -> list[tuple[str, str]]:
    return [("", "全部"), *((str(value), str(label)) for value, label in options.choices)]


class OverviewQuery(forms.Form):
    """The overview's GET parameters: its filters and its sort column. A value the page does
    not offer is ignored, as if not given."""

    state = forms.ChoiceField(label="状态", required=False, choices=_choices(State))
    lateness = forms.ChoiceField(label="逾期", required=False, choices=_choices(Lateness))
    grade = forms.ChoiceField(label="等级", required=False, choices=_choices(GradeBucket))
    o = forms.ChoiceField(
        label="排序",
        required=False,
        choices=[(key, key) for name in SORT_KEYS for key in (name, f"-{name}")],
    )

    FILTERS = ("state", "lateness", "grade")

    def values(self) -> dict[str, str]:
        """The valid parameters given, by name."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned[name]
            for name in (*self.FILTERS, "o")
            if name not in self.errors and cleaned.get(name)
        }
