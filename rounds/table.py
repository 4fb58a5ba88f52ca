"""The overview table's rows as HTML. A district has up to a thousand departments: drawn by the
template engine the rows took about 150 ms (thirty nodes a row), here a tenth of that. Every
value is escaped (`escape`) before it joins the markup; the page's template draws the rest."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from evaluations import figures
from rounds.charts import TARGET_RATE
from rounds.selectors import DepartmentResult

DASH = "—"
COMMENT_LENGTH = 40


@dataclass(frozen=True)
class Line:
    """A row of the table: a department and the links of its evaluation."""

    result: DepartmentResult
    change_url: str  # "" when the department has no evaluation of the year
    report_url: str
    appendix_url: str
    report_docx_url: str = ""
    appendix_docx_url: str = ""


def _date(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else DASH


def _short(text: str) -> str:
    return text if len(text) <= COMMENT_LENGTH else text[: COMMENT_LENGTH - 1] + "…"


def _row(line: Line) -> str:
    r = line.result
    name = escape(r.name)
    department = f'<a href="{escape(line.change_url)}">{name}</a>' if line.change_url else name
    grade: str = escape(r.grade.label)
    if r.typed_grade_differs:
        grade += f'<span class="typed-grade">（自评为{escape(r.typed_grade_label)}）</span>'
    rate = r.completion_rate
    rate_class = " rate-below" if rate is not None and rate < TARGET_RATE else ""
    if r.days_overdue:
        overdue = f"{'晚交' if r.submitted_at else '逾期'} {r.days_overdue} 天"
    else:
        overdue = DASH
    comment = (
        f'<span class="comment" title="{escape(r.last_comment)}">'
        f"{escape(_short(r.last_comment))}</span>"
        if r.last_comment
        else DASH
    )
    files = (
        f'<a href="{escape(line.report_url)}">附件2</a>'
        f'（<a href="{escape(line.report_docx_url)}">Word</a>） · '
        f'<a href="{escape(line.appendix_url)}">附件1</a>'
        f'（<a href="{escape(line.appendix_docx_url)}">Word</a>）'
        if r.evaluation_id
        else DASH
    )
    return (
        f'<tr class="state-{r.state}" data-code="{escape(r.code)}">'
        f'<th scope="row" class="col-department">{department} '
        f'<span class="department-code">{escape(r.code)}</span></th>'
        f'<td class="col-state"><span class="state-badge state-{r.state}">'
        f"{escape(r.state.label)}</span></td>"
        f'<td class="col-number col-score">{DASH if r.score is None else r.score}</td>'
        f'<td class="col-grade grade-{r.grade}">{grade}</td>'
        f'<td class="col-number col-rate{rate_class}">'
        f"{DASH if rate is None else f'{figures.format_rate(rate)}%'}</td>"
        f'<td class="col-date">{_date(r.submitted_at)}</td>'
        f'<td class="col-date">{_date(r.approved_at)}</td>'
        f'<td class="col-overdue lateness-{r.lateness or "unknown"}">{overdue}</td>'
        f'<td class="col-comment">{comment}</td>'
        f'<td class="col-files">{files}</td>'
        "</tr>\n"
    )


def table_rows(lines: Iterable[Line]) -> SafeString:
    # Safe: every value above went through escape(); the rest is literal markup.
    return mark_safe("".join(_row(line) for line in lines))
