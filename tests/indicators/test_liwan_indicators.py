"""The indicator rows of the Liwan fixtures: the results the 2023 document quotes, and the
targets it sets for 2024."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from evaluations.models import Evaluation
from indicators import selectors
from indicators.models import IndicatorFramework, IndicatorRow, PrimaryIndicator, SecondaryIndicator

pytestmark = pytest.mark.django_db

COUNTED = (IndicatorFramework, PrimaryIndicator, SecondaryIndicator, IndicatorRow, Evaluation)


def test_the_2023_rows_are_the_results_the_document_quotes_without_targets(liwan):
    rows = {
        r.name: (r.secondary.primary.name, r.unit, r.actual, r.reported_growth)
        for r in liwan.indicator_rows.select_related("secondary__primary")
    }

    assert rows == {
        "年度R&D核定数": ("效益指标", "亿元", Decimal("14.18"), Decimal("9.00")),
        "高新技术企业数量": ("产出指标", "家", Decimal("305"), Decimal("7.40")),
        "科技型中小企业认定入库数量": ("产出指标", "家", Decimal("667"), Decimal("40.40")),
        "省级专精特新企业数量": ("产出指标", "家", Decimal("117"), Decimal("48.10")),
        "创新型企业数量": ("产出指标", "家", Decimal("188"), Decimal("43.50")),
        "互联网和软信规上企业数量": ("产出指标", "家", Decimal("37"), Decimal("32.00")),
        "规上工业增加值": ("效益指标", "亿元", Decimal("241.16"), Decimal("5.60")),
        "软件和信息技术服务业营收增速": ("效益指标", "%", Decimal("15.4"), None),
    }
    assert not liwan.indicator_rows.filter(target__isnull=False).exists()


def test_only_budget_execution_applies_in_2023_so_the_total_is_rescaled_to_its_weight(liwan):
    scorecard = selectors.evaluation_scorecard(evaluation=liwan)

    assert {s.result.label for s in scorecard.rows} == {"未设定目标"}
    assert scorecard.budget.result.score == Decimal("8.74")
    summary = scorecard.summary
    assert (summary.earned, summary.applicable, summary.total) == (
        Decimal("8.74"),
        Decimal("10.00"),
        Decimal("87.40"),
    )
    assert summary.grade == Evaluation.Grade.GOOD
    assert summary.explanation == "得分 8.74，按适用分值 10.00 折算为百分制 87.40。"


def test_the_documents_own_grade_is_kept_with_a_recorded_reason(liwan):
    assert liwan.grade == Evaluation.Grade.EXCELLENT
    assert "未为各项绩效指标设定量化的年度指标值" in liwan.grade_override_reason
    assert selectors.evaluation_scoring_problems(evaluation=liwan) == []


def test_every_fixture_row_satisfies_the_row_rules(liwan):
    call_command("loaddata", "liwan_2024_targets", verbosity=0)

    for row in IndicatorRow.objects.all():
        row.full_clean()


def test_the_2024_draft_holds_the_documents_targets(liwan):
    call_command("loaddata", "liwan_2024_targets", verbosity=0)
    draft = Evaluation.objects.get(department__code="liwan-kgxj", year=2024)

    targets = {r.name: (r.nature, r.target, r.actual) for r in draft.indicator_rows.all()}

    assert draft.status == Evaluation.Status.DRAFT
    assert targets == {
        "国家高新技术企业数量": ("gte", Decimal("380"), None),
        "科技型中小企业入库数量": ("gte", Decimal("700"), None),
        "新增规上科技服务业企业数量": ("gte", Decimal("10"), None),
        "新增规上工业企业数量": ("gte", Decimal("10"), None),
        "新增规上互联网和软信企业数量": ("gte", Decimal("10"), None),
        "省级专精特新企业数量": ("gte", Decimal("140"), None),
        "市级创新型企业数量": ("gte", Decimal("220"), None),
    }
    assert sum(r.weight for r in draft.indicator_rows.all()) == Decimal("50")
    assert selectors.evaluation_scorecard(evaluation=draft).summary.total is None


def test_the_2024_targets_load_on_their_own_and_twice_without_change(db):
    call_command("loaddata", "liwan_2024_targets", verbosity=0)
    counts = [model.objects.count() for model in COUNTED]

    call_command("loaddata", "liwan_2024_targets", verbosity=0)
    call_command("loaddata", "liwan_2023", verbosity=0)
    call_command("loaddata", "liwan_2023", verbosity=0)

    assert counts == [1, 4, 9, 7, 1]
    assert [model.objects.count() for model in COUNTED] == [2, 8, 18, 15, 2]
