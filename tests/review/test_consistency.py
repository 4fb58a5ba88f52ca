"""The consistency check of an evaluation's free text against its figures ("两张皮"): Liwan 2023
as published raises nothing, a contradiction planted anywhere is found at its field, a figure
written another way is not, and figures copied from last year are pointed out."""

import dataclasses
from decimal import Decimal

import pytest

from evaluations.factories import EvaluationFactory, KeyTaskFactory
from evaluations.lists import ORDERED_LISTS
from evaluations.models import Evaluation
from evaluations.selectors import evaluations_for_report
from review.consistency.check import Facts, Text, find_inconsistencies
from review.consistency.rules import RULES
from review.consistency.selectors import evaluation_inconsistencies

pytestmark = pytest.mark.django_db

# Where a sentence is planted: a field of the evaluation, or "<list accessor>:<序号>[:<field>]".
ANCHORS = {
    "conclusion_summary": "id_conclusion_summary",
    "task_analysis": "id_task_analysis",
    "achievements": "id_achievements",
    "performancegoals:1": "id_performancegoals-0-text",
    "keytasks:2": "id_keytasks-1-text",
    "problems:2": "id_problems-1-text",
    "improvementmeasures:1:title": "id_improvementmeasures-0-title",
    "improvementmeasures:3:body": "id_improvementmeasures-2-body",
}
PLACES = {
    "conclusion_summary": "自评结论综述",
    "task_analysis": "各重点工作任务绩效目标完成情况分析",
    "achievements": "主要工作成效",
    "performancegoals:1": "部门整体支出绩效目标 第 1 项",
    "keytasks:2": "部门年度重点工作任务 第 2 项",
    "problems:2": "存在的主要问题 第 2 项",
    "improvementmeasures:1:title": "下一步改进措施 第 1 项（标题）",
    "improvementmeasures:3:body": "下一步改进措施 第 3 项（内容）",
}


def plant(evaluation: Evaluation, where: str, sentence: str) -> None:
    """Appends `sentence` to the text at `where` (a key of ANCHORS) and saves it."""
    accessor, _, rest = where.partition(":")
    if not rest:
        setattr(evaluation, where, getattr(evaluation, where) + sentence)
        evaluation.save()
        return
    order, _, field = rest.partition(":")
    item = getattr(evaluation, accessor).get(order=int(order))
    setattr(item, field or "text", getattr(item, field or "text") + sentence)
    item.save()


def test_liwan_2023_as_published_raises_nothing(liwan):
    assert evaluation_inconsistencies(evaluation=liwan) == []


# (where, planted sentence, rule, written, computed): Liwan's 全年预算数 8727.19, 执行数 7627.19,
# 完成率 87.4 %, 结转结余 0.00, total 87.40 (良好, typed 优秀 with a reason), 4 tasks, 4 goals,
# 2 problems.
CONTRADICTIONS = [
    ("conclusion_summary", "全年预算执行率为90%。", "completion_rate", "90%", "87.4%"),
    ("conclusion_summary", "预算执行率为百分之九十。", "completion_rate", "百分之九十", "87.4%"),
    ("task_analysis", "执行率达到 90.0%。", "completion_rate", "90.0%", "87.4%"),
    ("achievements", "完成预算的 88%。", "completion_rate", "88%", "87.4%"),
    ("keytasks:2", "预算执行率为９０％。", "completion_rate", "９０％", "87.4%"),
    ("improvementmeasures:1:title", "预算执行率90%", "completion_rate", "90%", "87.4%"),
    ("conclusion_summary", "全年预算数 8700 万元。", "budget_total", "8700 万元", "8727.19 万元"),
    ("task_analysis", "预算总额为8,727.91万元。", "budget_total", "8,727.91万元", "8727.19 万元"),
    (
        "achievements",
        "年度预算八千七百万元。",
        "budget_total",
        "八千七百万元",
        "8727.19 万元",
    ),
    ("problems:2", "部门预算0.80亿元。", "budget_total", "0.80亿元", "8727.19 万元"),
    ("conclusion_summary", "全年支出7000万元。", "expenditure_total", "7000万元", "7627.19 万元"),
    ("task_analysis", "执行数 7627.91 万元。", "expenditure_total", "7627.91 万元", "7627.19 万元"),
    (
        "performancegoals:1",
        "实际支出8727.19万元。",
        "expenditure_total",
        "8727.19万元",
        "7627.19 万元",
    ),
    (
        "improvementmeasures:3:body",
        "支出总额七千六百万元。",
        "expenditure_total",
        "七千六百万元",
        "7627.19 万元",
    ),
    (
        "conclusion_summary",
        "年末结转和结余 1100 万元。",
        "carryover_balance",
        "1100 万元",
        "0.00 万元",
    ),
    ("achievements", "结转结余资金为100万元。", "carryover_balance", "100万元", "0.00 万元"),
    ("problems:2", "年末结余资金 50.5 万元。", "carryover_balance", "50.5 万元", "0.00 万元"),
    ("conclusion_summary", "自评得分90分。", "total_score", "90分", "87.40 分"),
    ("task_analysis", "总分为八十七点五分。", "total_score", "八十七点五分", "87.40 分"),
    ("keytasks:2", "综合得分 88 分。", "total_score", "88 分", "87.40 分"),
    ("conclusion_summary", "自评等级为中。", "grade", "中", "良好"),
    ("achievements", "评价结果为“差”。", "grade", "差", "良好"),
    ("task_analysis", "自评结论为中等。", "grade", "中等", "良好"),
    ("improvementmeasures:3:body", "部门整体支出绩效评为“中”。", "grade", "中", "良好"),
    ("conclusion_summary", "完成五项重点工作。", "key_tasks", "五项", "4 项"),
    ("task_analysis", "完成5项重点工作任务。", "key_tasks", "5项", "4 项"),
    ("performancegoals:1", "重点工作任务共3项。", "key_tasks", "3项", "4 项"),
    ("achievements", "全年设定了3个绩效目标。", "goals", "3个", "4 项"),
    ("keytasks:2", "围绕两项部门整体支出绩效目标。", "goals", "两项", "4 项"),
    ("conclusion_summary", "存在三方面问题。", "problems", "三方面", "2 项"),
    ("problems:2", "主要有3个问题。", "problems", "3个", "2 项"),
    ("improvementmeasures:3:body", "存在的主要问题有一个方面。", "problems", "一个方面", "2 项"),
]


