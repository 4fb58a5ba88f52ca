"""Valid core data, built one way for the tests, the benches and `generate_demo_data`
(factory_boy; the indicator rows and a complete evaluation are in `indicators.factories`).

`create()` writes through the services, so every object passes the rules the admin applies
(`full_clean`: figures that add up, text rules; the row lock). `build()` gives unsaved objects,
which `review.demo_data` checks with the same model rules and writes in bulk.

Every value is fixed by default: tests assert on them. The `invented` trait draws texts and
figures from factory_boy's random generator instead (`factory.random.reseed_random(seed)` makes
a run repeatable).
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import factory
import factory.random
from factory.django import DjangoModelFactory

from evaluations import services
from evaluations.figures import CENT
from evaluations.lists import ORDERED_LISTS
from evaluations.models import (
    AMOUNT_FIELDS,
    Department,
    DepartmentFunction,
    Evaluation,
    ImprovementMeasure,
    KeyTask,
    OrderedItem,
    PerformanceGoal,
    Problem,
)

# The figures of the Liwan 2023 document: fund sources and natures each add up to 执行数,
# 完成率 87.4%.
VALID_FIGURES: dict[str, Decimal] = {
    "budget_total": Decimal("8727.19"),
    "expenditure_total": Decimal("7627.19"),
    "general_public_budget": Decimal("7627.19"),
    "government_fund_budget": Decimal("0"),
    "state_capital_budget": Decimal("0"),
    "other_funds": Decimal("0"),
    "basic_expenditure": Decimal("2555.62"),
    "project_expenditure": Decimal("5071.57"),
    "carryover_balance": Decimal("0"),
}

# What invented texts are made of.
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


def invented_paragraph(sentences: int) -> str:
    rng = factory.random.randgen
    return "".join(
        "，".join(rng.sample(PHRASES, rng.randint(1, 3))) + "。" for _ in range(sentences)
    )


def invented_paragraphs(low: int, high: int) -> str:
    """Between `low` and `high` paragraphs, one a line."""
    rng = factory.random.randgen
    return "\n".join(invented_paragraph(rng.randint(2, 5)) for _ in range(rng.randint(low, high)))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def invented_figures() -> dict[str, Decimal]:
    """Budget figures that satisfy `figures.budget_errors`: the fund sources and the two natures
    each add up to 执行数 exactly; 78–100 % of the budget executed."""
    rng = factory.random.randgen
    budget = cents(Decimal(rng.randint(50_000, 5_000_000)) / 100)
    executed = cents(budget * Decimal(rng.randint(780, 1000)) / 1000)
    government_fund = cents(executed * Decimal(rng.choice((0, 0, 0, 5, 12))) / 100)
    other = cents(executed * Decimal(rng.choice((0, 0, 2, 4))) / 100)
    basic = cents(executed * Decimal(rng.randint(18, 45)) / 100)
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


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept-{n + 1:04d}")
    name = factory.Sequence(lambda n: f"示例{n + 1}局")
    full_name = factory.LazyAttribute(lambda o: f"广州市{o.name}")

    @classmethod
    def _create(cls, model_class: type[Department], *args: Any, **kwargs: Any) -> Department:
        return services.department_create(**kwargs)


def _one_entry_in_each_list(evaluation: Evaluation, create: bool, extracted: Any) -> None:
    if create:
        for entry in ORDERED_LISTS:
            ITEM_FACTORIES[entry.model](evaluation=evaluation)


class EvaluationFactory(DjangoModelFactory[Evaluation]):
    """A draft whose budget figures add up: VALID_FIGURES unless `figures=` (all nine) or single
    figures are given; none with `blank=True`. `filled_in=True` adds the narrative, a grade and
    one entry in every ordered list: all that submission asks of the evaluation's own data (the
    indicator rows it also asks for come with `indicators.factories.CompleteEvaluationFactory`)."""

    class Meta:
        model = Evaluation
        skip_postgeneration_save = True  # the entries are saved by their own service

    class Params:
        # A draft as 增加 leaves it before any figure is typed.
        blank = factory.Trait(figures=dict.fromkeys(AMOUNT_FIELDS))
        filled_in = factory.Trait(
            conclusion_summary="各项工作完成较好。",
            grade=Evaluation.Grade.EXCELLENT,
            task_analysis="分析一段。",
            achievements="成效一段。",
            lists=factory.PostGeneration(_one_entry_in_each_list),
        )
        invented = factory.Trait(
            figures=factory.LazyFunction(invented_figures),
            conclusion_summary=factory.LazyFunction(lambda: invented_paragraph(2)),
            task_analysis=factory.LazyFunction(lambda: invented_paragraphs(2, 4)),
            achievements=factory.LazyFunction(lambda: invented_paragraphs(3, 6)),
        )

    department = factory.SubFactory(DepartmentFactory)
    year = 2023
    figures = VALID_FIGURES  # the nine amounts, each of which may also be given alone

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        return {**kwargs.pop("figures"), **kwargs}

    @classmethod
    def _create(cls, model_class: type[Evaluation], *args: Any, **kwargs: Any) -> Evaluation:
        return services.evaluation_save(evaluation=model_class(*args, **kwargs))


class OrderedItemFactory(DjangoModelFactory[OrderedItem]):
    """An entry of an ordered list: 序号 1 unless `order=` is given."""

    class Meta:
        abstract = True

    evaluation = factory.SubFactory(EvaluationFactory)
    order = 1

    @classmethod
    def _create(cls, model_class: type[OrderedItem], *args: Any, **kwargs: Any) -> OrderedItem:
        return services.evaluation_item_save(item=model_class(**kwargs))


class OrderedTextFactory(OrderedItemFactory):
    class Meta:
        abstract = True

    class Params:
        invented = factory.Trait(text=factory.LazyFunction(lambda: invented_paragraph(2)))

    text = "一项内容。"


# The one-text lists differ only in their model.
DepartmentFunctionFactory = factory.make_factory(
    DepartmentFunction, FACTORY_CLASS=OrderedTextFactory
)
PerformanceGoalFactory = factory.make_factory(PerformanceGoal, FACTORY_CLASS=OrderedTextFactory)
KeyTaskFactory = factory.make_factory(KeyTask, FACTORY_CLASS=OrderedTextFactory)
ProblemFactory = factory.make_factory(Problem, FACTORY_CLASS=OrderedTextFactory)


class ImprovementMeasureFactory(OrderedItemFactory):
    class Meta:
        model = ImprovementMeasure

    class Params:
        # Titles in turn: an evaluation's few entries never repeat one.
        invented = factory.Trait(
            title=factory.Iterator(MEASURE_TITLES),
            body=factory.LazyFunction(lambda: invented_paragraphs(1, 2)),
        )

    title = "抓好落实"
    body = "措施。"


# The factory of each list of evaluations.lists.ORDERED_LISTS.
ITEM_FACTORIES: dict[type[OrderedItem], type[OrderedItemFactory]] = {
    factory_class._meta.model: factory_class
    for factory_class in (
        DepartmentFunctionFactory,
        PerformanceGoalFactory,
        KeyTaskFactory,
        ProblemFactory,
        ImprovementMeasureFactory,
    )
}
