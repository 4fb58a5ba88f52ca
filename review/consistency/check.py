"""Finds the sentences of an evaluation's free text that contradict its figures ("两张皮"), and
the figures copied unchanged from last year's evaluation.

What counts as agreeing (the tolerance):

* A number agrees when the computed value, rounded half up to the precision the number was
  written with, equals it: "8727.2 万元" and "8727 万元" agree with 8727.19, "8700 万元" does not;
  "87%" agrees with 87.4 %, "90%" does not. A number written more precisely than the computed one
  (the rate has one decimal, the score two) agrees when it is within half a unit of the
  computed one's last place: "87.40%" and "87.43%" agree with 87.4 %. Amounts are compared in the
  unit written (亿元, 万元, 元).
* A count agrees when it equals the number of entries of the list.
* A grade agrees when it is the computed grade or the grade recorded with a written reason.

What is left alone, because it does not state this year's figure: hedged figures ("约", "近",
"超过", "余", "以上"…); a clause that names another year ("2022 年", "上年") or a plan or target
("力争", "计划", "将"…); a count of a list that is still empty (the checklist asks for the list
itself); a fact that cannot be computed yet (a blank figure, no score).
"""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from evaluations.figures import format_amount
from review.consistency.numbers import FULL_WIDTH, parse_number, parse_percent
from review.consistency.rules import RULES, Rule


@dataclass(frozen=True)
class Figure:
    """A budget figure as entered, beside the same figure of last year's evaluation."""

    key: str  # the field, e.g. "expenditure_total"
    label: str  # 执行数
    anchor: str  # the HTML id of its input on the change page, e.g. "id_expenditure_total"
    value: Decimal | None
    previous: Decimal | None  # None when there is no previous evaluation or it is blank


@dataclass(frozen=True)
class Facts:
    """What the text is checked against: the evaluation's figures (万元), rate and score as the
    app computes them, the counts of its lists, and last year's figures."""

    year: int
    budget_total: Decimal | None
    expenditure_total: Decimal | None
    carryover_balance: Decimal | None
    completion_rate: Decimal | None  # percent, one decimal (Evaluation.completion_rate)
    total_score: Decimal | None  # the 自评表's total, two decimals
    grade: str | None  # the computed grade's code ("good"), None when no score
    grade_label: str | None  # its label (良好)
    # The typed 自评等级 when it stands as recorded: a reason for departing from the computed
    # grade is written (or no grade can be computed). None otherwise.
    recorded_grade: str | None
    recorded_grade_label: str | None
    key_tasks: int
    goals: int
    problems: int
    previous_year: int | None = None  # the year of last year's evaluation, when there is one
    # The figures compared with last year's (全年预算数, 执行数, 基本支出, 项目支出, 结转结余).
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class Text:
    key: str  # which text: "conclusion_summary", "keytasks-1-text"
    place: str  # where it is, for the message: 自评结论综述, 部门年度重点工作任务 第 2 项
    anchor: str  # the HTML id of its field on the evaluation's change page (no "#")
    text: str


@dataclass(frozen=True)
class Finding:
    rule_key: str  # a rules.Rule key, or COPIED_FIGURE
    rule_label: str
    place: str
    anchor: str
    sentence: str  # "" for a copied figure
    start: int  # the sentence's offsets in the text
    end: int
    written: str  # as written: "90%", "百分之九十", "8700 万元", "五项", "优秀"
    computed: str  # formatted: "87.4%", "8727.19 万元", "4 项", "良好"
    message: str
    # The sentence's offsets as a browser's text box counts them (UTF-16 code units, a line
    # break as one): the evaluation page selects the sentence from a link (sentence-link.js).
    selection: tuple[int, int] = (0, 0)

    @property
    def key(self) -> str:
        """Names the explanation typed for this finding: the same while the sentence and the
        figures it contradicts stay the same."""
        parts = (self.rule_key, self.anchor, self.sentence, self.written, self.computed)
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]

    @property
    def fragment(self) -> str:
        """The link's fragment to the field, selecting the sentence: "sentence=id_x:3:20"."""
        if not self.sentence:
            return self.anchor
        return f"sentence={self.anchor}:{self.selection[0]}:{self.selection[1]}"


