"""Tabular import and export for both apps, on django-import-export.

- Files: `read_dataset` reads an upload's bytes (one size limit, `check_size`; XLSX's first
  worksheet, or CSV in UTF-8 with or without BOM or in GBK as Chinese Excel saves it; empty rows
  dropped). `FORMATS` are what the admin offers.
- Cells: widgets that read what people type in Excel and write numbers as numbers; exports
  neutralise spreadsheet formulas.
- Resources: `DepartmentScopedResource` names departments by 部门编码 and touches only those the
  user may see. An import looks everything up once (`ImportRun`), plans each row (`RowPlan`),
  and saves the valid rows at the end, locking each evaluation's row once for all its rows. Any
  error is reported by row and column (`ImportProblem`); imports run in one transaction and
  write nothing when any row fails.
- Admin: `ChineseImportExportMixin` and its upload form, for both apps' admins.

The resources themselves, with their columns, are evaluations/resources.py (budget figures) and
indicators/resources.py (indicator rows).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from typing import Any

import tablib
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Choices, Model, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.forms import ImportForm
from import_export.results import Error, Result, RowResult

from evaluations import access, services
from evaluations.models import Department, Evaluation

MAX_IMPORT_MEGABYTES = 5
MAX_IMPORT_BYTES = MAX_IMPORT_MEGABYTES * 1024 * 1024
# A text cell starting with one of these is a formula (or becomes one) in spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Chinese Excel saves CSV in GBK; GB18030 decodes every GBK file and a little more.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class ImportFileError(ValueError):
    """The uploaded file cannot be read as a table; the message is for the user."""


def check_size(size: int) -> None:
    """Refuses a file over the limit, before it is read (the upload form, the command) and
    when it is (`read_dataset`)."""
    if size > MAX_IMPORT_BYTES:
        raise ImportFileError(
            f"文件大小 {size / 1024 / 1024:.1f} MB，超过上限 {MAX_IMPORT_MEGABYTES} MB："
            "请分成几个文件导入。"
        )


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


def _decode(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别 CSV 文件的编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件。")


def _csv_rows(data: bytes) -> list[list[object]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError("这不是一个 CSV 文本文件（含有二进制内容）。")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise ImportFileError(f"CSV 文件格式有误：{error}。") from None


def _xlsx_rows(data: bytes) -> list[list[object]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # zipfile, XML and openpyxl errors alike: not a workbook
        raise ImportFileError(
            "无法读取 XLSX 文件：文件已损坏，或不是 Excel 工作簿（.xlsx）。"
        ) from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_dataset(data: bytes, *, kind: str) -> tablib.Dataset:
    """A file's first table as a dataset: header row, then the non-empty rows.

    kind is "csv" (UTF-8 with or without BOM, or GBK) or "xlsx" (first worksheet)."""
    check_size(len(data))
    if not data.strip():
        raise ImportFileError("文件是空的。")
    rows = _csv_rows(data) if kind == "csv" else _xlsx_rows(data)
    rows = [row for row in rows if not all(_blank(cell) for cell in row)]
    if not rows:
        raise ImportFileError("文件是空的。")
    headers = [("" if cell is None else str(cell)).strip() for cell in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    dataset = tablib.Dataset(headers=headers)
    for number, row in enumerate(rows[1:], start=2):
        extra = row[len(headers) :]
        if any(not _blank(cell) for cell in extra):
            raise ImportFileError(f"第 {number} 行的单元格比表头多：请检查是否多了列或少了表头。")
        dataset.append([*row[: len(headers)], *([""] * (len(headers) - len(row)))])
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


FORMATS = [XLSX, CSV]


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
    if _blank(value):
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
        if _blank(value):
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


class LimitedImportForm(ImportForm):
    """Refuses oversized and empty uploads before anything reads them."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            raise ValidationError(str(error)) from None
        return upload


class ChineseImportExportMixin(ImportExportMixin):
    """XLSX and CSV (UTF-8 or GBK) with Chinese headers; the preview names bad rows by their
    spreadsheet row and column; nothing is written unless every row is valid; users only
    import and export the departments they may see."""

    formats = FORMATS
    import_form_class = LimitedImportForm
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
        return context

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request: HttpRequest):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request, "导入失败，未写入任何数据：文件在预览后发生了变化，请重新上传。"
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import")
            )
        return super().process_result(result, request)
