"""The admin's fieldset (admin/includes/fieldset.html of Django 5.2) written out in Python.

Every form of the admin draws its fields through that template, the evaluation page some 300
of them (its lists and indicator rows are stacked inlines), and in the Django template engine
it was the larger half of the page's time. `templates/admin/includes/fieldset.html` calls this
tag instead: the same elements, classes, ids and texts as Django's template (whitespace between
tags aside), which tests/test_form_renderer.py checks on whole pages against the original.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

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