COPIED_FIGURE = "copied_figure"

SENTENCE_END = re.compile(r"[。！？；;!?\n]")
CLAUSE_END = re.compile(r"[，,]")
YEAR = re.compile(r"((?:19|20)[0-9]{2})\s*年")
# In the clause before a statement: it is about another year, or a plan, not this year's result.
NOT_THIS_YEAR = (
    "力争",
    "争取",
    "确保",
    "计划",
    "预计",
    "预期",
    "拟",
    "将",
    "目标为",
    "目标是",
    "目标值",
    "下一步",
    "今后",
    "今年",
    "明年",
    "下年",
    "下一年",
    "上年",
    "去年",
    "上一年",
    "前年",
    "以前年度",
    "往年",
    "同期",
)
HEDGE_GROUPS = ("approx", "around", "bound")
GRADE_WORDS = {"中等": "中", "较差": "差"}
AMOUNT_UNITS = {"万元": Decimal("1"), "亿元": Decimal("10000"), "元": Decimal("0.0001")}
EXCERPT_LENGTH = 80  # longer sentences are quoted around the statement
EXCERPT_MARGIN = 15


def _browser_offset(text: str, index: int) -> int:
    return len(text[:index].replace("\r\n", "\n").encode("utf-16-le")) // 2


def find_inconsistencies(facts: Facts, texts: list[Text] | tuple[Text, ...]) -> list[Finding]:
    """The copied figures, then each text's contradictions in the order of the texts and of
    their sentences."""
    findings = copied_figures(facts)
    for text in texts:
        findings.extend(_text_findings(facts, text))
    return findings


def copied_figures(facts: Facts) -> list[Finding]:
    """Non-zero figures equal to last year's: likely copied and not updated."""
    if facts.previous_year is None:
        return []
    findings = []
    for figure in facts.figures:
        if figure.value is None or figure.value == 0 or figure.value != figure.previous:
            continue
        amount = f"{format_amount(figure.value)} 万元"
        findings.append(
            Finding(
                rule_key=COPIED_FIGURE,
                rule_label="与上年数据相同",
                place=figure.label,
                anchor=figure.anchor,
                sentence="",
                start=0,
                end=0,
                written=amount,
                computed=f"{facts.previous_year} 年度 {amount}",
                message=(
                    f"{figure.label} {amount}与 {facts.previous_year} 年度完全相同，"
                    "请确认不是照抄上年数据。"
                ),
            )
        )
    return findings


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each non-blank sentence, without its closing punctuation."""
    start = 0
    for end in [m.start() for m in SENTENCE_END.finditer(text)] + [len(text)]:
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            left = start + len(piece) - len(piece.lstrip())
            yield left, left + len(stripped)
        start = end + 1


def _text_findings(facts: Facts, text: Text) -> list[Finding]:
    """The text's contradictions in the order they are written."""
    findings: list[tuple[int, Finding]] = []
    for start, end in sentences(text.text):
        sentence = text.text[start:end]
        for rule, match in _statements(sentence):
            if not _states_this_year(rule, facts, sentence, match):
                continue
            found = _contradiction(rule, facts, match)
            if found is None:
                continue
            written, computed = found
            where = f"{text.place}：“{_excerpt(sentence, match)}”"
            finding = Finding(
                rule_key=rule.key,
                rule_label=rule.label,
                place=text.place,
                anchor=text.anchor,
                sentence=sentence,
                start=start,
                end=end,
                written=written,
                computed=computed,
                message=_message(rule, facts, where, found),
                selection=(_browser_offset(text.text, start), _browser_offset(text.text, end)),
            )
            findings.append((start + match.start("value"), finding))
    findings.sort(key=lambda positioned: positioned[0])
    return [finding for _, finding in findings]


def _statements(sentence: str) -> Iterator[tuple[Rule, re.Match[str]]]:
    """Each rule's matches in the sentence; a value found by two patterns of a rule once."""
    for rule in RULES:
        taken: list[tuple[int, int]] = []
        for pattern in rule.patterns:
            for match in pattern.finditer(sentence):
                left, right = match.span("value")
                if not any(a < right and left < b for a, b in taken):
                    taken.append((left, right))
                    yield rule, match


