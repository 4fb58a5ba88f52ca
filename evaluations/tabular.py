"""Tabular import and export for both apps, on django-import-export.

- Files: `read_dataset` reads an upload's bytes (XLSX's first worksheet, or CSV in UTF-8 with
  or without BOM or in GBK as Chinese Excel saves it; empty rows dropped) within the limits of
  evaluations/spreadsheets.py (size, rows, columns, cell length, text). `FORMATS` are what the
  admin offers.
- Cells: widgets that read what people type in Excel and write numbers as numbers; exports and
  the app's own worksheets (`write_cell`) neutralise spreadsheet formulas.
- Resources: `DepartmentScopedResource` names departments by 部门编码 and touches only those the
  user may see. An import looks everything up once (`ImportRun`), plans each row (`RowPlan`),
  and saves the valid rows at the end, locking each evaluation's row once for all its rows. Any
  error is reported by row and column (`ImportProblem`); imports run in one transaction and
  write nothing when any row fails.
- Admin: `ChineseImportExportMixin` and its forms, for both apps' admins; an upload waits for
  its confirmation in `ImportTempStorage`, under a name the server drew and checks.

The resources themselves, with their columns, are evaluations/resources.py (budget figures) and
indicators/resources.py (indicator rows).
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    SuspiciousFileOperation,
    ValidationError,
)
from django.db import transaction
from django.db.models import Choices, Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm, SelectableFieldsExportForm
from import_export.results import Error, Result, RowResult
from import_export.tmp_storages import BaseStorage

from evaluations import access, services
from evaluations.models import Department, Evaluation
from evaluations.spreadsheets import (
    MAX_COLUMNS,
    MAX_IMPORT_MEGABYTES,
    MAX_ROWS,
    ImportFileError,
    check_size,
    is_blank,
    read_rows,
)

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

# A text cell starting with one of these is a formula (or becomes one) in spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- problems --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an import, placed as a spreadsheet user finds it: `line` is the row
    number Excel shows (the header is line 1), None for the file as a whole; `column` the
    header, None for the whole row."""

    message: str
    line: int | None = None
    column: str | None = None

    @property
    def line_label(self) -> str:
        return "—" if self.line is None else f"第 {self.line} 行"

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column is None:
            return f"{self.line_label}：{self.message}"
        return f"{self.line_label}，列“{self.column}”：{self.message}"


class ImportResult(Result):
    """django-import-export's result of an import, which lists its problems and can take back
    a row that failed only when it was saved."""

    def problems(self) -> list[ImportProblem]:
        """File-level problems first, then each row's, in the order of the file."""
        found = [ImportProblem(str(error.error)) for error in self.base_errors]
        for number, errors in self.row_errors():
            found.extend(ImportProblem(str(error.error), number + 1) for error in errors)
        for invalid in self.invalid_rows:
            line = invalid.number + 1
            for column, texts in invalid.field_specific_errors.items():
                found.extend(ImportProblem(text, line, column) for text in texts)
            found.extend(ImportProblem(text, line) for text in invalid.non_field_specific_errors)
        return found

    def reject(self, pending: PendingRow, error: Exception) -> None:
        """Reports a row whose save failed like one that failed its checks."""
        row_result = pending.result
        self.totals[row_result.import_type] -= 1
        if isinstance(error, ValidationError):
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
            self.append_invalid_row(pending.number, pending.row, error)
            self.invalid_rows.sort(key=attrgetter("number"))
        else:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(Error(error, row=pending.row, number=pending.number))
            self.append_error_row(pending.number, pending.row, row_result.errors)
        self.increment_row_result_total(row_result)


def import_errors(result: ImportResult) -> list[str]:
    """Every problem of an import as one Chinese line each, e.g. "第 3 行，列“年度”：…"."""
    return [str(problem) for problem in result.problems()]


def locked_message(evaluation: Evaluation) -> str | None:
    """Why rows may not be imported into this evaluation (submitted or approved), or None."""
    if evaluation.status in access.EDITABLE_STATUSES:
        return None
    return (
        f"部门“{evaluation.department.code}”的 {evaluation.year} 年度自评"
        f"{evaluation.get_status_display()}，不能再导入修改。"
    )


