"""Synthetic departments and evaluations for demos and load tests (`manage.py generate_demo_data`).

Why not the per-row services: `evaluation_create`, `evaluation_item_save` and `indicator_row_save`
lock the evaluation and check uniqueness with a query per row, about 40 rows × 5 queries for one
evaluation; 1,000 departments × 3 years would take half an hour. Here every object is built in
memory and checked with the same model rules the services apply — `clean_fields()` and `clean()`
(figures add up, no negative amounts, 定性 tiers, deviation reasons, framework year) — then
written with `bulk_create` and a "新建" history record each. Uniqueness (codes, years, 序号, 三级指标
names) holds by construction and is enforced by the database's constraints anyway. The indicator
framework of each year goes through `framework_create_default`, as in the admin.

Everything is written in one transaction: a failure leaves nothing behind.
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import models, transaction
from simple_history.utils import bulk_create_with_history

from evaluations.models import (
    Department,
    DepartmentFunction,
    Evaluation,
    ImprovementMeasure,
    KeyTask,
    PerformanceGoal,
    Problem,
)
from indicators import scoring
from indicators import services as indicator_services
from indicators.models import IndicatorFramework, IndicatorRow, SecondaryIndicator

CODE_PREFIX = "demo-"
CENT = Decimal("0.01")
BATCH = 2000

CITIES = (
    "广州市",
    "深圳市",
    "珠海市",
    "佛山市",
    "东莞市",
    "中山市",
    "江门市",
    "惠州市",
    "汕头市",
    "肇庆市",
)
DISTRICTS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
BUREAUS = (
    "发展和改革局",
    "教育局",
    "科技工业和信息化局",
    "民政局",
    "财政局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化广电旅游体育局",
    "卫生健康局",
    "应急管理局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理和综合执法局",
    "司法局",
    "退役军人事务局",
)
PHRASES = (
    "贯彻落实区委区政府决策部署",
    "推进重点项目建设",
    "全年完成投资 12.5 亿元，同比增长 8.3%",
    "服务企业 1,024 家（次）",
    "开展“四下基层”活动",
    "落实 R&D 投入加计扣除政策",
    "强化预算绩效管理",
    "完善内部控制制度",
    "提升政务服务“一网通办”水平",
    "组织专题培训 36 场",
    "加强安全生产监督检查",
    "推动《实施方案》落地见效",
    "优化营商环境",
    "做好资金拨付和使用监管",
)
MEASURE_TITLES = (
    "抓好预算执行",
    "强化绩效目标管理",
    "提升资金使用效益",
    "健全内控制度",
    "加强队伍建设",
    "推进信息化建设",
)
# (一级, 二级, 三级, 计量单位, 指标性质, 年度指标值): the catalogue rows are drawn from.
CATALOGUE: tuple[tuple[str, str, str, str, str, Decimal | None], ...] = (
    ("产出指标", "数量指标", "服务企业数量", "家", "gte", Decimal("120")),
    ("产出指标", "数量指标", "开展培训场次", "场", "gte", Decimal("24")),
    ("产出指标", "数量指标", "完成项目个数", "个", "gte", Decimal("15")),
    ("产出指标", "质量指标", "项目验收合格率", "%", "gte", Decimal("95")),
    ("产出指标", "质量指标", "资金支付准确率", "%", "eq", Decimal("100")),
    ("产出指标", "时效指标", "资金拨付及时率", "%", "gte", Decimal("95")),
    ("产出指标", "时效指标", "项目按期完成率", "%", "gte", Decimal("90")),
    ("产出指标", "成本指标", "项目成本控制率", "%", "lte", Decimal("100")),
    ("效益指标", "经济效益指标", "带动社会投资", "亿元", "gte", Decimal("3.5")),
    ("效益指标", "社会效益指标", "惠及群众人数", "万人", "gte", Decimal("8")),
    ("效益指标", "社会效益指标", "政策宣传覆盖情况", "", "qualitative", None),
    ("效益指标", "生态效益指标", "节能减排量", "吨标准煤", "gte", Decimal("500")),
    ("效益指标", "可持续影响指标", "长效管理机制建立情况", "", "qualitative", None),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "%", "gte", Decimal("90")),
)


@dataclass(frozen=True)
class Generated:
    departments: int
    evaluations: int
    list_items: int
    indicator_rows: int


class DemoDataExists(Exception):
    pass


def _checked(obj: models.Model, foreign_keys: tuple[str, ...]) -> models.Model:
    # The model rules without a query per object: foreign keys point at objects made here,
    # uniqueness is the database's constraints' job.
    obj.full_clean(exclude=foreign_keys, validate_unique=False, validate_constraints=False)
    return obj


def _paragraph(rng: random.Random, sentences: int) -> str:
    return "".join(
        "，".join(rng.sample(PHRASES, rng.randint(1, 3))) + "。" for _ in range(sentences)
    )


def _paragraphs(rng: random.Random, low: int, high: int) -> str:
    return "\n".join(_paragraph(rng, rng.randint(2, 5)) for _ in range(rng.randint(low, high)))


def _amount(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _figures(rng: random.Random) -> dict[str, Decimal]:
    """Budget figures that satisfy `figures.budget_errors`: the fund sources and the two natures
    each add up to 执行数 exactly."""
    budget = _amount(Decimal(rng.randint(50_000, 5_000_000)) / 100)
    executed = _amount(budget * Decimal(rng.randint(780, 1000)) / 1000)
    government_fund = _amount(executed * Decimal(rng.choice((0, 0, 0, 5, 12))) / 100)
    other = _amount(executed * Decimal(rng.choice((0, 0, 2, 4))) / 100)
    basic = _amount(executed * Decimal(rng.randint(18, 45)) / 100)
    return {
        "budget_total": budget,
        "expenditure_total": executed,
        "general_public_budget": executed - government_fund - other,
        "government_fund_budget": government_fund,
        "state_capital_budget": Decimal("0.00"),
        "other_funds": other,
        "basic_expenditure": basic,
        "project_expenditure": executed - basic,
        "carryover_balance": budget - executed,
    }


def _split(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` two-decimal shares that add up to it exactly."""
    share = (total / parts).quantize(CENT, rounding=ROUND_DOWN)
    return [share] * (parts - 1) + [total - share * (parts - 1)]


