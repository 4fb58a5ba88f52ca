"""What the prose of an evaluation may state about its figures, as data: each rule names a fact
(`check.Facts`), the phrases that state it, and the words that, just before a phrase, make it
about something else. Adding a rule is adding an entry to RULES (and, for a new fact, a field
to `Facts`).

Every pattern has a named group `value` (the number, percentage or grade word), and `unit` when
the unit is part of what was written ("万元", "分", "项"). The groups `approx` (约, 近, 超过…),
`around` (余, 多) and `bound` (左右, 以上…) mark a hedged figure, which the check leaves alone.

Patterns are matched sentence by sentence, so `\\s` never crosses a line.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from review.consistency.numbers import NUMBER, PERCENT

Kind = Literal["amount", "percent", "score", "count", "grade"]


@dataclass(frozen=True)
class Rule:
    key: str
    label: str  # how the message names what was written: “写的预算执行率为 90%”
    kind: Kind
    patterns: tuple[re.Pattern[str], ...]
    fact: str  # the attribute of check.Facts the written value is compared with
    basis: str  # how the message introduces the computed value: “按收支数据计算为 87.4%”
    # Words that, ending the text just before a match, make it about something else:
    # 项目支出 is not 执行数, 上年结转结余 not this year's.
    not_after: tuple[str, ...] = ()
    # Allowed difference beyond the written precision, in the written unit (0: the computed
    # value rounded to the precision written must equal the written value).
    tolerance: Decimal = Decimal("0")


def _compiled(*sources: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(source) for source in sources)


# Between a keyword and its figure: "为", "达到", "：", or nothing.
IS = r"\s*(?:为|是|达到了|达到|达|共计|合计|总计|共|计|：|:)?\s*"
APPROX = r"(?P<approx>大约|约为|约|将近|接近|近|超过|超出|超|逾|不足|不到|高于|低于)?"
BOUND = r"(?P<bound>左右|以上|以下|以内)?"
AMOUNT = rf"{IS}{APPROX}\s*(?P<value>{NUMBER})\s*(?P<around>余|多)?\s*(?P<unit>万元|亿元|元){BOUND}"
RATE = rf"{IS}{APPROX}\s*(?P<value>{PERCENT}){BOUND}"
SCORE = rf"{IS}{APPROX}\s*(?P<value>{NUMBER})\s*(?P<unit>分)(?![值钟之]){BOUND}"
# A count: approximations before the number, "余" / "多" after it ("10 余项").
COUNT = rf"{APPROX}\s*(?P<value>{NUMBER})\s*(?P<around>余|多)?\s*"

# Before a figure, what makes it a part (a fund source, a nature, a project) or another year's.
PARTS = (
    "基本",
    "项目",
    "拨款",
    "资金",
    "经费",
    "人员",
    "公用",
    "公共",
    "基金",
    "经营",
    "其他",
    "专项",
    "财政",
    "三公",
    "收入",
)
OTHER_TIME = ("上年", "去年", "上一年", "上年度", "年初", "以前年度", "往年", "同期")
# Before a count, what makes it a part of the list ("其中 2 项") or a figure of speech
# ("作为一项重点工作").
SUBSET = (
    "作为",
    "列为",
    "列入",
    "其中",
    "第",
    "每",
    "前",
    "后",
    "另",
    "又",
    "这",
    "此",
    "该",
    "之",
)

OPEN_QUOTE = "[“\"「『‘']"
CLOSE_QUOTE = "[”\"」』’']"
# After a grade word: the end of the clause, or 等级/等次 ("自评优秀等次"); never more text,
# which would make "优秀" part of "优秀企业".
GRADE_END = r"(?=[\s，,。；;！？!?、）)]|$|等级|等次|档次)"
STRONG_GRADE = "(?P<value>优秀|良好)"
# "中" and "差" are grades only when introduced ("为", a quote): "其中", "中小企业", "评价结果中".
WEAK_GRADE = "(?P<value>中等|中|较差|差)"
GRADE_CONTEXT = (
    r"(?:(?:部门整体支出)?(?:绩效)?(?:自评|评价|评定|综合评价|综合评定)"
    r"(?:结果|结论|等级|等次|档次)|(?:自评|评价|评定)?(?:等级|等次))"
)
GRADE_IS = r"\s*(?:为|是|：|:|评定为|确定为|定为|属于|达到)"

RULES: tuple[Rule, ...] = (
    Rule(
        key="budget_total",
        label="全年预算数",
        kind="amount",
        patterns=_compiled(
            # A bare 预算 is anyone's budget (采购预算): qualified, or with 总额 / 数.
            rf"(?:(?:全年|年度|部门|整体|调整后|本年|当年)预算(?:总额|总数|总金额|数|金额|资金总额|资金)?"
            rf"|预算(?:总额|总数|总金额|数|资金总额)){AMOUNT}",
        ),
        fact="budget_total",
        basis="收支情况中填写的是",
        not_after=(
            *PARTS,
            "支出",
            *OTHER_TIME,
            "追加",
            "调整",
            "调增",
            "调减",
            "压减",
            "核减",
            "新增",
            "增加",
            "减少",
            "下达",
            "采购",
        ),
    ),
    Rule(
        key="expenditure_total",
        label="执行数",
        kind="amount",
        patterns=_compiled(
            rf"(?:(?:全年|年度|实际|累计)(?:预算)?执行(?:数|金额|总额)?|(?:预算)?执行(?:数|金额|总额)"
            rf"|(?:全年|年度|实际|累计|合计|整体|全部|共|总|已)支出(?:总额|总数|数|金额|合计|资金)?"
            rf"|支出(?:总额|合计|总计|总数)){AMOUNT}",
        ),
        fact="expenditure_total",
        basis="收支情况中填写的是",
        not_after=(*PARTS, *OTHER_TIME, "研发", "R&D", "社会", "全社会", "企业"),
    ),
    Rule(
        key="completion_rate",
        label="预算执行率",
        kind="percent",
        patterns=_compiled(
            rf"(?:部门整体)?(?:全年|年度)?(?:预算资金|预算|支出|资金)?执行率{RATE}",
            rf"(?:部门整体)?(?:全年|年度)?预算(?:执行)?完成率{RATE}",
            rf"完成(?:了)?(?:全年|年度)?预算(?:数)?的{RATE}",
        ),
        fact="completion_rate",
        basis="按收支数据计算为",
        not_after=(
            *PARTS,
            *OTHER_TIME,
            "平均",
            "全市",
            "全区",
            "全省",
            "全国",
            "各",
            "街道",
            "单位",
        ),
    ),
    Rule(
        key="carryover_balance",
        label="年末结转和结余",
        kind="amount",
        patterns=_compiled(
            rf"(?:年末|年底)?(?:结转和结余|结转及结余|结转与结余|结转结余|结余结转)(?:资金|金额|数)?{AMOUNT}",
            rf"(?:年末|年底)结余(?:资金|金额|数)?{AMOUNT}",
        ),
        fact="carryover_balance",
        basis="收支情况中填写的是",
        not_after=("项目", "专项", "基本支出", "项目支出", *OTHER_TIME),
    ),
    Rule(
        key="total_score",
        label="自评得分",
        kind="score",
        patterns=_compiled(
            rf"(?:部门整体支出)?(?:绩效)?(?:自评|综合|评价|最终|整体)(?:总)?(?:得分|分数|评分){SCORE}",
            rf"(?:总得分|得分合计){SCORE}",
            # "总分 100 分" is the full marks, not the score.
            rf"总分(?!{IS}(?:100(?:\.0+)?|一百)\s*分){SCORE}",
        ),
        fact="total_score",
        basis="按指标计算为",
        not_after=(
            "指标",
            "项",
            "单项",
            "该项",
            "满分",
            "分值",
            "满意度",
            "问卷",
            "调查",
            "考核",
            *OTHER_TIME,
        ),
    ),
    Rule(
        key="grade",
        label="自评等级",
        kind="grade",
        patterns=_compiled(
            rf"{GRADE_CONTEXT}(?:{GRADE_IS})?\s*{OPEN_QUOTE}?{STRONG_GRADE}{CLOSE_QUOTE}?{GRADE_END}",
            rf"{GRADE_CONTEXT}(?:{GRADE_IS}\s*{OPEN_QUOTE}?|\s*{OPEN_QUOTE}){WEAK_GRADE}{CLOSE_QUOTE}?{GRADE_END}",
            rf"自评(?:为)?{OPEN_QUOTE}?{STRONG_GRADE}{CLOSE_QUOTE}?{GRADE_END}",
            rf"自评为{OPEN_QUOTE}?{WEAK_GRADE}{CLOSE_QUOTE}?{GRADE_END}",
            rf"(?:被)?(?:评为|评定为){OPEN_QUOTE}(?P<value>优秀|良好|中等|中|较差|差){CLOSE_QUOTE}{GRADE_END}",
        ),
        fact="grade_label",  # or the recorded grade: check._grade_contradiction
        basis="按指标得分计算为",
        not_after=(
            "项目",
            "指标",
            "企业",
            "单位",
            "个人",
            "集体",
            "同志",
            "专项",
            "学校",
            "医院",
            "街道",
            "社区",
            "满意度",
            "安全",
            "信用",
            "风险",
            "资质",
            "质量",
            "考核",
            *OTHER_TIME,
        ),
    ),
    Rule(
        key="key_tasks",
        label="重点工作任务",
        kind="count",
        patterns=_compiled(
            rf"{COUNT}(?P<unit>项|个|方面)\s*(?:全年|年度|部门|部门年度)?重点(?:工作任务|工作|任务)(?!之一)",
            rf"重点(?:工作任务|任务)(?:共计|合计|总计|共|有)?\s*{COUNT}(?P<unit>项|个)",
        ),
        fact="key_tasks",
        basis="“部门年度重点工作任务”中填写了",
        not_after=(*SUBSET, *OTHER_TIME),
    ),
    Rule(
        key="goals",
        label="绩效目标",
        kind="count",
        patterns=_compiled(
            rf"{COUNT}(?P<unit>个|项|条)\s*(?:年度|部门|部门整体支出|整体支出|部门整体)?绩效目标(?!之一)",
            rf"绩效目标(?:共计|合计|总计|共|有)\s*{COUNT}(?P<unit>个|项|条)",
        ),
        fact="goals",
        basis="“部门整体支出绩效目标”中填写了",
        not_after=(*SUBSET, *OTHER_TIME, "项目"),
    ),
    Rule(
        key="problems",
        label="存在的问题",
        kind="count",
        patterns=_compiled(
            rf"(?:仍然存在|仍存在|还存在|主要存在|存在|主要有|归纳为|概括为|表现为|表现在|体现在)"
            rf"(?:以下|如下|着)?\s*{COUNT}(?P<unit>(?:个|项|点|条|大)?\s*方面|个|项|点|条)\s*"
            rf"(?:的)?(?:主要|突出|薄弱)?(?:问题|不足)",
            rf"(?:存在的主要问题|存在的问题|主要问题|存在问题|不足之处)(?:主要)?"
            rf"(?:有|包括|集中在|表现在|体现在)(?:以下)?\s*{COUNT}"
            rf"(?P<unit>(?:个|项|点|条|大)?\s*方面|个|项|点|条)",
        ),
        fact="problems",
        basis="“存在的主要问题”中填写了",
        not_after=(*SUBSET, *OTHER_TIME, "发现", "检查", "审计", "巡查", "督查", "整改"),
    ),
)