# --- reading files -------------------------------------------------------------------------


def read_dataset(data: bytes, *, kind: str) -> tablib.Dataset:
    """A file's first table as a dataset: header row, then the non-empty rows, read within
    the limits of evaluations/spreadsheets.py.

    kind is "csv" (UTF-8 with or without BOM, or GBK) or "xlsx" (first worksheet)."""
    rows = read_rows(data, kind=kind)
    if not rows:
        raise ImportFileError("文件是空的。")
    headers = [("" if cell is None else str(cell)).strip() for cell in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    dataset = tablib.Dataset(headers=headers)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(headers):
            raise ImportFileError(f"第 {number} 行的单元格比表头多：请检查是否多了列或少了表头。")
        dataset.append([*row, *([""] * (len(headers) - len(row)))])
    if not len(dataset):
        raise ImportFileError("文件只有表头，没有数据行。")
    return dataset


class CSV(base_formats.CSV):
    """CSV read as bytes so the encoding can be detected; written as UTF-8 with BOM, which
    Excel opens correctly."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return read_dataset(in_stream, kind="csv")

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> bytes:
        return dataset.export("csv").encode("utf-8-sig")


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        return read_dataset(in_stream, kind="xlsx")


FORMATS: list[type[base_formats.Format]] = [XLSX, CSV]


def format_for_filename(name: str) -> type[base_formats.Format]:
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return CSV
    if lowered.endswith(".xlsx"):
        return XLSX
    raise ImportFileError("只能导入 .xlsx 或 .csv 文件。")


# --- cells ---------------------------------------------------------------------------------


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulae(dataset: tablib.Dataset) -> tablib.Dataset:
    safe = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        safe.append([neutralise(cell) for cell in row])
    return safe


def write_cell(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """The one way the app's own openpyxl code writes a value (the 附件1 XLSX; exports go
    through `neutralise_formulae`): text is neutralised as in the exports and stored as text,
    so that neither a formula ("=HYPERLINK(…)") nor an error code ("#N/A") typed by a user
    becomes live in Excel; numbers stay numbers."""
    cell = sheet.cell(row=row, column=column, value=neutralise(value))
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def plain_number(value: Decimal) -> Decimal:
    """305.0000 → 305, 14.1800 → 14.18 (no exponent, so CSV shows it as written)."""
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


class TextWidget(widgets.CharWidget):
    """Text as typed; an apostrophe our export put before a formula character is taken off."""

    def clean(self, value, row=None, **kwargs) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
            text = text[1:]
        return text


class NumberWidget(widgets.DecimalWidget):
    """Decimals; Chinese messages; exported as numbers, never as text."""

    def __init__(self) -> None:
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        if self.is_empty(value):
            return None
        if isinstance(value, bool):
            raise ValueError(f"“{value}”不是数字。")
        if isinstance(value, float):
            value = repr(value)
        text = str(value).strip().replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是数字。") from None
        if not number.is_finite():
            raise ValueError(f"“{value}”不是数字。")
        return number

    def render(self, value, obj=None, **kwargs):
        return None if value is None else plain_number(value)


class YearWidget(widgets.IntegerWidget):
    def __init__(self) -> None:
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs) -> int | None:
        return parse_year(value)

    def render(self, value, obj=None, **kwargs):
        return value


def parse_year(value: object) -> int | None:
    if is_blank(value):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"“{value}”不是年份。") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"“{value}”不是年份。")
    return int(number)


class ChoiceWidget(widgets.Widget):
    """A choice by its Chinese label (≥, 定性, 达成年度指标) or its code; exported as the label."""

    def __init__(
        self, choices: type[Choices], *, column: str, aliases: dict[str, str] | None = None
    ) -> None:
        super().__init__(coerce_to_string=True)
        self.by_text = {str(label): code for code, label in choices.choices}
        self.by_text.update({code: code for code, _ in choices.choices})
        self.by_text.update(aliases or {})
        self.labels = dict(choices.choices)
        self.column = column

    def clean(self, value, row=None, **kwargs) -> str:
        if is_blank(value):
            return ""
        text = str(value).strip()
        if text not in self.by_text:
            allowed = "、".join(str(label) for label in self.labels.values())
            raise ValueError(f"“{text}”不是有效的{self.column}，应为：{allowed}。")
        return self.by_text[text]

    def render(self, value, obj=None, **kwargs) -> str:
        return str(self.labels.get(value, value or ""))


def number_field(attribute: str, column: str) -> Field:
    return Field(attribute=attribute, column_name=column, widget=NumberWidget())


def text_field(attribute: str, column: str) -> Field:
    return Field(attribute=attribute, column_name=column, widget=TextWidget())


# --- resources -----------------------------------------------------------------------------


@dataclass(kw_only=True)
class ImportRun:
    """One call of `import_data`: what it looked up before the first row, the rows it has
    seen and the rows it will save. Made afresh by `start_import` and passed to every step, so
    a resource carries nothing from one import to the next."""

    departments: dict[str, Department]
    evaluations: dict[tuple[str, int], Evaluation]
    seen: dict[tuple[object, ...], int] = field(default_factory=dict)
    pending: list[PendingRow] = field(default_factory=list)

    def first_line(self, key: tuple[object, ...], line: int) -> int:
        """The line where `key` first appeared: `line` itself unless it is a repeat."""
        return self.seen.setdefault(key, line)


@dataclass
class RowPlan:
    """One row looked up, before its cells are read: the object it creates or updates, the
    problems found so far (by column), the evaluation whose row lock its save needs (None for
    a new evaluation), and the model fields the row could not set, left out of validation."""

    instance: Model
    new: bool
    errors: dict[str, str]
    evaluation_id: int | None
    unresolved: frozenset[str] = frozenset()


@dataclass
class PendingRow:
    """A valid row waiting for the batch save; `number` counts data rows from 1."""

    number: int
    row: dict[str, object]
    plan: RowPlan
    result: RowResult


class EvaluationLocks:
    """Each evaluation's row locked and checked once for a whole import: the first save of an
    evaluation takes the lock (`evaluation_check_editable`), the later ones go through with the
    locked row, which the lock keeps current until the import's transaction ends. A refusal is
    remembered too, for every row of that evaluation."""

    def __init__(self) -> None:
        self._held: dict[int, Evaluation | ValidationError] = {}

    def __call__(self, evaluation_id: int | None) -> Evaluation | None:
        if evaluation_id is None:
            return None
        if evaluation_id not in self._held:
            try:
                self._held[evaluation_id] = services.evaluation_check_editable(
                    evaluation_id=evaluation_id
                )
            except ValidationError as error:
                self._held[evaluation_id] = error
        held = self._held[evaluation_id]
        if isinstance(held, ValidationError):
            raise held
        return held


class DepartmentScopedResource(resources.ModelResource):
    """Rows name their department by 部门编码; only the departments in `department_codes`
    (None: all) may be imported or exported.

    An import goes: `start_import` looks up what the file names (`ImportRun`); each row is
    planned (`plan_row`), its cells read and the object checked, and queued; after the last
    row the queued rows are saved through `save_row` in file order, each evaluation's under one
    lock. Errors are ValidationErrors keyed by column header, so both the admin and the
    management command can say which row, which column and why."""

    REQUIRED_COLUMNS: tuple[str, ...] = ()
    # Model fields reported under a column of another name.
    EXTRA_COLUMNS: dict[str, str] = {}
    # Foreign keys set from the objects `start_import` loaded, so never checked row by row
    # (a query each).
    RESOLVED_FOREIGN_KEYS: tuple[str, ...] = ()

    def __init__(self, *, department_codes: Iterable[str] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.department_codes = None if department_codes is None else frozenset(department_codes)

    @classmethod
    def get_result_class(cls) -> type[ImportResult]:
        return ImportResult

    # --- to be defined by each resource

    def start_import(self, dataset: tablib.Dataset) -> ImportRun:
        raise NotImplementedError

    def plan_row(self, run: Any, row: dict[str, object], line: int) -> RowPlan:
        """`line` is the spreadsheet's row number (the header is line 1)."""
        raise NotImplementedError

    def save_row(self, instance: Any, *, locked: Evaluation | None) -> None:
        raise NotImplementedError

    def visible(self, queryset: QuerySet) -> QuerySet:
        raise NotImplementedError

    # --- columns

    def column_for(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return key
        for name, column in self.fields.items():
            if key in (name, column.attribute, column.column_name):
                return column.column_name
        return self.EXTRA_COLUMNS.get(key, key)

    def by_column(self, errors: dict[str, list]) -> dict[str, list]:
        result: dict[str, list] = {}
        for key, texts in errors.items():
            result.setdefault(self.column_for(key), []).extend(texts)
        return result

    def column_error(self, error: ValidationError) -> ValidationError:
        if hasattr(error, "error_dict"):
            return ValidationError(self.by_column(error.message_dict))
        return error

    # --- looking rows up

    def departments_named(self, dataset: tablib.Dataset) -> dict[str, Department]:
        codes = {str(code).strip() for code in dataset[self.fields["department_code"].column_name]}
        return {d.code: d for d in Department.objects.filter(code__in=codes)}

    def department_error(self, run: ImportRun, code: str) -> str | None:
        if not code:
            return "部门编码不能为空。"
        if self.department_codes is not None and code not in self.department_codes:
            return f"无权导入部门“{code}”的数据。"
        if code not in run.departments:
            return f"部门编码“{code}”不存在。"
        return None

    def keys(
        self, run: ImportRun, row: dict[str, object]
    ) -> tuple[str, int | None, dict[str, str]]:
        """(部门编码, 年度, errors) read from a row."""
        errors: dict[str, str] = {}
        code_column = self.fields["department_code"].column_name
        year_column = self.fields["year"].column_name
        code = TextWidget().clean(row.get(code_column))
        error = self.department_error(run, code)
        if error:
            errors[code_column] = error
        try:
            year = parse_year(row.get(year_column))
        except ValueError as exc:
            errors[year_column] = str(exc)
            year = None
        else:
            if year is None:
                errors[year_column] = "年度不能为空。"
        return code, year, errors

    # --- the import

    def import_data(self, dataset: tablib.Dataset, **kwargs) -> ImportResult:
        try:
            missing = [column for column in self.REQUIRED_COLUMNS if column not in dataset.headers]
            if missing:
                raise ImportFileError(
                    f"缺少列：{'、'.join(missing)}。表头应为：{'、'.join(self.REQUIRED_COLUMNS)}。"
                )
            run = self.start_import(dataset)
        except ImportFileError as error:
            # A file the rows cannot be read from: no row is looked at.
            result = self.get_result_class()()
            self.handle_import_error(result, error, kwargs.get("raise_errors", False))
            return result
        return super().import_data(dataset, run=run, **kwargs)

    def import_row(
        self, row, instance_loader, *, run: ImportRun, row_number: int, **kwargs
    ) -> RowResult:
        """Plans, reads and checks one row and queues it for `save_pending`; nothing is
        written here."""
        row_result = self.get_row_result_class()()
        try:
            plan = self.plan_row(run, row, line=row_number + 1)
            row_result.import_type = (
                RowResult.IMPORT_TYPE_NEW if plan.new else RowResult.IMPORT_TYPE_UPDATE
            )
            errors = dict(plan.errors)
            try:
                self.import_instance(plan.instance, row, **kwargs)
            except ValidationError as error:
                for key, texts in self.by_column(error.message_dict).items():
                    errors.setdefault(key, " ".join(texts))
            self.validate(plan, errors)
            run.pending.append(PendingRow(row_number, row, plan, row_result))
            row_result.add_instance_info(plan.instance)
            if kwargs.get("retain_instance_in_row_result"):
                row_result.instance = plan.instance  # for the admin's log entries
        except ValidationError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
        except Exception as error:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(Error(error, row=row, number=row_number))
        return row_result

    def validate(self, plan: RowPlan, errors: dict[str, str]) -> None:
        """Field rules and the model's clean(); unique and check constraints (a query each)
        are left to the service's own full_clean() when the row is saved, whose errors are
        reported for the row in the same way."""
        exclude = set(errors) | plan.unresolved | set(self.RESOLVED_FOREIGN_KEYS)
        exclude |= {f.attribute for f in self.fields.values() if f.column_name in errors}
        found = ValidationError(errors).update_error_dict({})
        try:
            plan.instance.full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            found = error.update_error_dict(found)
        if found:
            raise ValidationError(self.by_column(found))

    def after_import(self, dataset, result: ImportResult, **kwargs) -> None:
        # As the library's save_instance: a dry run without a transaction writes nothing.
        if kwargs.get("using_transactions") or not kwargs.get("dry_run"):
            self.save_pending(kwargs["run"], result)
        super().after_import(dataset, result, **kwargs)

    @transaction.atomic
    def save_pending(self, run: ImportRun, result: ImportResult) -> None:
        """Saves the queued rows in file order, each evaluation's under one row lock. A row
        that fails (a unique constraint, an evaluation submitted since the file was checked)
        is reported for its row; the others are still saved so that every problem is listed,
        and the import's transaction writes nothing when there is any."""
        lock = EvaluationLocks()
        for pending in run.pending:
            instance = pending.plan.instance
            try:
                self.save_row(instance, locked=lock(pending.plan.evaluation_id))
            except ValidationError as error:
                result.reject(pending, self.column_error(error))
            except Exception as error:
                result.reject(pending, error)
            else:
                pending.result.add_instance_info(instance)

    # --- export

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        if queryset is None:
            queryset = self.get_queryset()
        return neutralise_formulae(super().export(queryset=self.visible(queryset), **kwargs))


# --- admin ---------------------------------------------------------------------------------


class ImportTempStorage(BaseStorage):
    """Where an upload waits between its preview and its confirmation: a folder of the app's
    own (settings.IMPORT_TMP_DIR, by default media/imports/ in the project, shared by the app
    server's workers), under a name the server drew and checks before touching anything. The
    file is removed when the import is confirmed or its preview fails, and a preview never
    confirmed is removed after MAX_AGE by the next upload.

    django-import-export's default, TempFolderStorage, reads and deletes whatever file of the
    system temp folder the confirm form names."""

    NAME = re.compile(r"[0-9a-f]{32}")
    MAX_AGE = timedelta(hours=2)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        if self.name is not None and not self.valid_name(self.name):
            raise SuspiciousFileOperation("导入文件名无效。")

    @classmethod
    def valid_name(cls, name: object) -> bool:
        return isinstance(name, str) and cls.NAME.fullmatch(name) is not None

    @staticmethod
    def folder() -> Path:
        default = Path(settings.BASE_DIR) / "media" / "imports"
        return Path(getattr(settings, "IMPORT_TMP_DIR", default))

    def path(self) -> Path:
        if self.name is None:
            raise SuspiciousFileOperation("导入文件名无效。")
        return self.folder() / self.name

    def save(self, data: bytes | str) -> None:
        folder = self.folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.remove_expired(folder)
        self.name = secrets.token_hex(16)
        content = data.encode(self.encoding or "utf-8") if isinstance(data, str) else data
        # Readable by the app's user alone; "x": never over a file that exists.
        descriptor = os.open(self.path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)

    def read(self) -> bytes | str:
        """FileNotFoundError when the file was imported already or has expired."""
        content = self.path().read_bytes()
        if "b" in self.read_mode:
            return content
        return content.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        self.path().unlink(missing_ok=True)

    @classmethod
    def remove_expired(cls, folder: Path) -> None:
        oldest = time.time() - cls.MAX_AGE.total_seconds()
        for entry in folder.iterdir():
            try:
                if cls.valid_name(entry.name) and entry.stat().st_mtime < oldest:
                    entry.unlink(missing_ok=True)
            except OSError:
                continue  # removed meanwhile by another worker


class ImportConfirmForm(ConfirmImportForm):
    """The preview's confirmation, refused unless it names a file the server stored and a
    format the admin offers."""

    import_file_name = forms.CharField(widget=forms.HiddenInput(), strip=False)

    def clean_import_file_name(self) -> str:
        name = self.cleaned_data["import_file_name"]
        if not ImportTempStorage.valid_name(name):
            raise ValidationError("导入文件名无效。")
        return name

    def clean_format(self) -> str:
        value = self.cleaned_data["format"]
        if value not in {str(index) for index in range(len(FORMATS))}:
            raise ValidationError("文件格式无效。")
        return value

    def clean_resource(self) -> str:
        value = self.cleaned_data.get("resource", "")
        if value not in ("", "0"):  # each admin has one resource
            raise ValidationError("导入类型无效。")
        return value


class LimitedImportForm(ImportForm):
    """Refuses oversized and empty uploads before anything reads them."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            raise ValidationError(str(error)) from None
        return upload


class ChineseExportForm(SelectableFieldsExportForm):
    """The columns offered for export by their Chinese headers (the package writes the
    attribute's name in English title case, with the header in brackets)."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field is not None else field_name


class ChineseImportExportMixin(ImportExportMixin):
    """XLSX and CSV (UTF-8 or GBK) with Chinese headers; the preview names bad rows by their
    spreadsheet row and column; nothing is written unless every row is valid; users only
    import and export the departments they may see."""

    formats = FORMATS
    import_form_class = LimitedImportForm
    confirm_form_class = ImportConfirmForm
    export_form_class = ChineseExportForm
    # Also settings.IMPORT_EXPORT_TMP_STORAGE_CLASS, for any other import-export admin.
    tmp_storage_class = ImportTempStorage
    import_template_name = "admin/tabular/import.html"

    def get_resource_kwargs(self, request: HttpRequest, *args, **kwargs) -> dict[str, object]:
        return {"department_codes": access.department_codes_visible_to(request.user)}

    def get_import_data_kwargs(self, **kwargs) -> dict[str, object]:
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # Without this a row that turns invalid between preview and confirm would be skipped
        # while the others are written.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def get_import_context_data(self, **kwargs) -> dict[str, object]:
        context = super().get_import_context_data(**kwargs)
        resource = self.get_import_resource_classes(None)[0]
        context["required_columns"] = resource.REQUIRED_COLUMNS
        context["max_megabytes"] = MAX_IMPORT_MEGABYTES
        context["max_rows"] = f"{MAX_ROWS:,}"
        context["max_columns"] = MAX_COLUMNS
        return context

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        """The preview; the stored upload is removed at once unless it can be confirmed."""
        response = super().import_action(request, **kwargs)
        stored = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        context = getattr(response, "context_data", None) or {}
        if stored and not context.get("confirm_form"):
            ImportTempStorage(name=stored).remove()
        return response

    @method_decorator(require_POST)
    def process_import(self, request: HttpRequest, **kwargs) -> HttpResponse:
        """The confirmed import of a previewed file. A confirmation naming anything but a file
        the server stored answers 400 and touches nothing."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return HttpResponseBadRequest(
                "导入请求无效：请重新上传文件。", content_type="text/plain; charset=utf-8"
            )
        storage = ImportTempStorage(name=form.cleaned_data["import_file_name"], read_mode="rb")
        try:
            data = storage.read()
            dataset = FORMATS[int(form.cleaned_data["format"])]().create_dataset(data)
        except FileNotFoundError:
            return self.import_again(request, "预览已过期或已经导入：请重新上传文件。")
        except ImportFileError as error:
            return self.import_again(request, f"导入失败，未写入任何数据：{error}")
        finally:
            storage.remove()
        result = self.process_dataset(dataset, form, request, **kwargs)
        return self.process_result(result, request)

    def import_again(self, request: HttpRequest, message: str) -> HttpResponseRedirect:
        messages.error(request, message)
        return HttpResponseRedirect(
            reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import")
        )

    def export_action(self, request: HttpRequest) -> HttpResponse:
        """An export of the list as filtered; a filter the list does not have answers 400
        (django-import-export lets the changelist's error through as a 500)."""
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(
                "导出条件无效：请从列表页的“导出”按钮进入。",
                content_type="text/plain; charset=utf-8",
            )

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request: HttpRequest):
        if result.has_errors() or result.has_validation_errors():
            return self.import_again(
                request, "导入失败，未写入任何数据：文件在预览后发生了变化，请重新上传。"
            )
        return super().process_result(result, request)