def _indicator_rows(
    rng: random.Random, evaluation: Evaluation, secondaries: dict[tuple[str, str], object]
) -> list[IndicatorRow]:
    """6–12 rows whose 分值 add up to each 一级指标's weight (产出 50, 效益 30, 满意度 10)."""
    by_primary: dict[str, list[tuple]] = {}
    for entry in CATALOGUE:
        by_primary.setdefault(entry[0], []).append(entry)
    chosen: list[tuple] = []
    for primary, entries in by_primary.items():
        low = 1 if primary == "满意度指标" else 2
        chosen += rng.sample(entries, rng.randint(low, len(entries)))
    rows = []
    for order, (primary, secondary, name, unit, nature, target) in enumerate(chosen, 1):
        rows.append(
            IndicatorRow(
                evaluation=evaluation,
                secondary=secondaries[(primary, secondary)],
                name=name,
                unit=unit,
                nature=nature,
                target=target,
                order=order,
                weight=Decimal("0"),
            )
        )
    weights = {"产出指标": Decimal("50"), "效益指标": Decimal("30"), "满意度指标": Decimal("10")}
    for primary, weight in weights.items():
        members = [row for row in rows if row.secondary.primary.name == primary]
        for row, share in zip(members, _split(weight, len(members)), strict=True):
            row.weight = share
    for row in rows:
        if row.nature == IndicatorRow.Nature.QUALITATIVE:
            row.qualitative_tier = rng.choice(("achieved", "achieved", "achieved", "partial"))
            low, high = scoring.TIER_RANGES[row.qualitative_tier]
            row.qualitative_share = Decimal(rng.randint(int(low), int(high)))
        else:
            factor = Decimal(rng.choice((85, 95, 100, 100, 102, 110, 120))) / 100
            if row.nature == IndicatorRow.Nature.EQ:
                factor = Decimal(rng.choice((98, 100, 100, 100))) / 100
            elif row.nature == IndicatorRow.Nature.LTE:
                factor = Decimal(rng.choice((90, 96, 100, 103))) / 100
            row.actual = _amount(row.target * factor)
            row.previous_value = _amount(row.target * Decimal(rng.randint(80, 105)) / 100)
        result = row.result
        if result.score is not None and result.score < row.weight:
            row.deviation_reason = _paragraph(rng, 1)
    return rows


def _grade(evaluation: Evaluation, rows: list[IndicatorRow], budget_weight: Decimal) -> str:
    """The grade the indicator rows and the budget score give, so the typed 自评等级 agrees."""
    budget = scoring.budget_result(completion_rate=evaluation.completion_rate, weight=budget_weight)
    summary = scoring.summarise(rows=[row.result for row in rows], budget=budget)
    return summary.grade or ""


