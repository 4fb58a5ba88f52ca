"""Small shared pieces of the admin's formsets."""

from django.forms import BaseForm, BaseFormSet


def should_delete(formset: BaseFormSet, form: BaseForm) -> bool:
    """Is this form of the formset marked for deletion? Django's own test
    (BaseFormSet._should_delete_form), which django-stubs does not declare."""
    return bool(formset._should_delete_form(form))  # type: ignore[attr-defined]
