"""The documents of an evaluation, as one family: 附件2 自评报告 and 附件1 自评表.

A document knows what it needs loaded, its file name, a key of its content, its HTML and the
formats it renders to (PDF, Word; 附件1 also XLSX). Everything else is shared by all of them and
lives here once: access (another department's evaluation is 404), the cache keyed by content
(several app servers share it through Django's cache framework), what a PDF carries (the data,
its XMP properties: review/document_data.py) and the record of the PDFs handed out, the stored
bytes of an approved evaluation, rendering for approval with its verification codes (outside
any row lock) and `render_report`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from evaluations import access, selectors
from evaluations.models import REPORT_MAX_CHARACTERS, ApprovedReport, Evaluation, RenderedDocument
from evaluations.reports import document as report_document
from evaluations.reports import report
from evaluations.reports.carried import NOTHING, Carried
from indicators import selectors as indicator_selectors
from indicators.reports import appendix1
from review import document_data

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CACHE_PREFIX = "document:v3:"
CACHE_TIMEOUT = 60 * 60 * 24 * 30  # content-addressed: an entry never goes stale, only unused
# An approved PDF's verification code: the first hex digits of the SHA-256 of the document as
# approved, rendered once without the code (the code cannot be a digest of the file that
# prints it). 12 digits: 2⁴⁸ values, typed in three groups of four.
VERIFICATION_CODE_LENGTH = 12


@dataclass(frozen=True)
class Format:
    content_type: str
    render: Callable[[Any, Carried], bytes]  # (source, what it carries)
    # A PDF carries the evaluation's data and states what it is (document_data); is recorded
    # by its SHA-256 when rendered, so that a copy can be verified.
    carries: bool = False


def _plain(render: Callable[[Any], bytes]) -> Callable[[Any, Carried], bytes]:
    """A format that carries nothing (the workbook, the Word files)."""
    return lambda source, carried: render(source)


@dataclass(frozen=True)
class Document:
    key: str
    title: str  # 附件2 自评报告: in messages and logs
    appendix: int  # ApprovedReport.Appendix: what approval stores
    source: Callable[[Evaluation], Any]  # what the renderers take
    content_key: Callable[[Any], str]
    filename: Callable[[Evaluation, str], str]  # (evaluation, extension)
    html: Callable[[Any], str]
    formats: Mapping[str, Format]


REPORT = Document(
    key="report",
    title="附件2 自评报告",
    appendix=ApprovedReport.Appendix.REPORT,
    source=lambda evaluation: evaluation,
    content_key=report.report_key,
    filename=report.report_filename,
    html=report.report_html,
    formats={
        "pdf": Format(PDF, report.report_pdf, carries=True),
        "docx": Format(DOCX, _plain(report.report_docx)),
    },
)
SCORE_TABLE = Document(
    key="appendix1",
    title="附件1 自评表",
    appendix=ApprovedReport.Appendix.SCORE_TABLE,
    source=appendix1.appendix1_for,
    content_key=appendix1.appendix1_key,
    filename=appendix1.appendix1_filename,
    html=appendix1.appendix1_html,
    formats={
        "pdf": Format(PDF, appendix1.appendix1_pdf, carries=True),
        "xlsx": Format(XLSX, _plain(appendix1.appendix1_xlsx)),
        "docx": Format(DOCX, _plain(appendix1.appendix1_docx)),
    },
)
DOCUMENTS: dict[str, Document] = {document.key: document for document in (REPORT, SCORE_TABLE)}
BY_APPENDIX: dict[int, Document] = {document.appendix: document for document in DOCUMENTS.values()}


def evaluations() -> QuerySet[Evaluation]:
    """Evaluations loaded for every document and for what their PDFs carry: one loading
    serves both documents (indicators.selectors.evaluations_for_documents)."""
    return indicator_selectors.evaluations_for_documents()


def document_evaluation_for_user(
    user: access.AnyUser, *, department_code: str, year: int
) -> Evaluation:
    """The evaluation behind a document URL, loaded for the documents; 404 when there is none
    or the user may not see it."""
    return access.evaluation_for_user(
        user, department_code=department_code, year=year, queryset=evaluations()
    )


def document_evaluation(*, department_code: str, year: int) -> Evaluation:
    """The same for a command: no user, 404 when there is none."""
    return get_object_or_404(evaluations(), department__code=department_code, year=year)


class DocumentTooLarge(Exception):
    """A report over REPORT_MAX_CHARACTERS: not rendered (it could outlast the request). Raised
    by a rendition's `content()`."""


