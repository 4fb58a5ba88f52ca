"""Each role against each department's objects: another department's evaluation is not found
(404) everywhere, auditors edit nothing, fillers approve nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import services
from evaluations.factories import DepartmentFactory
from evaluations.models import Evaluation
from indicators.factories import CompleteEvaluationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_department():
    return DepartmentFactory(code="other", name="另一局", full_name="某市另一局")


@pytest.fixture
def ours(department):
    return CompleteEvaluationFactory(department=department)


@pytest.fixture
def theirs(other_department):
    return CompleteEvaluationFactory(department=other_department)


@pytest.fixture
def filler(make_user, department):
    return make_user("filler", role="filler", department=department)


@pytest.fixture
def auditor(make_user, other_department):
    return make_user("auditor", role="auditor", department=other_department)


def admin_url(name: str, evaluation: Evaluation, *extra) -> str:
    return reverse(f"admin:evaluations_evaluation_{name}", args=[evaluation.pk, *extra])


def evaluation_urls(evaluation: Evaluation) -> list[str]:
    code, year = evaluation.department.code, evaluation.year
    return [
        admin_url("change", evaluation),
        admin_url("history", evaluation),
        admin_url("delete", evaluation),
        reverse("reports:report_preview", args=[code, year]),
        reverse("reports:report_pdf", args=[code, year]),
        reverse("reports:appendix1_pdf", args=[code, year]),
        reverse("reports:appendix1_xlsx", args=[code, year]),
        reverse("reports:report_docx", args=[code, year]),
        reverse("reports:appendix1_docx", args=[code, year]),
    ]


def test_a_filler_gets_404_for_every_page_of_another_departments_evaluation(filler, theirs):
    for url in evaluation_urls(theirs):
        assert filler.get(url).status_code == 404, url
    for url in (
        admin_url("transition", theirs, "submit"),
        reverse("admin:evaluations_evaluation_copy_forward", args=[theirs.pk]),
    ):
        assert filler.post(url).status_code == 404, url
    theirs.refresh_from_db()
    assert theirs.status == Evaluation.Status.DRAFT


def test_a_filler_lists_and_looks_up_only_their_own_department(filler, ours, theirs):
    changelist = filler.get(reverse("admin:evaluations_evaluation_changelist"))
    autocomplete = filler.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "evaluations",
            "model_name": "evaluation",
            "field_name": "department",
            "term": "",
        },
    )
    departments = filler.get(reverse("admin:evaluations_department_changelist"))

    assert list(changelist.context["cl"].result_list) == [ours]
    assert [item["id"] for item in autocomplete.json()["results"]] == [str(ours.department.pk)]
    assert list(departments.context["cl"].result_list) == [ours.department]
    assert (
        filler.get(
            reverse("admin:evaluations_department_change", args=[theirs.department.pk])
        ).status_code
        == 404
    )


def test_a_filler_may_open_and_download_their_own_evaluation(filler, ours):
    for url in evaluation_urls(ours)[:2] + evaluation_urls(ours)[3:]:
        assert filler.get(url).status_code == 200, url


def test_a_filler_can_only_create_evaluations_for_their_own_department(
    filler, department, other_department
):
    page = filler.get(reverse("admin:evaluations_evaluation_add"))
    field = page.context["adminform"].form.fields["department"]

    assert list(field.queryset) == [department]
    assert page.context["adminform"].form.initial["department"] == department.pk


def test_an_auditor_sees_every_department_but_cannot_edit(auditor, ours, theirs):
    changelist = auditor.get(reverse("admin:evaluations_evaluation_changelist"))
    page = auditor.get(admin_url("change", ours))
    post = auditor.post(admin_url("change", ours), {"conclusion_summary": "审核人员改的"})

    assert set(changelist.context["cl"].result_list) == {ours, theirs}
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert post.status_code == 403
    ours.refresh_from_db()
    assert ours.conclusion_summary == "各项工作完成较好。"
    assert auditor.get(reverse("admin:evaluations_evaluation_add")).status_code == 403


def test_a_filler_cannot_approve_or_return(filler, ours):
    filler.post(admin_url("transition", ours, "submit"), {"_confirmed": "1"})

    for action in ("approve", "return"):
        response = filler.post(
            admin_url("transition", ours, action), {"comment": "自己批", "_confirmed": "1"}
        )
        assert response.status_code == 403
    ours.refresh_from_db()
    assert ours.status == Evaluation.Status.SUBMITTED


def test_a_submitted_evaluation_is_read_only_for_its_filler(filler, ours):
    filler.post(admin_url("transition", ours, "submit"), {"_confirmed": "1"})

    page = filler.get(admin_url("change", ours))
    post = filler.post(admin_url("change", ours), {"conclusion_summary": "提交后再改"})

    assert not page.context["has_change_permission"]
    assert post.status_code == 403
    ours.refresh_from_db()
    assert ours.conclusion_summary == "各项工作完成较好。"
    with pytest.raises(ValidationError, match="这份自评已提交，不能再修改。"):
        services.evaluation_item_save(item=ours.problems.first())


def test_nobody_may_delete_an_evaluation_but_an_administrator_before_review(
    filler, auditor, staff_client, ours
):
    assert filler.post(admin_url("delete", ours), {"post": "yes"}).status_code == 403
    assert auditor.post(admin_url("delete", ours), {"post": "yes"}).status_code == 403
    staff_client.post(admin_url("transition", ours, "submit"), {"_confirmed": "1"})
    assert staff_client.post(admin_url("delete", ours), {"post": "yes"}).status_code == 403
    assert Evaluation.objects.filter(pk=ours.pk).exists()


def test_departments_cannot_be_deleted_even_by_an_administrator(staff_client, department):
    url = reverse("admin:evaluations_department_delete", args=[department.pk])

    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert type(department).objects.filter(pk=department.pk).exists()
