"""What every 附件1 and 附件2 PDF carries about itself: the evaluation's data as a JSON file
and the 附件1 workbook (embedded attachments), and in its XMP metadata the department, year,
state and version, and once approved the approver and the verification code.

The JSON is the evaluation as the system holds it: figures as exact decimal strings, every list
in order, the indicator rows with their computed scores. `evaluation_data` is the one
definition; the tests compare what pypdf extracts from a PDF with it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from evaluations.lists import ORDERED_LISTS
from evaluations.models import AMOUNT_FIELDS, Evaluation
from evaluations.reports.carried import Carried, EmbeddedFile
from evaluations.tabular import plain_number
from indicators.reports import appendix1

SCHEMA = "selfeval.evaluation/1"


def _decimal(value: Decimal | None) -> str | None:
    """Amounts as stored, to the fen ("8727.19", "0.00")."""
    return None if value is None else str(value)


def _number(value: Decimal | None) -> str | None:
    """Indicator values as written, without the database's padding ("305", not "305.0000")."""
    return None if value is None else f"{plain_number(value):f}"


def evaluation_data(evaluation: Evaluation, table: appendix1.Appendix1) -> dict[str, Any]:
    """The evaluation as data. Expects it loaded with its lists and indicator rows
    (`indicators.selectors.evaluations_for_documents`) and `table` its 附件1."""
    e = evaluation
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "department": {
            "code": e.department.code,
            "name": e.department.name,
            "full_name": e.department.full_name,
        },
        "year": e.year,
        "state": e.status,
        "state_label": e.get_status_display(),
        "version": e.version,
        "budget": {name: _decimal(getattr(e, name)) for name in AMOUNT_FIELDS},
        "completion_rate": _decimal(e.completion_rate),
        "conclusion_summary": e.conclusion_summary,
        "grade": e.grade,
        "grade_label": e.get_grade_display() if e.grade else "",
        "grade_override_reason": e.grade_override_reason,
        "task_analysis": e.task_analysis,
        "achievements": e.achievements,
    }
    for entry in ORDERED_LISTS:
        data[entry.accessor] = [
            {field: getattr(item, field) for field in entry.fields}
            for item in getattr(e, entry.accessor).all()
        ]
    data["indicators"] = [
        {
            "primary": line.primary,
            "secondary": line.secondary,
            "name": line.name,
            "nature": line.nature,
            "unit": line.unit,
            "target": _number(line.target),
            "actual": _number(line.actual),
            "growth": _number(line.growth),
            "weight": _number(line.weight),
            "score": _number(line.score),
            "score_text": line.score_text,
            "deviation": line.deviation,
        }
        for line in table.lines
    ]
    data["score"] = {
        "budget_weight": _number(table.budget_weight),
        "budget_score": _number(table.budget_score),
        "total": _decimal(table.total),
        "grade": table.grade,
        "explanation": table.explanation,
    }
    return data


def data_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


@dataclass(frozen=True)
class Approval:
    """Who approves, and when: what an approved document says of itself."""

    approver: str
    at: datetime


@dataclass(frozen=True)
class Snapshot:
    """The evaluation's 附件1 table and its data, computed once for a request: the data's digest
    keys the cache and the ETag, and the same data is what the PDF then carries."""

    table: appendix1.Appendix1
    data: dict[str, Any]

    @property
    def digest(self) -> str:
        """Of the JSON, which decides the workbook too (not built for the key)."""
        return hashlib.sha256(data_json(self.data)).hexdigest()


def snapshot(evaluation: Evaluation) -> Snapshot:
    """Expects an evaluation loaded for the documents (`review.documents.evaluations`)."""
    table = appendix1.appendix1_for(evaluation)
    return Snapshot(table, evaluation_data(evaluation, table))


def carried(
    evaluation: Evaluation,
    taken: Snapshot,
    *,
    document_title: str,
    approval: Approval | None = None,
) -> Carried:
    """What a PDF of `evaluation` carries, from `taken` (its snapshot). An approved document
    (`approval`) states itself 已审核 at the version the approval gives the evaluation."""
    table, data = taken.table, taken.data
    state, version = evaluation.get_status_display(), evaluation.version
    if approval is not None:
        state, version = Evaluation.Status.APPROVED.label, evaluation.version + 1
        data = {
            **data,
            "state": Evaluation.Status.APPROVED.value,
            "state_label": state,
            "version": version,
        }
    stem = f"{evaluation.year}年度{evaluation.department.full_name}"
    files = (
        EmbeddedFile(
            name=f"{stem}自评数据.json",
            content=data_json(data),
            description="自评数据（收支数据、各项列表、绩效指标与得分），JSON 格式",
        ),
        EmbeddedFile(
            name=appendix1.appendix1_filename(evaluation, "xlsx"),
            content=appendix1.appendix1_xlsx(table),
            description="附件1 部门整体支出绩效自评表，XLSX 格式",
        ),
    )
    properties = [
        ("departmentCode", evaluation.department.code),
        ("department", evaluation.department.full_name),
        ("year", str(evaluation.year)),
        ("document", document_title),
        ("state", state),
        ("version", str(version)),
    ]
    if approval is not None:
        properties += [
            ("approvedBy", approval.approver),
            ("approvedAt", timezone.localtime(approval.at).isoformat(timespec="seconds")),
        ]
    return Carried(files=files, properties=tuple(properties))
