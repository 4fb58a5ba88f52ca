import pytest

from tests.conftest import complete_evaluation


@pytest.fixture
def evaluation_ready(department):
    return complete_evaluation(department)


@pytest.fixture
def filler(make_user, department):
    return make_user("filler", role="filler", department=department)


@pytest.fixture
def auditor(make_user, department):
    return make_user("auditor", role="auditor", department=department)
