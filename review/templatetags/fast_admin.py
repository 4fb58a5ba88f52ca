"""The admin's fieldset (admin/includes/fieldset.html of Django 5.2) and the entries of its
inlines (edit_inline/stacked.html, tabular.html) written out in Python.

Every form of the admin draws its fields through that template, the evaluation page some 300
of them (its lists and indicator rows are stacked inlines), and in the Django template engine
it was the larger half of the page's time. `templates/admin/includes/fieldset.html` calls this
tag instead: the same elements, classes, ids and texts as Django's template (whitespace between
tags aside), which tests/test_form_renderer.py checks on whole pages against the original.
"""

from django import template
from django.contrib.admin.templatetags.admin_modify import cell_count
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from evaluations.html import conditional_escape

register = template.Library()


def _name(field) -> str:
    """field.field.name: a BoundField's name, or a read-only field's entry."""
    inner = field.field
    return inner.get("name", "") if isinstance(inner, dict) else inner.name


def _attribute(field, name: str):
    inner = field.field
    return inner.get(name) if isinstance(inner, dict) else getattr(inner, name, None)


def _field_html(field, single: bool) -> str:
    name = _name(field)
    readonly = field.is_readonly
    errors = "" if single or readonly else str(field.errors())
    classes = "flex-container"
    if not single:
        classes += " fieldBox"
        if name:
            classes += f" field-{name}"
        if not readonly and field.errors():
            classes += " errors"
        if _attribute(field, "is_hidden"):
            classes += " hidden"
    if field.is_checkbox:
        classes += " checkbox-row"
        body = f"{field.field}{field.label_tag()}"
    elif readonly:
        body = f'{field.label_tag()}<div class="readonly">{field.contents()}</div>'
    else:
        body = f"{field.label_tag()}{field.field}"
    help_text = _attribute(field, "help_text")
    help_html = ""
    if help_text:
        hidden = " hidden" if _attribute(field, "is_hidden") else ""
        id_for_label = _attribute(field, "id_for_label")
        help_id = f' id="{conditional_escape(id_for_label)}_helptext"' if id_for_label else ""
        help_html = f'<div class="help{hidden}"{help_id}><div>{help_text}</div></div>'
    return f'<div>{errors}<div class="{classes}">{body}</div>{help_html}</div>'


def _line_html(line) -> str:
    fields = list(line)
    single = len(line.fields) == 1
    classes = "form-row"
    if single and line.errors():
        classes += " errors"
    if not line.has_visible_field:
        classes += " hidden"
    classes += "".join(f" field-{name}" for field in fields if (name := _name(field)))
    inner = "".join(_field_html(field, single) for field in fields)
    if single:
        return f'<div class="{classes}">{line.errors()}{inner}</div>'
    return f'<div class="{classes}"><div class="flex-container form-multiline">{inner}</div></div>'


@register.simple_tag
def fieldset_html(fieldset, heading_level, prefix, id_prefix, id_suffix) -> SafeString:
    heading_id = f"{prefix}-{id_prefix}-{id_suffix}-heading"
    parts = [f'<fieldset class="module aligned {conditional_escape(fieldset.classes)}"']
    if fieldset.name:
        parts.append(f' aria-labelledby="{conditional_escape(heading_id)}"')
    parts.append(">")
    collapsible = fieldset.name and fieldset.is_collapsible
    if fieldset.name:
        level = heading_level or 2
        heading = (
            f'<h{level} id="{conditional_escape(heading_id)}" class="fieldset-heading">'
            f"{conditional_escape(fieldset.name)}</h{level}>"
        )
        parts.append(f"<details><summary>{heading}</summary>" if collapsible else heading)
    if fieldset.description:
        parts.append(f'<div class="description">{fieldset.description}</div>')
    parts.extend(_line_html(line) for line in fieldset)
    if collapsible:
        parts.append("</details>")
    parts.append("</fieldset>")
    # Every value above is escaped, or is HTML Django marked safe (widgets, labels, contents).
    return mark_safe("".join(parts))


# --- the entries of the admin's inlines (admin/edit_inline/stacked.html and tabular.html) ---


