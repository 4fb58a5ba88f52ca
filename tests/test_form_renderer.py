"""The fast drawing of forms (config/form_renderer.py: widgets, labels, error lists in Python;
review/templatetags/fast_admin.py: the admin's fieldset and inline entries in Python) gives the
pages Django's own templates give: compared on whole admin pages, with and without errors,
edited and read-only, stacked and tabular inlines."""

import re
import shutil
from pathlib import Path

import django
import pytest
from django.forms import renderers
from django.test import override_settings
from django.urls import reverse

from indicators.factories import CompleteEvaluationFactory
from tests.helpers import change_form_data, hard_text_evaluation, make_row

ADMIN_TEMPLATES = Path(django.__file__).parent / "contrib/admin/templates"
# Django's own templates that ours replace by template tags (review/templatetags/fast_admin.py).
ORIGINALS = (
    "admin/includes/fieldset.html",
    "admin/edit_inline/stacked.html",
    "admin/edit_inline/tabular.html",
)
pytestmark = pytest.mark.django_db


def normalised(html: str) -> str:
    """The page as a browser builds it: whitespace between tags and its amount do not matter;
    the CSRF token changes with every page."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r"\s+", " ", html)
    return re.sub(r">\s+<", "><", html).replace("> ", ">").replace(" <", "<")


@pytest.fixture
def django_drawn(settings, tmp_path):
    """Settings under which Django's own templates draw everything: its form renderer, and its
    admin fieldset and inline templates ahead of ours."""
    for name in ORIGINALS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ADMIN_TEMPLATES / name, tmp_path / name)
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    def draw(fetch):
        renderers.get_default_renderer.cache_clear()
        try:
            with override_settings(
                FORM_RENDERER="django.forms.renderers.DjangoTemplates", TEMPLATES=templates
            ):
                return fetch()
        finally:
            renderers.get_default_renderer.cache_clear()

    return draw


def assert_same_page(fetch, django_drawn) -> None:
    ours = normalised(fetch().content.decode())
    theirs = normalised(django_drawn(fetch).content.decode())
    assert "<fieldset" in ours
    if ours != theirs:
        at = next(i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b)
        pytest.fail(
            f"differs at {at}:\nours:   {ours[at - 200 : at + 200]}\ntheirs: {theirs[at - 200 : at + 200]}"
        )


def test_the_evaluation_page_is_drawn_as_djangos_templates_draw_it(
    make_user, department, django_drawn
):
    evaluation = CompleteEvaluationFactory(department=department)
    make_row(
        evaluation,
        order=2,
        name="第二个指标",
        target="1356",
        actual="14.18",
        deviation_reason="原因。",
    )
    filler = make_user("filler", role="filler", department=department)
    url = reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])

    assert_same_page(lambda: filler.get(url), django_drawn)

    form = filler.get(url).context["adminform"].form
    data = change_form_data(form, other_funds="-1.00", conclusion_summary='<b>"引号"</b> & 符号')
    data["indicator_rows-0-weight"] = "-3"
    assert_same_page(lambda: filler.post(url, data), django_drawn)


def test_read_only_pages_and_other_forms_are_drawn_alike(make_user, django_drawn, staff_client):
    hard = hard_text_evaluation()
    auditor = make_user("auditor", role="auditor", department=hard.department)
    change = reverse("admin:evaluations_evaluation_change", args=[hard.pk])

    assert_same_page(lambda: auditor.get(change), django_drawn)
    for url in (
        reverse("admin:evaluations_evaluation_add"),
        reverse("admin:auth_user_add"),
        reverse("admin:evaluations_department_add"),
        reverse("admin:indicators_indicatorframework_add"),
        reverse("admin:auth_user_password_change", args=[auditor.user.pk]),
        reverse("admin:password_change"),
    ):
        assert_same_page(lambda url=url: staff_client.get(url), django_drawn)
