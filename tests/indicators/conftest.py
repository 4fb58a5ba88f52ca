from decimal import Decimal
from pathlib import Path

from evaluations.models import Evaluation
from indicators import services
from indicators.models import IndicatorRow, SecondaryIndicator

DATA = Path(__file__).resolve().parents[1] / "data"


def secondary(year: int, primary: str, name: str) -> SecondaryIndicator:
    return SecondaryIndicator.objects.get_by_natural_key(year, primary, name)


def make_row(evaluation: Evaluation, **fields: object) -> IndicatorRow:
    values: dict[str, object] = {
        "secondary": secondary(evaluation.year, "产出指标", "数量指标"),
        "name": "国家高新技术企业数量",
        "unit": "家",
        "nature": IndicatorRow.Nature.GTE,
        "target": Decimal("380"),
        "actual": Decimal("392"),
        "weight": Decimal("8"),
        "order": 1,
        **fields,
    }
    return services.indicator_row_save(row=IndicatorRow(evaluation=evaluation, **values))