def _department(index: int) -> Department:
    city = CITIES[index // (len(DISTRICTS) * len(BUREAUS)) % len(CITIES)]
    district = DISTRICTS[index // len(BUREAUS) % len(DISTRICTS)]
    bureau = BUREAUS[index % len(BUREAUS)]
    cycle = index // (len(CITIES) * len(DISTRICTS) * len(BUREAUS))
    suffix = f"（{cycle + 1}）" if cycle else ""
    return Department(
        code=f"{CODE_PREFIX}{index + 1:04d}",
        name=f"示例{district}区{bureau}{suffix}",
        full_name=f"{city}示例{district}区{bureau}{suffix}",
    )


def _chunks(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))


@transaction.atomic
def demo_data_generate(
    *,
    departments: int,
    years: list[int],
    seed: int = 2023,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 50,
) -> Generated:
    """Creates `departments` demo departments (codes demo-0001 …), each with an evaluation per
    year: budget figures that add up, the five ordered lists at realistic lengths, 6–12
    indicator rows and a grade matching their score. Refuses when demo departments exist."""
    existing = Department.objects.filter(code__startswith=CODE_PREFIX).count()
    if existing:
        raise DemoDataExists(existing)
    rng = random.Random(seed)
    frameworks: dict[int, tuple[dict, Decimal]] = {}
    for year in years:
        framework = IndicatorFramework.objects.filter(year=year).first()
        if framework is None:
            framework = indicator_services.framework_create_default(year=year)
        secondaries = {
            (s.primary.name, s.name): s
            for s in SecondaryIndicator.objects.filter(primary__framework=framework).select_related(
                "primary__framework"
            )
        }
        budget_weight = next(
            (p.weight for p in framework.primaries.all() if p.scores_budget_execution),
            Decimal("0"),
        )
        frameworks[year] = (secondaries, budget_weight)

    counts = {"evaluations": 0, "items": 0, "rows": 0}
    for indexes in _chunks(departments, chunk):
        made = Department.objects.bulk_create([_checked(_department(i), ()) for i in indexes])
        evaluations = []
        for department in made:
            for year in years:
                evaluation = Evaluation(
                    department=department,
                    year=year,
                    conclusion_summary=_paragraph(rng, 2),
                    task_analysis=_paragraphs(rng, 2, 4),
                    achievements=_paragraphs(rng, 3, 6),
                    **_figures(rng),
                )
                evaluations.append(evaluation)
        items: dict[type[models.Model], list[models.Model]] = {}
        rows: list[IndicatorRow] = []
        for evaluation in evaluations:
            secondaries, budget_weight = frameworks[evaluation.year]
            own_rows = _indicator_rows(rng, evaluation, secondaries)
            evaluation.grade = _grade(evaluation, own_rows, budget_weight)
            _checked(evaluation, ("department",))
            rows += own_rows
        bulk_create_with_history(evaluations, Evaluation, batch_size=BATCH)
        for evaluation in evaluations:
            for model, low, high in (
                (DepartmentFunction, 5, 13),
                (PerformanceGoal, 3, 7),
                (KeyTask, 2, 6),
                (Problem, 2, 5),
            ):
                items.setdefault(model, []).extend(
                    _checked(
                        model(evaluation=evaluation, order=order, text=_paragraph(rng, 2)),
                        ("evaluation",),
                    )
                    for order in range(1, rng.randint(low, high) + 1)
                )
            items.setdefault(ImprovementMeasure, []).extend(
                _checked(
                    ImprovementMeasure(
                        evaluation=evaluation,
                        order=order,
                        title=title,
                        body=_paragraphs(rng, 1, 2),
                    ),
                    ("evaluation",),
                )
                for order, title in enumerate(rng.sample(MEASURE_TITLES, rng.randint(2, 5)), 1)
            )
        for row in rows:
            row.evaluation_id = row.evaluation.pk
            _checked(row, ("evaluation", "secondary"))
        for model, objects in items.items():
            bulk_create_with_history(objects, model, batch_size=BATCH)
            counts["items"] += len(objects)
        bulk_create_with_history(rows, IndicatorRow, batch_size=BATCH)
        counts["evaluations"] += len(evaluations)
        counts["rows"] += len(rows)
        if progress is not None:
            progress(indexes.stop, departments)
    return Generated(
        departments=departments,
        evaluations=counts["evaluations"],
        list_items=counts["items"],
        indicator_rows=counts["rows"],
    )
