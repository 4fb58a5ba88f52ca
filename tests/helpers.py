"""What tests share besides fixtures: the posts the admin pages expect, indicator rows as the
indicator tests use them, and evaluations of invented departments with hard texts for the
report. Valid objects come from the factories (`evaluations.factories`,
`indicators.factories`); the fixtures are in the conftest files."""

import random
from decimal import Decimal
from pathlib import Path

from evaluations.factories import (
    ITEM_FACTORIES,
    VALID_FIGURES,
    DepartmentFactory,
    DepartmentFunctionFactory,
    EvaluationFactory,
    ImprovementMeasureFactory,
    KeyTaskFactory,
    PerformanceGoalFactory,
    ProblemFactory,
)
from evaluations.lists import ACCESSORS, ORDERED_LISTS
from evaluations.models import Department, Evaluation
from indicators.factories import IndicatorRowFactory
from indicators.models import IndicatorRow, SecondaryIndicator

DATA = Path(__file__).resolve().parent / "data"

# The evaluation page has one inline per ordered list, named after the list's accessor.
INLINE_PREFIXES = ACCESSORS


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


def change_form_data(form, **overrides) -> dict[str, object]:
    """What the browser would post back for a change page: the main form's values plus empty
    (unchanged) inline management forms with the existing rows."""
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None:
            data[name] = value
    evaluation = form.instance
    for prefix in (*INLINE_PREFIXES, "indicator_rows"):
        rows = getattr(evaluation, prefix).all()
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = row.pk
            data[f"{prefix}-{index}-evaluation"] = evaluation.pk
            for field in row._meta.concrete_fields:
                if field.name in {"id", "evaluation"}:
                    continue
                value = getattr(row, field.attname)
                if value is not None:
                    data[f"{prefix}-{index}-{field.name}"] = value
    data.update(overrides)
    return data


def secondary(year: int, primary: str, name: str) -> SecondaryIndicator:
    return SecondaryIndicator.objects.get_by_natural_key(year, primary, name)


def make_row(evaluation: Evaluation, **fields: object) -> IndicatorRow:
    """A saved row under 产出指标 / 数量指标: 392 of a target of 380 家, 分值 8."""
    values: dict[str, object] = {
        "name": "国家高新技术企业数量",
        "target": Decimal("380"),
        "actual": Decimal("392"),
        "weight": Decimal("8"),
        **fields,
    }
    return IndicatorRowFactory.create(evaluation=evaluation, **values)


PHRASES = (
    "推进科技创新体系建设",
    "全年完成投资 12.5 亿元，增长 8.3%",
    "开展“四化”赋能行动",
    "服务企业 1,024 家（次）",
    "落实 R&D 投入加计扣除政策",
    "建成 5G 基站 360 座",
    "提升 https://example.gov.cn 政务服务水平",
    "组织“专精特新”企业培训；",
    "完成《实施方案》编制",
    "同比上升15.4%",
    "强化安全生产主体责任",
)


def _paragraph(rng: random.Random, sentences: int) -> str:
    parts = []
    for _ in range(sentences):
        clause = "，".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 4)))
        parts.append(clause.rstrip("；") + "。")
    return "".join(parts)


def invented_evaluation(
    *,
    code: str = "invented",
    year: int = 2024,
    functions: int = 3,
    goals: int = 7,
    tasks: int = 1,
    problems: int = 5,
    measures: int = 2,
    paragraphs: int = 4,
    seed: int = 1,
) -> Evaluation:
    """An evaluation of an invented department whose lists have the given lengths and whose
    paragraphs mix Chinese, digits, Latin words, quotation marks and brackets."""
    rng = random.Random(seed)
    evaluation = EvaluationFactory.create(
        department=DepartmentFactory.create(
            code=code,
            name="示例新区数据资源和营商环境建设管理局",
            full_name="某某省某某市示例新区数据资源和营商环境建设管理局",
        ),
        year=year,
        figures={
            "budget_total": Decimal("123456.78"),
            "expenditure_total": Decimal("100000.00"),
            "general_public_budget": Decimal("90000.00"),
            "government_fund_budget": Decimal("0"),
            "state_capital_budget": Decimal("2500.50"),
            "other_funds": Decimal("7499.50"),
            "basic_expenditure": Decimal("33333.33"),
            "project_expenditure": Decimal("66666.67"),
            "carryover_balance": Decimal("23456.78"),
        },
        conclusion_summary=_paragraph(rng, 2),
        grade=Evaluation.Grade.GOOD,
        task_analysis="\n".join(_paragraph(rng, rng.randint(1, 9)) for _ in range(paragraphs)),
        achievements="\n".join(_paragraph(rng, rng.randint(3, 12)) for _ in range(paragraphs)),
    )
    for item_factory, count in (
        (DepartmentFunctionFactory, functions),
        (PerformanceGoalFactory, goals),
        (KeyTaskFactory, tasks),
        (ProblemFactory, problems),
    ):
        for order in range(1, count + 1):
            item_factory(
                evaluation=evaluation, order=order, text=_paragraph(rng, rng.randint(1, 6))
            )
    for order in range(1, measures + 1):
        ImprovementMeasureFactory(
            evaluation=evaluation,
            order=order,
            title=f"抓好“{rng.choice(('载体赋能', '数据要素市场化配置改革', '营商环境'))}”",
            body="\n".join(_paragraph(rng, rng.randint(1, 8)) for _ in range(rng.randint(1, 3))),
        )
    return evaluation


HARD_PARAGRAPHS = DATA / "hard_paragraphs.txt"


def hard_paragraphs() -> list[str]:
    """Paragraphs as other departments write them (tests/data/hard_paragraphs.txt)."""
    lines = HARD_PARAGRAPHS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def hard_text_evaluation(*, code: str = "liwan-wgltj", year: int = 2023) -> Evaluation:
    """An invented department whose every text field holds the hard paragraphs: serial
    numbers, URLs, acronyms, long numbers, English, rare characters and emoji."""
    paragraphs = hard_paragraphs()
    evaluation = EvaluationFactory.create(
        department=DepartmentFactory.create(
            code=code, name="区文化广电旅游体育局", full_name="广州市荔湾区文化广电旅游体育局"
        ),
        year=year,
        figures={
            "budget_total": Decimal("123456789.12"),
            "expenditure_total": Decimal("100000000.00"),
            "general_public_budget": Decimal("90000000.00"),
            "government_fund_budget": Decimal("0"),
            "state_capital_budget": Decimal("2500000.50"),
            "other_funds": Decimal("7499999.50"),
            "basic_expenditure": Decimal("33333333.33"),
            "project_expenditure": Decimal("66666666.67"),
            "carryover_balance": Decimal("23456789.12"),
        },
        conclusion_summary=paragraphs[0],
        grade=Evaluation.Grade.GOOD,
        task_analysis="\n".join(paragraphs[1:4]),
        achievements="\n".join(reversed(paragraphs)),
    )
    for entry in ORDERED_LISTS:
        make = ITEM_FACTORIES[entry.model]
        if entry.fields == ("text",):
            for order, text in enumerate(paragraphs, start=1):
                make(evaluation=evaluation, order=order, text=text)
        else:
            for order, text in enumerate(paragraphs[:3], start=1):
                make(
                    evaluation=evaluation, order=order, title=text[:30], body="\n".join(paragraphs)
                )
    return evaluation
