"""Every state-changing POST needs the CSRF token: without it 403, and nothing changes."""

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.models import Evaluation
from indicators.factories import CompleteEvaluationFactory
from tests.helpers import evaluation_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client(make_user, department) -> Client:
    """A logged-in filler whose client checks CSRF like a browser session would."""
    client = make_user("filler", role="filler", department=department)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(client.user)
    return strict


@pytest.fixture
def ours(department):
    return CompleteEvaluationFactory(department=department)


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(
    strict_client, department, ours
):
    before = Evaluation.objects.values().get(pk=ours.pk)
    posts = {
        "add": (
            reverse("admin:evaluations_evaluation_add"),
            evaluation_form_data(department, year=2030),
        ),
        "change": (
            reverse("admin:evaluations_evaluation_change", args=[ours.pk]),
            evaluation_form_data(department, conclusion_summary="伪造"),
        ),
        "submit": (
            reverse("admin:evaluations_evaluation_transition", args=[ours.pk, "submit"]),
            {},
        ),
        "copy": (reverse("admin:evaluations_evaluation_copy_forward", args=[ours.pk]), {}),
        "import": (reverse("admin:indicators_indicatorrow_import"), {}),
        "logout": (reverse("admin:logout"), {}),
    }

    for name, (url, data) in posts.items():
        response = strict_client.post(url, data)
        assert response.status_code == 403, name
        assert "CSRF" in response.content.decode(), name

    assert Evaluation.objects.values().get(pk=ours.pk) == before
    assert Evaluation.objects.count() == 1
