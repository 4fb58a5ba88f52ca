from typing import Any

from django import forms

from bundles.selectors import Candidate


class BundleForm(forms.Form):
    """Which departments of the year go into the ZIP: every department the user may see that
    has an evaluation of the year is offered (a 填报人员: their own), all checked unless the
    page was opened with a list of codes."""

    departments = forms.MultipleChoiceField(
        label="部门",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请至少选择一个部门。",
            "invalid_choice": "没有找到部门 %(value)s 的这一年度自评。",
        },
    )

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["departments"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(c.code, f"{c.code} {c.full_name}（{c.status}）") for c in candidates]
        self.initial.setdefault("departments", [c.code for c in candidates])
