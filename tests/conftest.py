from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from evaluations import services
from evaluations.models import Department, Evaluation

INLINE_PREFIXES = (
    "departmentfunctions",
    "performancegoals",
    "keytasks",
    "problems",
    "improvementmeasures",
)

VALID_FIGURES = {
    "budget_total": Decimal("8727.19"),
    "expenditure_total": Decimal("7627.19"),
    "general_public_budget": Decimal("7627.19"),
    "government_fund_budget": Decimal("0"),
    "state_capital_budget": Decimal("0"),
    "other_funds": Decimal("0"),
    "basic_expenditure": Decimal("2555.62"),
    "project_expenditure": Decimal("5071.57"),
    "carryover_balance": Decimal("0"),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Tests create users with passwords; the production hasher costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department() -> Department:
    return services.department_create(
        code="test-dept", name="测试区示例局", full_name="广州市测试区示例局"
    )


@pytest.fixture
def framework_2023(db):
    """The default indicator framework (财预〔2020〕10号) of 2023."""
    from indicators.services import framework_create_default

    return framework_create_default(year=2023)


@pytest.fixture
def evaluation(department: Department) -> Evaluation:
    return services.evaluation_create(department=department, year=2023, **VALID_FIGURES)


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser(username="staff", password="pw-staff-123")
    client.force_login(user)
    return client


def evaluation_form_data(department: Department, **overrides: object) -> dict[str, object]:
    """What the evaluation change page posts: the main form plus an empty management form for
    every inline; tests add inline rows with `add_inline_rows`."""
    data: dict[str, object] = {
        "department": department.pk,
        "year": 2023,
        "conclusion_summary": "",
        "grade": "",
        "task_analysis": "",
        "achievements": "",
        **{name: str(value) for name, value in VALID_FIGURES.items()},
    }
    for prefix in INLINE_PREFIXES:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def add_inline_rows(data: dict[str, object], prefix: str, rows: list[dict[str, object]]) -> None:
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    for index, row in enumerate(rows):
        for field, value in row.items():
            data[f"{prefix}-{index}-{field}"] = value


@pytest.fixture
def liwan(db) -> Evaluation:
    from django.core.management import call_command

    call_command("loaddata", "liwan_2023", verbosity=0)
    return Evaluation.objects.get(department__code="liwan-kgxj", year=2023)


@pytest.fixture
def roles(db) -> None:
    from evaluations.services import roles_setup

    roles_setup()


@pytest.fixture
def make_user(roles):
    """make_user("name", role="filler"|"auditor", department=Department) → a logged-in client."""
    from django.test import Client

    from evaluations.access import Role
    from evaluations.services import department_user_create

    def build(username: str, *, role: str, department: Department) -> Client:
        user = department_user_create(
            username=username,
            department=department,
            role=Role(role),
            password="correct-horse-battery-9",
        )
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return build


def complete_evaluation(department: Department, year: int = 2023) -> Evaluation:
    """An evaluation that passes every check for submission."""
    from evaluations.models import (
        DepartmentFunction,
        ImprovementMeasure,
        KeyTask,
        PerformanceGoal,
        Problem,
    )
    from indicators import services as indicator_services
    from indicators.models import IndicatorFramework, IndicatorRow, SecondaryIndicator

    if not IndicatorFramework.objects.filter(year=year).exists():
        indicator_services.framework_create_default(year=year)
    evaluation = services.evaluation_create(
        department=department,
        year=year,
        conclusion_summary="各项工作完成较好。",
        # 10 of 10 for the indicator below and 8.74 of 10 for budget execution: 93.70, 优秀.
        grade=Evaluation.Grade.EXCELLENT,
        task_analysis="分析一段。",
        achievements="成效一段。",
        **VALID_FIGURES,
    )
    for model in (DepartmentFunction, PerformanceGoal, KeyTask, Problem):
        services.evaluation_item_save(item=model(evaluation=evaluation, order=1, text="一项内容。"))
    services.evaluation_item_save(
        item=ImprovementMeasure(evaluation=evaluation, order=1, title="抓好落实", body="措施。")
    )
    indicator_services.indicator_row_save(
        row=IndicatorRow(
            evaluation=evaluation,
            secondary=SecondaryIndicator.objects.get_by_natural_key(year, "产出指标", "数量指标"),
            name="服务企业数量",
            unit="家",
            nature=IndicatorRow.Nature.GTE,
            target=Decimal("10"),
            actual=Decimal("12"),
            weight=Decimal("10"),
            order=1,
        )
    )
    return evaluation