@dataclass(frozen=True)
class Rendition:
    """One format of one document of one evaluation, not yet rendered: `content()` renders it
    (or reads the cache or the stored bytes) only when called."""

    filename: str
    content_type: str
    etag: str
    content: Callable[[], bytes]


def stored(document: Document, evaluation: Evaluation, fmt: str) -> Rendition | None:
    """The file stored when the evaluation was approved, if it was."""
    approved = selectors.approved_report(evaluation=evaluation, appendix=document.appendix, fmt=fmt)
    if approved is None:
        return None
    return Rendition(
        document.filename(evaluation, fmt),
        document.formats[fmt].content_type,
        approved.sha256,
        approved.content_bytes,
    )


def rendition(document: Document, evaluation: Evaluation, fmt: str = "pdf") -> Rendition:
    """An approved evaluation's files are the bytes stored at approval; anything else comes
    from the cache under a key of its content (and of the data a PDF carries), rendered on a
    miss. A PDF handed out is recorded by its SHA-256 (`RenderedDocument`) for verification."""
    approved = stored(document, evaluation, fmt)
    if approved is not None:
        return approved
    rendering = document.formats[fmt]
    filename = document.filename(evaluation, fmt)
    source = document.source(evaluation)
    key = f"{document.key}.{fmt}:{document.content_key(source)}"
    taken = document_data.snapshot(evaluation) if rendering.carries else None
    if taken is not None:
        key += ":" + taken.digest

    def content() -> bytes:
        data = cache.get(CACHE_PREFIX + key)
        if data is None:
            if document is REPORT:  # checked before rendering only: a cached file passed it
                blocks = report_document.report_blocks(evaluation)
                characters = report_document.report_characters(blocks)
                if characters > REPORT_MAX_CHARACTERS:
                    raise DocumentTooLarge(report_document.too_long(characters))
            carried = NOTHING
            if taken is not None:
                carried = document_data.carried(evaluation, taken, document_title=document.title)
            data = rendering.render(source, carried)
            cache.set(CACHE_PREFIX + key, data, CACHE_TIMEOUT)
        if taken is not None:  # each time: the cache may outlive the database's record
            _remember(document, evaluation, data)
        return data

    return Rendition(filename, rendering.content_type, key, content)


def _remember(document: Document, evaluation: Evaluation, content: bytes) -> None:
    RenderedDocument.objects.get_or_create(
        sha256=hashlib.sha256(content).hexdigest(),
        defaults={
            "evaluation": evaluation,
            "appendix": document.appendix,
            "version": evaluation.version,
            "status": evaluation.status,
        },
    )


@dataclass(frozen=True)
class ApprovedFile:
    content: bytes
    verification_code: str  # "" for the files that carry none (the workbook, the Word files)


def render_for_approval(
    *, department_code: str, year: int, approval: document_data.Approval
) -> dict[tuple[int, str], ApprovedFile]:
    """Every file of every document rendered afresh from the database, by (appendix, format):
    what approval stores. A PDF states itself approved and prints its verification code, so it
    is rendered twice: once without the code, whose digest gives the code, then with it.
    Called outside the row lock (a render takes about a second)."""
    files = {}
    evaluation = document_evaluation(department_code=department_code, year=year)
    taken = document_data.snapshot(evaluation)
    for document in DOCUMENTS.values():
        source = document.source(evaluation)
        for fmt, rendering in document.formats.items():
            if not rendering.carries:
                files[document.appendix, fmt] = ApprovedFile(rendering.render(source, NOTHING), "")
                continue
            carried = document_data.carried(
                evaluation, taken, document_title=document.title, approval=approval
            )
            unstamped = rendering.render(source, carried)
            code = hashlib.sha256(unstamped).hexdigest()[:VERIFICATION_CODE_LENGTH].upper()
            files[document.appendix, fmt] = ApprovedFile(
                rendering.render(source, carried.with_code(code)), code
            )
    return files