@pytest.mark.parametrize(("where", "sentence", "rule", "written", "computed"), CONTRADICTIONS)
def test_a_planted_contradiction_is_found_at_its_field(
    liwan, where, sentence, rule, written, computed
):
    plant(liwan, where, sentence)

    findings = evaluation_inconsistencies(evaluation=liwan)

    assert [(f.rule_key, f.written, f.computed) for f in findings] == [(rule, written, computed)]
    finding = findings[0]
    assert finding.anchor == ANCHORS[where]
    assert finding.place == PLACES[where]
    assert finding.sentence.endswith(sentence.removesuffix("。"))
    assert finding.message.startswith(f"{PLACES[where]}：")


def test_the_message_names_the_place_the_sentence_and_both_values(liwan):
    plant(liwan, "conclusion_summary", "全年预算执行率为90%。")

    [finding] = evaluation_inconsistencies(evaluation=liwan)

    assert finding.message == (
        "自评结论综述：“全年预算执行率为90%”写的预算执行率为 90%，按收支数据计算为 87.4%。"
    )
    assert liwan.conclusion_summary[finding.start : finding.end] == "全年预算执行率为90%"


def test_a_long_sentence_is_quoted_around_the_statement(liwan):
    plant(liwan, "achievements", "在区委区政府的坚强领导下，全局上下团结一心、攻坚克难，" * 3)
    plant(liwan, "achievements", "全年预算执行率为90%，较好完成了各项任务。")

    [finding] = evaluation_inconsistencies(evaluation=liwan)

    assert finding.message == (
        "主要工作成效：“…，全局上下团结一心、攻坚克难，全年预算执行率为90%，较好完成了各项任务”"
        "写的预算执行率为 90%，按收支数据计算为 87.4%。"
    )


def test_a_grade_contradicting_the_computed_and_the_recorded_grade_names_both(liwan):
    plant(liwan, "conclusion_summary", "自评等级为中。")

    [finding] = evaluation_inconsistencies(evaluation=liwan)

    assert finding.message == (
        "自评结论综述：“自评等级为中”写的自评等级为“中”，按指标得分计算为“良好”，"
        "等级调整说明所记录的自评等级为“优秀”。"
    )


