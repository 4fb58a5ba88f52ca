from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators import services
from indicators.models import IndicatorFramework

pytestmark = pytest.mark.django_db


def test_the_default_framework_follows_cai_yu_2020_10():
    framework = services.framework_create_default(year=2024)

    primaries = [(p.name, p.weight, p.scores_budget_execution) for p in framework.primaries.all()]
    assert primaries == [
        ("产出指标", Decimal("50.00"), False),
        ("效益指标", Decimal("30.00"), False),
        ("满意度指标", Decimal("10.00"), False),
        ("预算执行率", Decimal("10.00"), True),
    ]
    secondaries = {p.name: [s.name for s in p.secondaries.all()] for p in framework.primaries.all()}
    assert secondaries["产出指标"] == ["数量指标", "质量指标", "时效指标", "成本指标"]
    assert secondaries["效益指标"] == [
        "经济效益指标",
        "社会效益指标",
        "生态效益指标",
        "可持续影响指标",
    ]
    assert secondaries["满意度指标"] == ["服务对象满意度指标"]
    assert secondaries["预算执行率"] == []


def test_a_year_has_only_one_framework():
    services.framework_create_default(year=2024)

    with pytest.raises(ValidationError):
        services.framework_create_default(year=2024)
    assert IndicatorFramework.objects.count() == 1


def framework_post(year: int, weights: list[tuple[str, str]]) -> dict[str, object]:
    data: dict[str, object] = {
        "year": year,
        "primaries-TOTAL_FORMS": str(len(weights)),
        "primaries-INITIAL_FORMS": "0",
        "primaries-MIN_NUM_FORMS": "0",
        "primaries-MAX_NUM_FORMS": "1000",
    }
    for index, (name, weight) in enumerate(weights):
        data[f"primaries-{index}-order"] = index + 1
        data[f"primaries-{index}-name"] = name
        data[f"primaries-{index}-weight"] = weight
    data["primaries-3-scores_budget_execution"] = "on" if len(weights) > 3 else ""
    return data


def test_admin_refuses_weights_that_do_not_add_up_to_100_and_names_the_numbers(staff_client):
    data = framework_post(
        2025, [("产出指标", "50"), ("效益指标", "30"), ("满意度指标", "10"), ("预算执行率", "5")]
    )

    response = staff_client.post(reverse("admin:indicators_indicatorframework_add"), data)

    assert response.status_code == 200
    assert (
        "一级指标分值合计应为 100，现为 产出指标 50 + 效益指标 30 + 满意度指标 10 + 预算执行率 5 = 95。"
        in response.content.decode()
    )
    assert not IndicatorFramework.objects.exists()


def test_admin_saves_weights_that_add_up(staff_client):
    data = framework_post(2025, [("产出指标", "60"), ("效益指标", "30"), ("预算执行率", "10")])
    data["primaries-2-scores_budget_execution"] = "on"

    response = staff_client.post(reverse("admin:indicators_indicatorframework_add"), data)

    assert response.status_code == 302
    framework = IndicatorFramework.objects.get(year=2025)
    assert [p.weight for p in framework.primaries.all()] == [
        Decimal("60.00"),
        Decimal("30.00"),
        Decimal("10.00"),
    ]


def test_a_new_framework_left_without_primary_indicators_gets_the_default_one(staff_client):
    response = staff_client.post(
        reverse("admin:indicators_indicatorframework_add"), framework_post(2026, [])
    )

    assert response.status_code == 302
    framework = IndicatorFramework.objects.get(year=2026)
    assert [p.name for p in framework.primaries.all()] == [
        "产出指标",
        "效益指标",
        "满意度指标",
        "预算执行率",
    ]


def test_changing_one_weight_so_the_sum_breaks_is_refused(staff_client):
    framework = services.framework_create_default(year=2024)
    primary = framework.primaries.get(name="满意度指标")
    url = reverse("admin:indicators_primaryindicator_change", args=[primary.pk])
    data = {
        "order": 3,
        "name": "满意度指标",
        "weight": "15",
        "secondaries-TOTAL_FORMS": "0",
        "secondaries-INITIAL_FORMS": "0",
        "secondaries-MIN_NUM_FORMS": "0",
        "secondaries-MAX_NUM_FORMS": "1000",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert "= 105。" in response.content.decode()
    primary.refresh_from_db()
    assert primary.weight == Decimal("10.00")


def test_an_indicator_name_with_a_direction_control_is_refused_on_the_framework_page(staff_client):
    data = framework_post(
        2025, [("产出\u202e指标", "60"), ("效益指标", "30"), ("预算执行率", "10")]
    )
    data["primaries-2-scores_budget_execution"] = "on"

    response = staff_client.post(reverse("admin:indicators_indicatorframework_add"), data)

    assert response.status_code == 200
    assert "不能包含不可见的文字方向控制字符（U+202E" in response.content.decode()
    assert not IndicatorFramework.objects.exists()
