"""The list of everything wrong on a refused save, shown at the top of the evaluation page: each
error with where it is and a link to the very field (or entry, or list) it belongs to."""

from dataclasses import dataclass

from django.forms import BaseForm, BaseFormSet
from django.forms.utils import ErrorList

NON_FIELD = "__all__"


@dataclass(frozen=True)
class ErrorLink:
    where: str  # 全年预算数（万元） / 附件1 · 绩效指标 第 3 项 · 偏差原因
    message: str
    anchor: str  # the HTML id the link jumps to (without "#")


def _label(form: BaseForm, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else name


def _messages(errors: ErrorList) -> list[str]:
    return [str(message) for message in errors]


def form_errors(form: BaseForm, *, section: str) -> list[ErrorLink]:
    """The main form's errors: each field's under its label, the others under the section."""
    links: list[ErrorLink] = []
    for name, errors in form.errors.items():
        if name == NON_FIELD:
            links += [ErrorLink(section, message, "content-main") for message in _messages(errors)]
            continue
        anchor = form[name].auto_id if name in form.fields else "content-main"
        links += [ErrorLink(_label(form, name), message, anchor) for message in _messages(errors)]
    return links


def formset_errors(formset: BaseFormSet, *, section: str) -> list[ErrorLink]:
    """An inline's errors: those of the whole list (linked to the list), then each entry's, named
    by its 序号 (or position) and linked to the field or, for the entry as a whole, to the entry
    (the admin's inline templates give entry i the id "<prefix>-i")."""
    group = f"{formset.prefix}-group"
    links = [ErrorLink(section, message, group) for message in _messages(formset.non_form_errors())]
    for index, form in enumerate(formset.forms):
        if not form.errors:
            continue
        order = form["order"].value() if "order" in form.fields else None
        entry = f"{section} 第 {order or index + 1} 项"
        for name, errors in form.errors.items():
            if name == NON_FIELD or name not in form.fields:
                anchor, where = f"{formset.prefix}-{index}", entry
            else:
                anchor, where = form[name].auto_id, f"{entry} · {_label(form, name)}"
            links += [ErrorLink(where, message, anchor) for message in _messages(errors)]
    return links