# Statements that agree with Liwan's figures, written another way, and the traps of its own
# text and of real reports: parts of the budget, other years, plans, hedges, other rates.
AGREEMENTS = [
    "执行率87.4%。",
    "预算执行率为87%。",
    "预算执行率为87.40%。",
    "完成预算的百分之八十七点四。",
    "执行率达到百分之八十七点四。",
    "2023 年预算执行率为 87.4%。",
    "与 2022 年相比，2023 年预算执行率为 87.4%。",
    "全年预算数 8727.19 万元。",
    "预算总额为8,727.19万元。",
    "年度预算八千七百二十七点一九万元。",
    "调整后全年预算 8727.2 万元。",
    "部门预算0.87亿元。",
    "全年支出7627.19万元。",
    "实际支出7627.2万元。",
    "执行数 7627 万元。",
    "预算执行数7627.19万元。",
    "年末结转和结余 0.00 万元。",
    "结转结余资金为0万元。",
    "自评得分87.4分。",
    "总分为八十七点四分。",
    "总分100分，自评得分87.40分。",
    "自评等级为“优秀”。",
    "自评结论为良好。",
    "完成4项重点工作任务。",
    "完成四项重点工作。",
    "设定了4个绩效目标。",
    "存在两方面问题。",
    "主要有2个问题。",
    # Parts of the total, not the total.
    "一般公共预算财政拨款支出 7627.19 万元。",
    "一般公共预算执行数 7627.19 万元。",
    "政府性基金预算财政拨款支出 0 万元。",
    "基本支出 2555.62 万元，项目支出 5071.57 万元。",
    "其他资金支出 0 万元。",
    "项目支出预算数 5071.57 万元。",
    "全年政府采购预算300万元，实际采购290万元。",
    "政府采购预算数 300 万元。",
    "专项资金执行率为 95%。",
    "项目资金累计支出 300 万元。",
    "预算执行率指标得分 8.74 分。",
    # Other years, plans, hedges.
    "2022 年预算执行率为 95%。",
    "上年结转结余 100 万元。",
    "年初预算 8000 万元。",
    "力争 2024 年预算执行率达到 95% 以上。",
    "全年预算执行率约90%。",
    "全年支出近8000万元。",
    "全年支出7600余万元。",
    "下一步将完成5项重点工作。",
    # Other rates, scores, counts and grades.
    "入库完成率排名全市第三。",
    "出租率从 50%上升至近 80%。",
    "增长 9%，增速 5.6%。",
    "全年完成投资 12.5 亿元，同比增长 8.3%。",
    "自评得分率87.4%。",
    "服务对象满意度综合得分 95 分。",
    "把招商引资作为一项重点工作。",
    "其中 2 项重点工作已完成。",
    "细化等四项重要任务。",
    "解决群众反映的 120 个问题。",
    "审计发现存在3个问题，已全部整改。",
    "围绕全区三大重点任务。",
    "设定了12个三级指标。",
    # 中 and 差 only as grades.
    "推进中小企业服务中心建设。",
    "其中，自评等级为良好。",
    "评价结果中，存在一些不足。",
    "评价结果为差异化管理提供依据。",
    "被评为优秀企业。",
    "年度考核等次为优秀。",
    "群众评价良好。",
]


@pytest.mark.parametrize("sentence", AGREEMENTS)
def test_a_planted_statement_that_agrees_is_not_flagged(liwan, sentence):
    plant(liwan, "conclusion_summary", sentence)

    assert evaluation_inconsistencies(evaluation=liwan) == []


def test_a_count_follows_the_list(liwan):
    plant(liwan, "conclusion_summary", "完成5项重点工作。")
    assert [f.rule_key for f in evaluation_inconsistencies(evaluation=liwan)] == ["key_tasks"]

    KeyTaskFactory(evaluation=liwan, order=5, text="第五项任务。")

    assert evaluation_inconsistencies(evaluation=liwan) == []


def test_a_count_of_an_empty_list_is_left_to_the_checklist(liwan):
    liwan.problems.all().delete()
    plant(liwan, "conclusion_summary", "存在两方面问题。")

    assert evaluation_inconsistencies(evaluation=liwan) == []


def test_a_blank_figure_is_not_compared(liwan):
    liwan.budget_total = None
    liwan.save()
    plant(liwan, "conclusion_summary", "全年预算数 8700 万元，预算执行率为90%。")

    assert evaluation_inconsistencies(evaluation=liwan) == []


# --- 自评等级 ---------------------------------------------------------------------------------


def test_a_grade_matching_the_computed_grade_without_a_reason_is_clean(liwan):
    liwan.grade = Evaluation.Grade.GOOD
    liwan.grade_override_reason = ""
    liwan.conclusion_summary = "2023 年度各重点工作任务完成较好，部门整体支出绩效自评良好。"
    liwan.save()

    assert evaluation_inconsistencies(evaluation=liwan) == []


@pytest.mark.parametrize("typed", [Evaluation.Grade.EXCELLENT, Evaluation.Grade.GOOD])
def test_excellent_in_the_text_against_a_computed_good_without_a_reason_is_flagged(liwan, typed):
    liwan.grade = typed
    liwan.grade_override_reason = ""
    liwan.save()

    [finding] = evaluation_inconsistencies(evaluation=liwan)

    assert (finding.rule_key, finding.written, finding.computed) == ("grade", "优秀", "良好")
    assert finding.anchor == "id_conclusion_summary"
    assert finding.message == (
        "自评结论综述：“2023 年度各重点工作任务完成较好，部门整体支出绩效自评优秀”"
        "写的自评等级为“优秀”，按指标得分计算为“良好”。"
    )


