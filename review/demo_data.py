"""Synthetic departments and evaluations for demos and load tests (`manage.py generate_demo_data`).

Every object is made by the factories that make the tests' data (`evaluations.factories`,
`indicators.factories`, with their `invented` trait), built in memory rather than created. Why
not their `create()`, which goes through the per-row services: `evaluation_create`,
`evaluation_item_save` and `indicator_row_save` lock the evaluation and check uniqueness with a
query per row, about 40 rows × 5 queries for one evaluation; 1,000 departments × 3 years would
take half an hour. Here every object is checked with the same model rules the services apply —
`clean_fields()` and `clean()` (figures add up, no negative amounts, 定性 tiers, deviation
reasons, framework year) — then written with `bulk_create` and a "新建" history record each.
Uniqueness (codes, years, 序号, 三级指标 names) holds by construction and is enforced by the
database's constraints anyway. The indicator framework of each year is the existing one or the
default, made as in the admin (`IndicatorFrameworkFactory`).

Everything is written in one transaction: a failure leaves nothing behind. The seed makes a run
repeatable (it seeds factory_boy's random generator, which the factories draw from).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import TypeVar

import factory.random
from django.db import models, transaction
from simple_history.utils import bulk_create_with_history

from evaluations.factories import ITEM_FACTORIES, DepartmentFactory, EvaluationFactory
from evaluations.figures import CENT
from evaluations.lists import ORDERED_LISTS
from evaluations.models import Department, Evaluation
from indicators import scoring
from indicators.factories import IndicatorFrameworkFactory, IndicatorRowFactory
from indicators.models import IndicatorRow, SecondaryIndicator

CODE_PREFIX = "demo-"
BATCH = 2000

ModelT = TypeVar("ModelT", bound=models.Model)

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
# How many entries each ordered list gets (evaluations.lists), by accessor.
LIST_LENGTHS: dict[str, tuple[int, int]] = {
    "departmentfunctions": (5, 13),
    "performancegoals": (3, 7),
    "keytasks": (2, 6),
    "problems": (2, 5),
    "improvementmeasures": (2, 5),
}
ROW_COUNT = (6, 12)  # 三级指标 per evaluation
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


def _checked(obj: ModelT, foreign_keys: tuple[str, ...]) -> ModelT:
    # The model rules without a query per object: foreign keys point at objects made here,
    # uniqueness is the database's constraints' job.
    obj.full_clean(exclude=foreign_keys, validate_unique=False, validate_constraints=False)
    return obj


def _split(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` two-decimal shares that add up to it exactly."""
    share = (total / parts).quantize(CENT, rounding=ROUND_DOWN)
    return [share] * (parts - 1) + [total - share * (parts - 1)]


def _indicator_rows(
    evaluation: Evaluation, secondaries: dict[tuple[str, str], SecondaryIndicator]
) -> list[IndicatorRow]:
    """6–12 rows whose 分值 add up to each 一级指标's weight (产出 50, 效益 30, 满意度 10 by
    default), their results drawn by the factory."""
    rng = factory.random.randgen
    by_primary: dict[str, list[tuple]] = {}
    for entry in CATALOGUE:
        by_primary.setdefault(entry[0], []).append(entry)
    while True:  # a few draws at most: 5 to 14 rows could come out
        counts = {
            primary: rng.randint(1 if primary == "满意度指标" else 2, len(entries))
            for primary, entries in by_primary.items()
        }
        if ROW_COUNT[0] <= sum(counts.values()) <= ROW_COUNT[1]:
            break
    chosen: list[tuple[tuple, Decimal]] = []
    for primary, entries in by_primary.items():
        picked = rng.sample(entries, counts[primary])
        weight = secondaries[(primary, picked[0][1])].primary.weight
        chosen += zip(picked, _split(weight, len(picked)), strict=True)
    return [
        IndicatorRowFactory.build(
            evaluation=evaluation,
            secondary=secondaries[(primary, secondary)],
            name=name,
            unit=unit,
            nature=nature,
            target=target,
            weight=weight,
            order=order,
            invented=True,
        )
        for order, ((primary, secondary, name, unit, nature, target), weight) in enumerate(
            chosen, 1
        )
    ]


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
    return DepartmentFactory.build(
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
    factory.random.reseed_random(seed)
    rng = factory.random.randgen
    frameworks: dict[int, tuple[dict, Decimal]] = {}
    for year in years:
        framework = IndicatorFrameworkFactory.create(year=year)
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
        evaluations = [
            EvaluationFactory.build(department=department, year=year, invented=True)
            for department in made
            for year in years
        ]
        rows: list[IndicatorRow] = []
        for evaluation in evaluations:
            secondaries, budget_weight = frameworks[evaluation.year]
            own_rows = _indicator_rows(evaluation, secondaries)
            evaluation.grade = _grade(evaluation, own_rows, budget_weight)
            _checked(evaluation, ("department",))
            rows += own_rows
        bulk_create_with_history(evaluations, Evaluation, batch_size=BATCH)
        items: dict[type[models.Model], list[models.Model]] = {}
        for evaluation in evaluations:
            for entry in ORDERED_LISTS:
                low, high = LIST_LENGTHS[entry.accessor]
                items.setdefault(entry.model, []).extend(
                    _checked(
                        ITEM_FACTORIES[entry.model].build(
                            evaluation=evaluation, order=order, invented=True
                        ),
                        ("evaluation",),
                    )
                    for order in range(1, rng.randint(low, high) + 1)
                )
        for row in rows:
            # The saved evaluation's id, keeping the object itself (no query in clean()).
            row.evaluation = row.evaluation
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
