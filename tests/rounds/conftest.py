"""A district of five departments in every state a round knows, and the people who look at it."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluations.factories import DepartmentFactory, EvaluationFactory
from evaluations.models import Department, Evaluation
from indicators.factories import CompleteEvaluationFactory, IndicatorFrameworkFactory
from review.services import evaluation_transition
from rounds.models import Round
from rounds.services import round_create

YEAR = 2024


@pytest.fixture
def administrator(make_user, department):
    return make_user("bureau-admin", role="administrator", department=department)


@pytest.fixture
def auditor(make_user, department):
    return make_user("district-auditor", role="auditor", department=department)


@pytest.fixture
def filler(make_user, department):
    return make_user("dept-filler", role="filler", department=department)


@dataclass
class District:
    round: Round
    approved: Evaluation  # 93.70 优秀, 87.4 %
    submitted: Evaluation  # 68.70 中, 87.4 %
    returned: Evaluation  # returned with a comment
    draft: Evaluation  # no figures, no rows: 未评
    missing: Department  # takes part, no evaluation
    outside: Department  # has an evaluation, does not take part

    @property
    def departments(self) -> list[Department]:
        return [
            self.approved.department,
            self.submitted.department,
            self.returned.department,
            self.draft.department,
            self.missing,
        ]


def submit(evaluation: Evaluation, user) -> None:
    evaluation_transition(evaluation_id=evaluation.pk, user=user, action="submit")


@pytest.fixture
def district(db, department, administrator, auditor, filler) -> District:
    """Five departments of 2024 taking part, deadline in ten days: one approved, one
    submitted, one returned with a comment, one draft, one without an evaluation; a sixth
    department with an evaluation takes no part."""
    IndicatorFrameworkFactory(year=YEAR)

    def department_named(code: str, name: str) -> Department:
        return DepartmentFactory(code=code, name=name, full_name=f"广州市{name}")

    approved = CompleteEvaluationFactory(department=department, year=YEAR)
    submitted = CompleteEvaluationFactory(
        department=department_named("b-fgj", "乙区发展和改革局"),
        year=YEAR,
        grade=Evaluation.Grade.FAIR,
        indicator_row__actual=Decimal("5"),
        indicator_row__deviation_reason="受市场波动影响，服务企业数量未达预期。",
    )
    returned = CompleteEvaluationFactory(
        department=department_named("c-jyj", "丙区教育局"),
        year=YEAR,
        budget_total=Decimal("1000.00"),
        expenditure_total=Decimal("500.00"),
        general_public_budget=Decimal("500.00"),
        basic_expenditure=Decimal("200.00"),
        project_expenditure=Decimal("300.00"),
        grade=Evaluation.Grade.EXCELLENT,
        grade_override_reason="按上级通知调整。",
    )
    draft = EvaluationFactory(
        department=department_named("d-mzj", "丁区民政局"), year=YEAR, blank=True
    )
    missing = department_named("e-czj", "戊区财政局")
    outside = department_named("f-tjj", "己区统计局")
    EvaluationFactory(department=outside, year=YEAR)

    round_, _ = round_create(
        year=YEAR,
        deadline=timezone.localdate() + timedelta(days=10),
        departments=[
            approved.department,
            submitted.department,
            returned.department,
            draft.department,
            missing,
        ],
        create_drafts=False,
        user=administrator.user,
    )
    for evaluation in (approved, submitted, returned):
        submit(
            evaluation, filler.user if evaluation.department == department else administrator.user
        )
    evaluation_transition(
        evaluation_id=returned.pk,
        user=auditor.user,
        action="return",
        comment="请补充重点工作任务的完成情况。",
    )
    evaluation_transition(
        evaluation_id=approved.pk, user=auditor.user, action="approve", comment="同意。"
    )
    for evaluation in (approved, submitted, returned, draft):
        evaluation.refresh_from_db()
    return District(round_, approved, submitted, returned, draft, missing, outside)


def overview_url(round_: Round) -> str:
    return f"/admin/rounds/round/{round_.pk}/overview/"


def today() -> date:
    return timezone.localdate()