def test_the_grade_recorded_with_a_reason_is_accepted(liwan):
    assert liwan.grade == Evaluation.Grade.EXCELLENT
    assert liwan.grade_override_reason

    assert evaluation_inconsistencies(evaluation=liwan) == []


# --- figures copied from last year --------------------------------------------------------------


def previous_year(liwan: Evaluation, **figures: Decimal) -> Evaluation:
    """Liwan's 2022 evaluation: figures that add up, differing from 2023's in all but
    `figures`'s overrides."""
    values = {
        "budget_total": Decimal("9000.00"),
        "expenditure_total": Decimal("8000.00"),
        "general_public_budget": Decimal("8000.00"),
        "government_fund_budget": Decimal("0"),
        "state_capital_budget": Decimal("0"),
        "other_funds": Decimal("0"),
        "basic_expenditure": Decimal("2000.00"),
        "project_expenditure": Decimal("6000.00"),
        "carryover_balance": Decimal("0"),
    }
    values.update(figures)
    return EvaluationFactory(department=liwan.department, year=2022, figures=values)


def test_an_expenditure_equal_to_last_years_is_flagged_as_possibly_copied(liwan):
    previous_year(
        liwan,
        expenditure_total=Decimal("7627.19"),
        general_public_budget=Decimal("7627.19"),
        project_expenditure=Decimal("5627.19"),
    )

    [finding] = evaluation_inconsistencies(evaluation=liwan)

    assert finding.rule_key == "copied_figure"
    assert finding.anchor == "id_expenditure_total"
    assert finding.message == "执行数 7627.19 万元与 2022 年度完全相同，请确认不是照抄上年数据。"


def test_figures_different_from_last_years_are_not_flagged(liwan):
    previous_year(liwan)

    assert evaluation_inconsistencies(evaluation=liwan) == []


def test_every_repeated_non_zero_figure_is_flagged_and_a_repeated_zero_is_not(liwan):
    # The factory's default figures are Liwan's: everything repeated, 结转结余 0.00 too.
    EvaluationFactory(department=liwan.department, year=2022)

    findings = evaluation_inconsistencies(evaluation=liwan)

    assert [f.anchor for f in findings] == [
        "id_budget_total",
        "id_expenditure_total",
        "id_basic_expenditure",
        "id_project_expenditure",
    ]


def test_another_departments_evaluation_of_last_year_is_not_compared(liwan):
    EvaluationFactory(year=2022)

    assert evaluation_inconsistencies(evaluation=liwan) == []


# --- reads --------------------------------------------------------------------------------------


def test_a_loaded_evaluation_is_checked_in_a_fixed_few_queries(liwan, django_assert_num_queries):
    loaded = evaluations_for_report().get(pk=liwan.pk)

    # The scorecard's indicator rows and framework (with its indicators), last year's
    # evaluation; no list is read again.
    with django_assert_num_queries(5):
        evaluation_inconsistencies(evaluation=loaded)


def test_an_evaluation_not_loaded_reads_each_checked_list_once(liwan, django_assert_num_queries):
    with django_assert_num_queries(5 + 4):
        evaluation_inconsistencies(evaluation=liwan)


# --- the rules as data --------------------------------------------------------------------------


def test_every_rule_names_a_fact_and_a_value_group():
    fields = {field.name for field in dataclasses.fields(Facts)}

    assert len({rule.key for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.fact in fields, rule.key
        assert all("value" in pattern.groupindex for pattern in rule.patterns), rule.key


def test_the_texts_checked_are_in_the_order_of_the_report():
    facts = Facts(
        year=2023,
        budget_total=Decimal("100.00"),
        expenditure_total=Decimal("90.00"),
        carryover_balance=Decimal("0.00"),
        completion_rate=Decimal("90.0"),
        total_score=None,
        grade=None,
        grade_label=None,
        recorded_grade=None,
        recorded_grade_label=None,
        key_tasks=1,
        goals=1,
        problems=1,
    )
    texts = [
        Text("a", "甲", "id_a", "预算执行率为 80%，全年预算数 90 万元。"),
        Text("b", "乙", "id_b", "执行数 80 万元。"),
    ]

    findings = find_inconsistencies(facts, texts)

    assert [(f.place, f.rule_key) for f in findings] == [
        ("甲", "completion_rate"),
        ("甲", "budget_total"),
        ("乙", "expenditure_total"),
    ]


def test_the_checked_lists_are_ordered_lists_of_an_evaluation():
    accessors = {entry.accessor for entry in ORDERED_LISTS}

    assert {"performancegoals", "keytasks", "problems", "improvementmeasures"} <= accessors