def _entries(inline_admin_formset) -> list | None:
    """Each entry with its index and whether it is the empty template row the admin's JavaScript
    copies; None when an entry has a change link or a "view on site" link, which these tags do
    not write (the templates keep Django's loop for those)."""
    forms = list(inline_admin_formset)
    if inline_admin_formset.opts.show_change_link or any(f.show_url for f in forms):
        return None
    with_template = inline_admin_formset.has_add_permission
    return [
        (index, form, with_template and index == len(forms) - 1) for index, form in enumerate(forms)
    ]


def _may_delete(inline_admin_formset, inline_admin_form) -> bool:
    return bool(
        inline_admin_formset.formset.can_delete
        and inline_admin_formset.has_delete_permission
        and inline_admin_form.original
    )


def _hidden_keys(inline_admin_form) -> str:
    parts = []
    if inline_admin_form.needs_explicit_pk_field():
        parts.append(str(inline_admin_form.pk_field().field))
    if inline_admin_form.fk_field():
        parts.append(str(inline_admin_form.fk_field().field))
    return "".join(parts)


@register.simple_tag
def stacked_entries(inline_admin_formset) -> SafeString | None:
    """The loop of admin/edit_inline/stacked.html over the entries; None for inlines with change
    links or "view on site" (the template keeps Django's loop for those)."""
    entries = _entries(inline_admin_formset)
    if entries is None:
        return None
    prefix = inline_admin_formset.formset.prefix
    name = conditional_escape(capfirst(inline_admin_formset.opts.verbose_name))
    parts = []
    for index, inline_admin_form, is_template in entries:
        original = inline_admin_form.original
        classes = "inline-related"
        if original:
            classes += " has_original"
        if is_template:
            classes += " empty-form last-related"
        entry_id = f"{prefix}-{'empty' if is_template else index}"
        label = conditional_escape(original) if original else f"#{index + 1}"
        delete = ""
        if _may_delete(inline_admin_formset, inline_admin_form):
            deletion = inline_admin_form.deletion_field()
            delete = f'<span class="delete">{deletion.field} {deletion.label_tag()}</span>'
        errors = inline_admin_form.form.non_field_errors()
        fieldsets = "".join(
            fieldset_html(fieldset, 4, fieldset.formset.prefix, index, number)
            for number, fieldset in enumerate(inline_admin_form)
        )
        parts.append(
            f'<div class="{classes}" id="{entry_id}"><h3><b>{name}:</b> '
            f'<span class="inline_label">{label}</span>{delete}</h3>'
            f"{errors if errors else ''}{fieldsets}{_hidden_keys(inline_admin_form)}</div>"
        )
    return mark_safe("".join(parts))


@register.simple_tag
def tabular_rows(inline_admin_formset) -> SafeString | None:
    """The rows of admin/edit_inline/tabular.html's table body; None for inlines with change
    links or "view on site" (the template keeps Django's loop for those)."""
    entries = _entries(inline_admin_formset)
    if entries is None:
        return None
    prefix = inline_admin_formset.formset.prefix
    parts = []
    for index, inline_admin_form, is_template in entries:
        original = inline_admin_form.original
        errors = inline_admin_form.form.non_field_errors()
        if errors:
            parts.append(
                f'<tr class="row-form-errors"><td colspan="{cell_count(inline_admin_form)}">'
                f"{errors}</td></tr>"
            )
        classes = f"form-row {'has_original' if original else ''}"
        if is_template:
            classes += " empty-form"
        entry_id = f"{prefix}-{'empty' if is_template else index}"
        shown = f"<p>{conditional_escape(original)}</p>" if original else ""
        cells = []
        for fieldset in inline_admin_form:
            for line in fieldset:
                for field in line:
                    name = _name(field)
                    cell_class = f"field-{name}" if name else ""
                    if _attribute(field, "is_hidden"):
                        cell_class += " hidden"
                    if field.is_readonly:
                        content = f"<p>{field.contents()}</p>"
                    else:
                        content = f"{field.field.errors.as_ul()}{field.field}"
                    cells.append(f'<td class="{cell_class}">{content}</td>')
        delete = (
            str(inline_admin_form.deletion_field().field)
            if _may_delete(inline_admin_formset, inline_admin_form)
            else ""
        )
        parts.append(
            f'<tr class="{classes}" id="{entry_id}"><td class="original">{shown}'
            f"{_hidden_keys(inline_admin_form)}</td>{''.join(cells)}"
            f'<td class="delete">{delete}</td></tr>'
        )
    return mark_safe("".join(parts))
