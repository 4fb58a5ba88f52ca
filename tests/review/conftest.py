import pytest

from indicators.factories import CompleteEvaluationFactory


@pytest.fixture
def evaluation_ready(department):
    return CompleteEvaluationFactory(department=department)


@pytest.fixture
def filler(make_user, department):
    return make_user("filler", role="filler", department=department)


@pytest.fixture
def auditor(make_user, department):
    return make_user("auditor", role="auditor", department=department)
