import re
from pathlib import Path

import pytest
from django.core.management import call_command

from evaluations.models import (
    Department,
    DepartmentFunction,
    Evaluation,
    ImprovementMeasure,
    KeyTask,
    PerformanceGoal,
    Problem,
)
from evaluations.reports.document import report_blocks
from evaluations.selectors import evaluation_for_report

pytestmark = pytest.mark.django_db

OFFICIAL_TEXT = Path(__file__).resolve().parents[1] / "data" / "liwan_2023_official.txt"
LIST_MODELS = (DepartmentFunction, PerformanceGoal, KeyTask, Problem, ImprovementMeasure)


def without_whitespace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def load_liwan() -> Evaluation:
    call_command("loaddata", "liwan_2023", verbosity=0)
    return evaluation_for_report(department_code="liwan-kgxj", year=2023)


def test_the_fixture_rebuilds_the_official_document_word_for_word():
    evaluation = load_liwan()

    rebuilt = "".join(block.text for block in report_blocks(evaluation))

    assert without_whitespace(rebuilt) == without_whitespace(
        OFFICIAL_TEXT.read_text(encoding="utf-8")
    )


def test_the_fixture_holds_paragraphs_not_printed_lines():
    evaluation = load_liwan()

    texts = [f.text for f in evaluation.departmentfunctions.all()]
    texts += [m.body for m in evaluation.improvementmeasures.all()]
    texts += [evaluation.achievements, evaluation.conclusion_summary]
    assert all("\n" not in text for text in texts)
    # The six paragraphs of 各重点工作任务绩效目标完成情况分析, one per line.
    assert len(evaluation.task_analysis.splitlines()) == 6


def test_the_fixture_loads_the_whole_2023_evaluation():
    evaluation = load_liwan()

    assert evaluation.department.full_name == "广州市荔湾区科技工业和信息化局"
    assert evaluation.grade == Evaluation.Grade.EXCELLENT
    counts = [model.objects.filter(evaluation=evaluation).count() for model in LIST_MODELS]
    assert counts == [13, 4, 4, 2, 6]
    assert str(evaluation.completion_rate) == "87.4"


def test_the_fixture_satisfies_every_validation_rule():
    evaluation = load_liwan()

    evaluation.full_clean()
    for model in LIST_MODELS:
        for item in model.objects.filter(evaluation=evaluation):
            item.full_clean()


def test_loading_the_fixture_twice_changes_nothing():
    load_liwan()
    counts = [model.objects.count() for model in (Department, Evaluation, *LIST_MODELS)]

    load_liwan()

    assert [model.objects.count() for model in (Department, Evaluation, *LIST_MODELS)] == counts
