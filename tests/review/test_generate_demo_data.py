"""`manage.py generate_demo_data`: synthetic departments and evaluations that pass every rule."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluations.models import Department, DepartmentFunction, Evaluation
from indicators.models import IndicatorFramework, IndicatorRow
from review import demo_data, selectors

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_demo_data", stdout=out, **options)
    return out.getvalue()


def test_demo_evaluations_pass_every_check_for_submission():
    output = generate(departments=4, years=2)

    evaluations = list(Evaluation.objects.filter(department__code__startswith="demo-"))
    assert len(evaluations) == 8
    assert {e.year for e in evaluations} == {2022, 2023}
    for evaluation in evaluations:
        assert selectors.evaluation_problems(evaluation=evaluation) == []
    assert "4/4 个部门" in output
    assert "已生成 4 个部门、8 份自评" in output


def test_demo_evaluations_have_realistic_lists_indicator_rows_and_history():
    generate(departments=3, years=1)

    evaluation = Evaluation.objects.filter(department__code="demo-0001").get()
    assert 5 <= evaluation.departmentfunctions.count() <= 13
    assert 6 <= evaluation.indicator_rows.count() <= 14
    weights = sum(row.weight for row in evaluation.indicator_rows.all())
    assert weights == 90  # 产出 50 + 效益 30 + 满意度 10; 预算执行率 is scored from the budget
    assert evaluation.history.count() == 1
    assert DepartmentFunction.history.filter(evaluation_id=evaluation.pk).exists()
    assert IndicatorFramework.objects.filter(year=2023).count() == 1


def test_running_it_twice_is_refused_and_changes_nothing():
    generate(departments=2, years=1)

    with pytest.raises(CommandError, match="数据库中已有 2 个演示部门"):
        generate(departments=5, years=1)

    assert Department.objects.filter(code__startswith="demo-").count() == 2


def test_a_failure_part_way_leaves_nothing_behind(monkeypatch):
    real = demo_data._indicator_rows
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(demo_data, "_indicator_rows", failing)

    with pytest.raises(RuntimeError, match="disk full"):
        demo_data.demo_data_generate(departments=4, years=[2023], chunk=1)

    assert not Department.objects.exists()
    assert not Evaluation.objects.exists()
    assert not IndicatorRow.objects.exists()
    assert not IndicatorFramework.objects.exists()


def test_it_uses_a_year_framework_that_already_exists(liwan):
    generate(departments=2, years=1)

    assert IndicatorFramework.objects.filter(year=2023).count() == 1
    assert Evaluation.objects.filter(year=2023).count() == 3