def _states_this_year(rule: Rule, facts: Facts, sentence: str, match: re.Match[str]) -> bool:
    """Whether the match states this year's figure: not hedged, not of a part or another
    year (rule.not_after), not in a clause about another year or a plan."""
    if any(match.groupdict().get(group) for group in HEDGE_GROUPS):
        return False
    before = sentence[: match.start()].rstrip()
    if before.endswith(rule.not_after):
        return False
    clause = CLAUSE_END.split(before)[-1].translate(FULL_WIDTH)
    if any(int(year) != facts.year for year in YEAR.findall(clause)):
        return False
    return not any(word in clause for word in NOT_THIS_YEAR)


def _written(match: re.Match[str]) -> str:
    end = match.end("unit") if match.groupdict().get("unit") else match.end("value")
    return match.string[match.start("value") : end].strip()


def _contradiction(rule: Rule, facts: Facts, match: re.Match[str]) -> tuple[str, str] | None:
    """(written, computed) when the match contradicts the fact; None when it agrees or
    cannot be compared."""
    raw = match["value"]
    if rule.kind == "grade":
        return _grade_contradiction(facts, raw)
    fact = getattr(facts, rule.fact)
    if fact is None:
        return None
    if rule.kind == "count":
        count = parse_number(raw)
        if count is None or count != count.to_integral_value() or fact == 0:
            return None
        return None if count == fact else (_written(match), f"{fact} 项")
    if rule.kind == "percent":
        rate = parse_percent(raw)
        if rate is None or agrees(rate, fact, rule.tolerance):
            return None
        return _written(match), f"{fact:f}%"
    value = parse_number(raw)
    if value is None:
        return None
    if rule.kind == "score":
        if value > 100 or agrees(value, fact, rule.tolerance):
            return None
        return _written(match), f"{fact:f} 分"
    # An amount in 万元, compared in the unit written.
    in_unit = fact / AMOUNT_UNITS[match["unit"]]
    if agrees(value, in_unit, rule.tolerance):
        return None
    return _written(match), f"{format_amount(fact)} 万元"


def _grade_contradiction(facts: Facts, written: str) -> tuple[str, str] | None:
    accepted = {label for label in (facts.grade_label, facts.recorded_grade_label) if label}
    if not accepted or GRADE_WORDS.get(written, written) in accepted:
        return None
    return written, facts.grade_label or facts.recorded_grade_label or ""


def agrees(written: Decimal, computed: Decimal, tolerance: Decimal = Decimal("0")) -> bool:
    """Whether a written number states the computed one at the precision written (module
    docstring)."""
    written_place = written.as_tuple().exponent
    computed_place = computed.as_tuple().exponent
    if not isinstance(written_place, int) or not isinstance(computed_place, int):
        return False  # infinity or NaN: not a figure anyone wrote
    if written_place >= computed_place:
        rounded = computed.quantize(Decimal(1).scaleb(written_place), rounding=ROUND_HALF_UP)
        return abs(rounded - written) <= tolerance
    return abs(written - computed) <= Decimal(1).scaleb(computed_place) / 2 + tolerance


def _excerpt(sentence: str, match: re.Match[str]) -> str:
    if len(sentence) <= EXCERPT_LENGTH:
        return sentence
    left = max(0, match.start() - EXCERPT_MARGIN)
    right = min(len(sentence), match.end() + EXCERPT_MARGIN)
    return f"{'…' if left else ''}{sentence[left:right]}{'…' if right < len(sentence) else ''}"


def _message(rule: Rule, facts: Facts, where: str, found: tuple[str, str]) -> str:
    written, computed = found
    if rule.kind != "grade":
        return f"{where}写的{rule.label}为 {written}，{rule.basis} {computed}。"
    if facts.grade_label is None:
        return f"{where}写的{rule.label}为“{written}”，填写的自评等级为“{facts.recorded_grade_label}”。"
    message = f"{where}写的{rule.label}为“{written}”，{rule.basis}“{computed}”"
    if facts.recorded_grade_label and facts.recorded_grade_label != facts.grade_label:
        message += f"，等级调整说明所记录的自评等级为“{facts.recorded_grade_label}”"
    return message + "。"
