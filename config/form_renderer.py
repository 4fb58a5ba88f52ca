"""How forms and widgets are drawn: Django's own widget templates, rendered by Jinja2.

The evaluation page draws about 350 widgets and 500 labels; through the Django template engine
they took two thirds of the page's time. Django ships every standard widget and form template for
Jinja2 as well (django/forms/jinja2/), written to give the same HTML, and Jinja2 renders them
several times faster. Templates only the Django engine knows (the admin's related-object wrapper,
the autocomplete widget, our own) are rendered by it, as before.
"""

from functools import cached_property
from pathlib import Path

import django
from django.forms.renderers import BaseRenderer, DjangoTemplates
from django.template import TemplateDoesNotExist
from django.template.backends.jinja2 import Jinja2 as Jinja2Backend


class FastWidgetRenderer(BaseRenderer):
    """Jinja2 for the templates Django ships for it, the Django engine for the rest."""

    @cached_property
    def jinja2(self) -> Jinja2Backend:
        forms_templates = Path(django.__file__).parent / "forms" / "jinja2"
        return Jinja2Backend(
            {
                "APP_DIRS": False,
                "DIRS": [forms_templates],
                "NAME": "djangoforms-jinja2",
                "OPTIONS": {},
            }
        )

    @cached_property
    def django_templates(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django_templates.get_template(template_name)
