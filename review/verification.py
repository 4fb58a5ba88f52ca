"""Is this copy a report the system holds? A file (by its SHA-256), a pasted SHA-256 or the
verification code printed on an approved PDF is looked up among the files stored at approval
(`ApprovedReport`) and the PDFs rendered before approval (`RenderedDocument`).

Only a digest match is proof. A file that matches nothing but says in its metadata what it is
(every PDF of the system does, document_data) is reported as claiming to be that document and
not being it: changed after it left the system, or not made by it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.utils import timezone

from evaluations import access
from evaluations.models import ApprovedReport, Evaluation, RenderedDocument, ReviewEvent
from evaluations.reports.carried import XMP_PREFIX, code_groups

SHA256 = re.compile(r"[0-9a-f]{64}")
CODE = re.compile(r"[0-9A-F]{12}")
FORMAT_LABELS = {"pdf": "PDF", "xlsx": "XLSX", "docx": "Word"}


class Outcome:
    APPROVED = "approved"  # an approved file, byte for byte (or its verification code)
    DRAFT_CURRENT = "draft-current"  # a draft as the evaluation still stands, not approved
    DRAFT_CHANGED = "draft-changed"  # a draft the evaluation has changed since
    CLAIMS = "claims"  # matches nothing, though its metadata says what it is
    UNKNOWN = "unknown"
    INVALID = "invalid"  # neither a SHA-256 nor a code


@dataclass(frozen=True)
class Verdict:
    outcome: str
    headline: str
    facts: tuple[tuple[str, str], ...] = ()  # (label, value), shown as a table
    note: str = ""
    evaluation: Evaluation | None = field(default=None, compare=False)
    # The approved file to compare a printed copy with, when the user may see it.
    download: ApprovedReport | None = field(default=None, compare=False)


def _moment(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _approval_event(evaluation: Evaluation) -> ReviewEvent | None:
    return (
        ReviewEvent.objects.filter(evaluation=evaluation, to_status=Evaluation.Status.APPROVED)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def _approved(report: ApprovedReport, user: access.AnyUser, *, by: str) -> Verdict:
    evaluation = report.evaluation
    event = _approval_event(evaluation)
    facts = [
        ("部门", evaluation.department.full_name),
        ("年度", f"{evaluation.year} 年度"),
        ("文件", f"{report.get_appendix_display()}（{FORMAT_LABELS.get(report.fmt, report.fmt)}）"),
        ("版本", f"第 {evaluation.version} 版（审定版）"),
        ("审核人", access.display_name(event.actor) if event else "—"),
        ("审核通过时间", _moment(event.created_at) if event else _moment(report.created_at)),
    ]
    if report.verification_code:
        facts.append(("校验码", code_groups(report.verification_code)))
    facts.append(("SHA-256", report.sha256))
    note = ""
    if by == "code":
        note = (
            "校验码只说明系统中有这份审定报告。纸质件请与下面的审定文件逐页核对；"
            "电子件请上传文件本身，按全文摘要核验。"
        )
    visible = access.evaluations_visible_to(user).filter(pk=evaluation.pk).exists()
    return Verdict(
        Outcome.APPROVED,
        "是系统保存的审定报告。",
        tuple(facts),
        note,
        evaluation,
        report if visible else None,
    )


def _draft(rendered: RenderedDocument) -> Verdict:
    evaluation = rendered.evaluation
    facts = (
        ("部门", evaluation.department.full_name),
        ("年度", f"{evaluation.year} 年度"),
        ("文件", rendered.get_appendix_display()),
        ("生成时的版本", f"第 {rendered.version} 版（{rendered.get_status_display()}）"),
        ("生成时间", _moment(rendered.created_at)),
        ("自评现在", f"第 {evaluation.version} 版（{evaluation.get_status_display()}）"),
    )
    if evaluation.version == rendered.version:
        return Verdict(
            Outcome.DRAFT_CURRENT,
            "是系统生成的草稿，不是审定报告：这份自评尚未审核通过。",
            facts,
            "审核通过后，以系统保存的审定文件为准。",
            evaluation,
        )
    approved = evaluation.status == Evaluation.Status.APPROVED
    return Verdict(
        Outcome.DRAFT_CHANGED,
        "是系统生成过的草稿，但自评此后已被修改"
        + ("并已审核通过：请以审定报告为准。" if approved else "：这不是现在的内容。"),
        facts,
        "",
        evaluation,
    )


def _claims(content: bytes) -> dict[str, str]:
    """What a PDF says of itself in its XMP metadata (written uncompressed by pdf.py)."""
    found = {}
    for name in ("department", "year", "document", "state", "version", "verificationCode"):
        match = re.search(
            rf"<{XMP_PREFIX}:{name}>([^<]{{1,200}})</{XMP_PREFIX}:{name}>".encode(), content
        )
        if match:
            found[name] = match.group(1).decode("utf-8", errors="replace")
    return found


def verify_digest(digest: str, user: access.AnyUser) -> Verdict | None:
    approved = (
        ApprovedReport.objects.filter(sha256=digest)
        .select_related("evaluation__department")
        .first()
    )
    if approved is not None:
        return _approved(approved, user, by="digest")
    rendered = (
        RenderedDocument.objects.filter(sha256=digest)
        .select_related("evaluation__department")
        .first()
    )
    if rendered is not None:
        return _draft(rendered)
    return None


def verify_file(content: bytes, user: access.AnyUser) -> Verdict:
    digest = hashlib.sha256(content).hexdigest()
    verdict = verify_digest(digest, user)
    if verdict is not None:
        return verdict
    claims = _claims(content)
    if "department" in claims and "year" in claims:
        what = f"{claims['year']} 年度{claims['department']}的{claims.get('document', '报告')}"
        state = claims.get("state", "")
        if claims.get("verificationCode"):
            what += f"（审定版，校验码 {code_groups(claims['verificationCode'])}）"
        elif state:
            what += f"（{state}，第 {claims.get('version', '?')} 版）"
        return Verdict(
            Outcome.CLAIMS,
            f"不是系统中的文件：它自称是{what}，但与系统保存或生成过的任何文件都不一致。",
            (("SHA-256", digest),),
            "文件在离开系统后被改动过（哪怕一个字节），或者不是本系统生成的。"
            "请向报送部门索取系统下载的原文件，或在系统中下载审定文件。",
        )
    return Verdict(
        Outcome.UNKNOWN,
        "未找到：这份文件与系统保存或生成过的任何报告都不一致。",
        (("SHA-256", digest),),
    )


def verify_text(text: str, user: access.AnyUser) -> Verdict:
    """A pasted SHA-256 (64 hexadecimal digits) or a typed verification code (12, in any
    case, with or without the hyphens and spaces)."""
    cleaned = re.sub(r"[\s\-–—－]", "", text)
    if SHA256.fullmatch(cleaned.lower()):
        verdict = verify_digest(cleaned.lower(), user)
        return verdict or Verdict(
            Outcome.UNKNOWN,
            "未找到：没有哪份报告的 SHA-256 是这个值。",
            (("SHA-256", cleaned.lower()),),
        )
    if CODE.fullmatch(cleaned.upper()):
        code = cleaned.upper()
        approved = (
            ApprovedReport.objects.filter(verification_code=code)
            .select_related("evaluation__department")
            .first()
        )
        if approved is not None:
            return _approved(approved, user, by="code")
        return Verdict(
            Outcome.UNKNOWN,
            f"未找到：没有哪份审定报告的校验码是 {code_groups(code)}。",
            note="请核对是否抄错（校验码由数字 0–9 和字母 A–F 组成，共 12 位）。",
        )
    return Verdict(
        Outcome.INVALID,
        "无法核验：请粘贴 64 位的 SHA-256，或输入报告最后一页页脚的 12 位校验码"
        "（如 3F2A-9C1B-77D0）。",
    )
