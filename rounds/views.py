"""The overview page and the 汇总表 downloads, reached from the round's admin pages (behind the
admin's login; rounds/admin.py). Access: auditors and administrators
(`selectors.round_for_user`)."""

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from evaluations import access, figures
from review.views import disposition
from rounds import charts, selectors, summary
from rounds.forms import OverviewQuery
from rounds.models import Round
from rounds.table import Line, table_rows

# The overview's columns: (heading, sort key or "", class of the cell).
COLUMNS = (
    ("部门", "code", "col-department"),
    ("状态", "state", "col-state"),
    ("得分", "score", "col-number"),
    ("等级", "grade", "col-grade"),
    ("预算执行率", "rate", "col-number"),
    ("提交时间", "submitted", "col-date"),
    ("审核时间", "approved", "col-date"),
    ("逾期", "overdue", "col-overdue"),
    ("最近审核意见", "comment", "col-comment"),
    ("文件", "", "col-files"),
)
PLACEHOLDER_ID = 987654321
PLACEHOLDER_CODE = "department-code"


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False
    count: int | None = None


@dataclass(frozen=True)
class Heading:
    label: str
    url: str  # "" when the column does not sort
    css: str
    sorted: str  # "", "ascending" or "descending"


@dataclass(frozen=True)
class FilterGroup:
    label: str
    links: tuple[Link, ...]


def _query(params: dict[str, str], **changes: str) -> str:
    merged = {**params, **changes}
    kept = {name: value for name, value in merged.items() if value}
    return "?" + urlencode(kept) if kept else "?"


def _headings(params: dict[str, str]) -> list[Heading]:
    order = params.get("o", "code")
    headings = []
    for label, key, css in COLUMNS:
        if not key:
            headings.append(Heading(label, "", css, ""))
            continue
        sorted_ = {key: "ascending", f"-{key}": "descending"}.get(order, "")
        target = f"-{key}" if sorted_ == "ascending" else key
        headings.append(Heading(label, _query(params, o=target), css, sorted_))
    return headings


def _filters(params: dict[str, str], overview: selectors.Overview) -> list[FilterGroup]:
    groups = []
    for name, label, counts in (
        ("state", "状态", overview.state_counts),
        ("lateness", "逾期", overview.lateness_counts),
        ("grade", "等级", overview.grade_counts),
    ):
        current = params.get(name, "")
        links = [Link("全部", _query(params, **{name: ""}), current == "", overview.total)]
        links += [
            Link(c.label, _query(params, **{name: c.value}), current == c.value, c.count)
            for c in counts
        ]
        groups.append(FilterGroup(label, tuple(links)))
    return groups


def _url_pattern(name: str, *args: object) -> str:
    """A URL with {id} / {code} where the placeholders went, to fill in per row without a
    reverse() each (a thousand rows)."""
    url = reverse(name, args=args)
    return url.replace(str(PLACEHOLDER_ID), "{id}").replace(PLACEHOLDER_CODE, "{code}")


