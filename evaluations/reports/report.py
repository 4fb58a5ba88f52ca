"""The 附件2 自评报告 of one evaluation: its HTML, its PDF, and a cache keyed by its content.

Flow: selector (the evaluation, fully loaded) → document blocks → typesetting (lines and pages)
→ template + stylesheet → `pdf.render_pdf`. `report_key` is a hash of everything that decides
the PDF's bytes, so any edit to the evaluation (or to the template, stylesheet or fonts) changes
it; review/documents.py caches and serves the PDF under it.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from evaluations.models import Evaluation
from evaluations.reports import faces, pdf, typesetting, word
from evaluations.reports.carried import NOTHING, Carried, code_groups
from evaluations.reports.document import REPORT_TITLE, report_blocks

TEMPLATE = "reports/evaluation_report.html"


@dataclass(frozen=True)
class ReportMeta:
    title: str
    author: str
    # The PDF's creation date is the evaluation's last change, so rendering the same content
    # twice gives the same bytes (the download, the cache and render_report agree).
    created: datetime
    lang: str = "zh-CN"


def report_meta(evaluation: Evaluation) -> ReportMeta:
    return ReportMeta(
        title=f"{evaluation.year}年度{evaluation.department.full_name}{REPORT_TITLE}",
        author=evaluation.department.full_name,
        created=evaluation.updated_at,
    )


def report_filename(evaluation: Evaluation, extension: str = "pdf") -> str:
    return f"{report_meta(evaluation).title}.{extension}"


def report_html(evaluation: Evaluation, *, verification_code: str = "") -> str:
    """Expects an evaluation from `selectors.evaluation_for_report`."""
    return _html(report_blocks(evaluation), report_meta(evaluation), verification_code)


def report_pdf(evaluation: Evaluation, carried: Carried = NOTHING) -> bytes:
    """The PDF, carrying `carried` (the data as attachments, XMP properties, and the
    verification code at the foot of the last page)."""
    meta = report_meta(evaluation)
    return pdf.render_pdf(
        _html(report_blocks(evaluation), meta, carried.verification_code),
        title=meta.title,
        author=meta.author,
        lang=meta.lang,
        created=meta.created,
        latin_fonts=tuple(settings.REPORT_FONTS.get("latin") or typesetting.DEFAULT_FONTS["latin"]),
        carried=carried,
    )


def report_docx(evaluation: Evaluation) -> bytes:
    """The same report as a Word document on the 公文 grid: one paragraph per block, the line
    breaking left to Word."""
    meta = report_meta(evaluation)
    return word.report_docx(
        report_blocks(evaluation), title=meta.title, author=meta.author, created=meta.created
    )


def report_key(evaluation: Evaluation) -> str:
    """A hash of the report's content and of the code and settings that lay it out."""
    blocks = report_blocks(evaluation)
    payload = json.dumps(
        {
            "blocks": [(block.style, block.text) for block in blocks],
            "meta": report_meta(evaluation).__dict__,
            "fonts": _fonts(),
            "layout": _layout_fingerprint(),
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _html(blocks: list, meta: ReportMeta, verification_code: str = "") -> str:
    document = typesetting.typeset(blocks, typesetting.load_metrics(settings.REPORT_FONTS))
    return render_to_string(
        TEMPLATE,
        {
            "document": document,
            "meta": meta,
            "verification_code": code_groups(verification_code),
            "fonts": _fonts(),
            "page_css": typesetting.page_css(),
        },
    )


def _fonts() -> dict[str, str]:
    """CSS font-family lists per role: the site's REPORT_FONTS over the open defaults."""
    return typesetting.font_css(settings.REPORT_FONTS)


@cache
def _layout_fingerprint() -> str:
    """Changes whenever the code or files that decide the layout change (a deploy)."""
    digest = hashlib.sha256()
    sources = [
        Path(typesetting.__file__),
        Path(faces.__file__),
        Path(pdf.__file__),
        Path(word.__file__),
        Path(__file__),
        *(Path(directory) / TEMPLATE for directory in settings.TEMPLATES[0]["DIRS"]),
        *sorted((Path(__file__).resolve().parents[1] / "static" / "evaluations").glob("*.css")),
    ]
    for source in sources:
        if source.exists():
            digest.update(source.read_bytes())
    return digest.hexdigest()
