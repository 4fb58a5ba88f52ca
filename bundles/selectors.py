"""Reads of the bundles app: what a user may bundle, their bundles, a bundle's progress, and
what the builder writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from bundles.models import Bundle
from evaluations import access
from evaluations.models import ApprovedReport, Evaluation
from review import documents

# A bundle queued this long has no worker to take it (none running, or all busy).
QUEUED_TOO_LONG_SECONDS = 60
# The files each department contributes, in the order of their member names: each document
# as the sealed PDF and as the Word file departments edit.
DOCUMENTS = (documents.SCORE_TABLE, documents.REPORT)
FORMATS = ("pdf", "docx")
FILES: tuple[tuple[documents.Document, str], ...] = tuple(
    (document, fmt) for document in DOCUMENTS for fmt in FORMATS
)


@dataclass(frozen=True)
class Candidate:
    """A department that can go into a bundle of the year: it has an evaluation of it."""

    code: str
    full_name: str
    status: str  # the evaluation's status label
    approved: bool


def bundle_years(*, user: access.AnyUser) -> list[int]:
    """The years of which the user may see at least one evaluation, latest first."""
    years = access.evaluations_visible_to(user).values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def bundle_candidates(*, user: access.AnyUser, year: int) -> list[Candidate]:
    """The departments of the year the user may bundle, by code."""
    evaluations = (
        access.evaluations_visible_to(user)
        .filter(year=year)
        .select_related("department")
        .order_by("department__code")
    )
    return [
        Candidate(
            code=evaluation.department.code,
            full_name=evaluation.department.full_name,
            status=evaluation.get_status_display(),
            approved=evaluation.status == Evaluation.Status.APPROVED,
        )
        for evaluation in evaluations
    ]


def bundles_of(*, user: access.AnyUser) -> QuerySet[Bundle]:
    """The user's own bundles, latest first: nobody sees another person's."""
    if not user.is_authenticated:
        return Bundle.objects.none()
    return Bundle.objects.filter(requested_by_id=user.pk)


def may_see_bundle(user: access.AnyUser, bundle: Bundle) -> bool:
    """Only the person who asked for it, and only while they may still see every department
    in it (a 填报人员 moved to another department loses it)."""
    if access.role_of(user) is None or bundle.requested_by_id != user.pk:
        return False
    visible = access.department_codes_visible_to(user)
    return visible is None or set(bundle.department_codes) <= visible


def bundle_for_user(*, user: access.AnyUser, bundle_id: object) -> Bundle:
    """The bundle if the user may see it, else 404 (whether or not it exists)."""
    try:
        bundle = bundles_of(user=user).get(pk=int(str(bundle_id)))
    except (Bundle.DoesNotExist, ValueError):
        raise Http404("没有找到这个压缩包。") from None
    if not may_see_bundle(user, bundle):
        raise Http404("没有找到这个压缩包。")
    return bundle


def duration_text(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 1:
        return "不到 1 秒"
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"约 {hours} 小时 {minutes} 分"
    if minutes:
        return f"约 {minutes} 分 {rest} 秒"
    return f"约 {rest} 秒"


def size_text(size: int | None) -> str:
    if size is None:
        return ""
    if size < 100 * 1024:
        return "不到 0.1 MB"
    return f"{size / 1024 / 1024:.1f} MB"


@dataclass(frozen=True)
class Progress:
    status: str
    status_label: str
    done: int
    total: int
    remaining_seconds: float | None  # None: not known (queued, or nothing done yet)
    remaining_text: str
    finished: bool
    failed: bool
    error: str
    size_text: str

    @property
    def percent(self) -> int:
        return 100 if self.finished else (self.done * 100 // self.total if self.total else 0)


def bundle_progress(bundle: Bundle, *, now: datetime | None = None) -> Progress:
    """Done / total departments and the time left, estimated from the pace so far."""
    now = now or timezone.now()
    remaining: float | None = None
    if bundle.status == Bundle.Status.QUEUED:
        queued_since = bundle.heartbeat_at or bundle.created_at
        if (now - queued_since).total_seconds() > QUEUED_TOO_LONG_SECONDS:
            text = "排队已超过 1 分钟：请联系系统管理员确认后台任务进程正在运行"
        else:
            text = "等待后台任务开始"
    elif bundle.status == Bundle.Status.BUILDING:
        if bundle.done and bundle.started_at:
            elapsed = (now - bundle.started_at).total_seconds()
            remaining = max(0.0, elapsed / bundle.done * (bundle.total - bundle.done))
            text = duration_text(remaining)
        else:
            text = "正在估算"
    elif bundle.status == Bundle.Status.DONE:
        remaining, text = 0.0, "无"
    else:
        text = "已停止"
    return Progress(
        status=bundle.status,
        status_label=bundle.get_status_display(),
        done=bundle.total if bundle.status == Bundle.Status.DONE else bundle.done,
        total=bundle.total,
        remaining_seconds=remaining,
        remaining_text=text,
        finished=bundle.status == Bundle.Status.DONE,
        failed=bundle.status == Bundle.Status.FAILED,
        error=bundle.error,
        size_text=size_text(bundle.size),
    )


@dataclass(frozen=True)
class Entry:
    """One department of a bundle as the builder writes it: its evaluation (with the
    department), and whether all its files were stored at approval (else they are rendered)."""

    evaluation: Evaluation
    stored: bool

    @property
    def code(self) -> str:
        return self.evaluation.department.code


def bundle_entries(bundle: Bundle) -> list[Entry]:
    """The bundle's departments that have an evaluation of its year, by code. Two queries,
    whatever the number of departments."""
    evaluations = list(
        Evaluation.objects.select_related("department")
        .filter(year=bundle.year, department__code__in=bundle.department_codes)
        .order_by("department__code")
    )
    stored_files = set(
        ApprovedReport.objects.filter(
            evaluation__in=[e.pk for e in evaluations if e.status == Evaluation.Status.APPROVED],
            fmt__in=FORMATS,
            appendix__in=[document.appendix for document in DOCUMENTS],
        ).values_list("evaluation_id", "appendix", "fmt")
    )
    return [
        Entry(
            evaluation=evaluation,
            # Evaluations approved before Word files were stored have only their PDFs: they
            # are rendered (their Word files from the data, their PDFs the stored bytes).
            stored=all(
                (evaluation.pk, document.appendix, fmt) in stored_files for document, fmt in FILES
            ),
        )
        for evaluation in evaluations
    ]


def evaluations_for_documents(*, year: int, codes: list[str]) -> dict[str, Evaluation]:
    """The evaluations of these departments loaded for their documents, by department code: a
    fixed number of queries for any number of departments."""
    return {
        evaluation.department.code: evaluation
        for evaluation in documents.evaluations().filter(year=year, department__code__in=codes)
    }
