"""Valid evaluations built through the services, for tests that need more than the fixture."""

import random
from decimal import Decimal
from pathlib import Path

from evaluations import services
from evaluations.models import (
    DepartmentFunction,
    Evaluation,
    ImprovementMeasure,
    KeyTask,
    PerformanceGoal,
    Problem,
)

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
    department = services.department_create(
        code=code,
        name="示例新区数据资源和营商环境建设管理局",
        full_name="某某省某某市示例新区数据资源和营商环境建设管理局",
    )
    evaluation = services.evaluation_create(
        department=department,
        year=year,
        budget_total=Decimal("123456.78"),
        expenditure_total=Decimal("100000.00"),
        general_public_budget=Decimal("90000.00"),
        government_fund_budget=Decimal("0"),
        state_capital_budget=Decimal("2500.50"),
        other_funds=Decimal("7499.50"),
        basic_expenditure=Decimal("33333.33"),
        project_expenditure=Decimal("66666.67"),
        carryover_balance=Decimal("23456.78"),
        conclusion_summary=_paragraph(rng, 2),
        grade=Evaluation.Grade.GOOD,
        task_analysis="\n".join(_paragraph(rng, rng.randint(1, 9)) for _ in range(paragraphs)),
        achievements="\n".join(_paragraph(rng, rng.randint(3, 12)) for _ in range(paragraphs)),
    )
    for model, count in (
        (DepartmentFunction, functions),
        (PerformanceGoal, goals),
        (KeyTask, tasks),
        (Problem, problems),
    ):
        for order in range(1, count + 1):
            services.evaluation_item_save(
                item=model(
                    evaluation=evaluation, order=order, text=_paragraph(rng, rng.randint(1, 6))
                )
            )
    for order in range(1, measures + 1):
        services.evaluation_item_save(
            item=ImprovementMeasure(
                evaluation=evaluation,
                order=order,
                title=f"抓好“{rng.choice(('载体赋能', '数据要素市场化配置改革', '营商环境'))}”",
                body="\n".join(
                    _paragraph(rng, rng.randint(1, 8)) for _ in range(rng.randint(1, 3))
                ),
            )
        )
    return evaluation


HARD_PARAGRAPHS = Path(__file__).resolve().parent / "data" / "hard_paragraphs.txt"


def hard_paragraphs() -> list[str]:
    """Paragraphs as other departments write them (tests/data/hard_paragraphs.txt)."""
    lines = HARD_PARAGRAPHS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def hard_text_evaluation(*, code: str = "liwan-wgltj", year: int = 2023) -> Evaluation:
    """An invented department whose every text field holds the hard paragraphs: serial
    numbers, URLs, acronyms, long numbers, English, rare characters and emoji."""
    paragraphs = hard_paragraphs()
    department = services.department_create(
        code=code, name="区文化广电旅游体育局", full_name="广州市荔湾区文化广电旅游体育局"
    )
    evaluation = services.evaluation_create(
        department=department,
        year=year,
        budget_total=Decimal("123456789.12"),
        expenditure_total=Decimal("100000000.00"),
        general_public_budget=Decimal("90000000.00"),
        government_fund_budget=Decimal("0"),
        state_capital_budget=Decimal("2500000.50"),
        other_funds=Decimal("7499999.50"),
        basic_expenditure=Decimal("33333333.33"),
        project_expenditure=Decimal("66666666.67"),
        carryover_balance=Decimal("23456789.12"),
        conclusion_summary=paragraphs[0],
        grade=Evaluation.Grade.GOOD,
        task_analysis="\n".join(paragraphs[1:4]),
        achievements="\n".join(reversed(paragraphs)),
    )
    for model in (DepartmentFunction, PerformanceGoal, KeyTask, Problem):
        for order, text in enumerate(paragraphs, start=1):
            services.evaluation_item_save(item=model(evaluation=evaluation, order=order, text=text))
    for order, text in enumerate(paragraphs[:3], start=1):
        services.evaluation_item_save(
            item=ImprovementMeasure(
                evaluation=evaluation, order=order, title=text[:30], body="\n".join(paragraphs)
            )
        )
    return evaluation