def overview(request: HttpRequest, object_id: str, *, site_context: dict[str, Any]):
    round_ = selectors.round_for_user(user=request.user, round_id=object_id)
    params = OverviewQuery(request.GET).values()
    page = selectors.round_overview(round_=round_)
    results = selectors.sorted_results(
        selectors.filtered_results(
            list(page.results),
            state=params.get("state", ""),
            lateness=params.get("lateness", ""),
            grade=params.get("grade", ""),
        ),
        params.get("o", "code"),
    )
    change = _url_pattern("admin:evaluations_evaluation_change", PLACEHOLDER_ID)
    report = _url_pattern("reports:report_pdf", PLACEHOLDER_CODE, round_.year)
    appendix = _url_pattern("reports:appendix1_pdf", PLACEHOLDER_CODE, round_.year)
    report_docx = _url_pattern("reports:report_docx", PLACEHOLDER_CODE, round_.year)
    appendix_docx = _url_pattern("reports:appendix1_docx", PLACEHOLDER_CODE, round_.year)
    lines = [
        Line(
            result=r,
            change_url=change.format(id=r.evaluation_id) if r.evaluation_id else "",
            report_url=report.format(code=r.code),
            appendix_url=appendix.format(code=r.code),
            report_docx_url=report_docx.format(code=r.code),
            appendix_docx_url=appendix_docx.format(code=r.code),
        )
        for r in results
    ]
    rated = sum(1 for r in page.results if r.completion_rate is not None)
    totals = page.totals
    download_query = _query({k: v for k, v in params.items() if k != "o"}).rstrip("?")
    base = reverse("admin:rounds_round_overview", args=[round_.pk])
    context = {
        **site_context,
        # The table needs the width: no model sidebar on this page.
        "is_nav_sidebar_enabled": False,
        "opts": Round._meta,
        "title": f"{round_.year} 年度总览",
        "round": round_,
        "overview": page,
        "totals": totals,
        "budget_total": figures.format_amount(totals.budget_total),
        "expenditure_total": figures.format_amount(totals.expenditure_total),
        "completion_rate": figures.format_rate(totals.completion_rate),
        "shown": len(lines),
        "table_rows": table_rows(lines),
        "headings": _headings(params),
        "filters": _filters(params, page),
        "filtered": any(params.get(name) for name in OverviewQuery.FILTERS),
        "days_to_deadline": (round_.deadline - page.today).days,
        "days_past_deadline": (page.today - round_.deadline).days,
        "grade_chart": charts.grade_chart(page.grade_counts),
        "rate_chart": charts.rate_chart(page.results),
        "rated": rated,
        "unrated": page.total - rated,
        "target_rate": charts.TARGET_RATE,
        "downloads": [
            Link("XLSX", f"{base}summary.xlsx{download_query}"),
            Link("CSV（UTF-8）", f"{base}summary.csv{download_query}"),
            Link("CSV（GBK）", f"{base}summary-gbk.csv{download_query}"),
        ],
        "reset_url": _query({"o": params.get("o", "")}),
        "change_url": reverse("admin:rounds_round_change", args=[round_.pk]),
        "may_change": access.role_of(request.user) == access.Role.ADMINISTRATOR,
    }
    return TemplateResponse(request, "admin/rounds/round/overview.html", context)


def _filtered_codes(request: HttpRequest, round_: Round) -> list[str] | None:
    """The departments the overview shows with the request's filters; None without filters."""
    params = OverviewQuery(request.GET).values()
    if not any(params.get(name) for name in OverviewQuery.FILTERS):
        return None
    page = selectors.round_overview(round_=round_)
    results = selectors.filtered_results(
        list(page.results),
        state=params.get("state", ""),
        lateness=params.get("lateness", ""),
        grade=params.get("grade", ""),
    )
    return [r.code for r in results]


def summary_download(request: HttpRequest, object_id: str, *, fmt: str) -> HttpResponse:
    """The 汇总表 of the departments the overview shows with the same filters."""
    round_ = selectors.round_for_user(user=request.user, round_id=object_id)
    codes = _filtered_codes(request, round_)
    name = f"{round_.year}年度部门整体支出绩效自评汇总表"
    if fmt == "xlsx":
        content = summary.summary_xlsx(year=round_.year, department_codes=codes)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        filename = f"{name}.xlsx"
    else:
        encoding: Literal["utf-8-sig", "gbk"] = "gbk" if fmt == "csv-gbk" else "utf-8-sig"
        content = summary.summary_csv(year=round_.year, department_codes=codes, encoding=encoding)
        charset = "gb18030" if encoding == "gbk" else "utf-8"
        content_type = f"text/csv; charset={charset}"
        filename = f"{name}（GBK）.csv" if encoding == "gbk" else f"{name}.csv"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = disposition(filename, attachment=True)
    return response


def latest_overview(request: HttpRequest) -> HttpResponseRedirect:
    """The start page's link: the overview of the latest round."""
    if not access.sees_every_department(request.user):
        raise PermissionDenied("只有审核人员和系统管理员可以查看年度总览。")
    latest = Round.objects.order_by("-year").first()
    if latest is None:
        if access.role_of(request.user) == access.Role.ADMINISTRATOR:
            messages.info(request, "还没有建立任何年度：请先新建年度。")
        else:
            messages.info(request, "还没有建立任何年度：年度由系统管理员建立。")
        return HttpResponseRedirect(reverse("admin:rounds_round_changelist"))
    return HttpResponseRedirect(reverse("admin:rounds_round_overview", args=[latest.pk]))
