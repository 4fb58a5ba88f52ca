"""Budget arithmetic and how the official document writes figures.

Rounding happens here and nowhere else (templates and reports only format what this returns).
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def completion_rate(*, executed: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """执行数 ÷ 全年预算数 as a percentage with one decimal (87.4), or None when not computable."""
    if executed is None or budget is None or budget == 0:
        return None
    return (executed * 100 / budget).quantize(TENTH, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal | None) -> str:
    """An amount in 万元 with two places, as the document writes it: 8727.19, 0.00."""
    if value is None:
        return "—"
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"


def format_fund_source_amount(value: Decimal | None) -> str:
    """Fund-source amounts: the official wording writes a zero source as "0", others as amounts."""
    if value is not None and value == 0:
        return "0"
    return format_amount(value)


def format_rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:f}"


FUND_SOURCES = (
    "general_public_budget",
    "government_fund_budget",
    "state_capital_budget",
    "other_funds",
)
NATURES = ("basic_expenditure", "project_expenditure")


def _plain_label(label: str) -> str:
    return label.removesuffix("（万元）")


def budget_errors(values: dict[str, Decimal | None], *, labels: dict[str, str]) -> dict[str, str]:
    """The budget rules, keyed by the field an error belongs next to; empty when all hold.

    A blank figure counts as not yet filled in: the sums are checked once 执行数 and at least one
    of the parts are filled in, with blanks counting as 0.
    """
    errors: dict[str, str] = {}
    for name, value in values.items():
        if value is not None and value < 0:
            errors[name] = (
                f"{_plain_label(labels[name])}不能为负数（填写的是 {format_amount(value)} 万元）。"
            )
    if errors:
        return errors

    executed = values["expenditure_total"]
    if executed is None:
        return errors
    for group, field, description in (
        (FUND_SOURCES, FUND_SOURCES[0], "按资金来源分的各项支出之和"),
        (NATURES, NATURES[0], "基本支出与项目支出之和"),
    ):
        parts = [values[name] for name in group]
        if all(part is None for part in parts):
            continue
        total = sum((part or Decimal("0") for part in parts), Decimal("0"))
        if total != executed:
            terms = " + ".join(
                f"{_plain_label(labels[name])} {format_amount(values[name] or Decimal('0'))}"
                for name in group
            )
            errors[field] = (
                f"{description}应等于执行数 {format_amount(executed)} 万元，"
                f"现为 {terms} = {format_amount(total)} 万元，"
                f"相差 {format_amount(abs(total - executed))} 万元。"
            )
    return errors


def format_figure(value: Decimal | None) -> str:
    """A figure as a form or a list shows it: two places (1356.00, 14.18), more only when the
    value has them (0.125); the database keeps four."""
    if value is None:
        return ""
    cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{cents:f}" if cents == value else f"{value.normalize():f}"
