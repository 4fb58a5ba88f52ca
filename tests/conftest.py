import pytest
from django.contrib.auth import get_user_model

from evaluations.factories import DepartmentFactory, EvaluationFactory
from evaluations.models import Department, Evaluation
from indicators.factories import IndicatorFrameworkFactory
from indicators.models import IndicatorFramework


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Tests create users with passwords; the production hasher costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department() -> Department:
    return DepartmentFactory.create(
        code="test-dept", name="测试区示例局", full_name="广州市测试区示例局"
    )


@pytest.fixture
def framework_2023(db) -> IndicatorFramework:
    """The default indicator framework (财预〔2020〕10号) of 2023."""
    return IndicatorFrameworkFactory.create(year=2023)


@pytest.fixture
def evaluation(department: Department) -> Evaluation:
    """A 2023 draft of `department` whose figures add up (VALID_FIGURES), nothing else filled in."""
    return EvaluationFactory.create(department=department, year=2023)


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser(username="staff", password="pw-staff-123")
    client.force_login(user)
    return client


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


@pytest.fixture(autouse=True)
def import_folder(settings, tmp_path):
    """Uploads waiting for their confirmation (evaluations.tabular.ImportTempStorage) go to the
    test's own folder, not the project's media/imports/."""
    settings.IMPORT_TMP_DIR = tmp_path / "imports"
    return settings.IMPORT_TMP_DIR
