"""Import and export through django-import-export: the shared machinery and the budget figures.

Files are read by `read_dataset` (size limit, CSV encoding detection — UTF-8 with or without BOM,
or GBK as Chinese Excel saves it — empty rows dropped); exports are made safe for Excel by
`neutralise_formulae`. Resources name departments by 部门编码 and only touch the departments the
user may see (`DepartmentScopedResource`). Every error is reported per row and column in
Chinese; imports run in one transaction and write nothing when any row fails. The indicator
rows' resource, built on the same machinery, is in indicators/resources.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from import_export import resources, widgets
from import_export.fields import Field
from import_export.formats import base_formats

from evaluations import access, services
from evaluations.models import AMOUNT_FIELDS, Department, Evaluation

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# A text cell starting with one of these is a formula (or becomes one) in spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Chinese Excel saves CSV in GBK; GB18030 decodes every GBK file and a little more.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class ImportFileError(ValueError):
    """The uploaded file cannot be read as a table; the message is for the user."""


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
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            f"文件大小 {len(data) / 1024 / 1024:.1f} MB，超过上限 "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB：请分成几个文件导入。"
        )
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
        self, choices: type, *, column: str, aliases: dict[str, str] | None = None
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


# --- resources -----------------------------------------------------------------------------


class DepartmentScopedResource(resources.ModelResource):
    """Rows name their department by 部门编码; only the departments in `department_codes`
    (None: all) may be imported or exported.

    Errors are raised as ValidationErrors keyed by column header, so both the admin and the
    management command can say which row, which column and why."""

    REQUIRED_COLUMNS: tuple[str, ...] = ()

    def __init__(self, *, department_codes: Iterable[str] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.department_codes = None if department_codes is None else frozenset(department_codes)
        self.departments: dict[str, Department] = {}

    # columns
    def column_for(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return key
        for name, field in self.fields.items():
            if key in (name, field.attribute, field.column_name):
                return field.column_name
        return self.EXTRA_COLUMNS.get(key, key)

    EXTRA_COLUMNS: dict[str, str] = {}

    def by_column(self, errors: dict[str, list]) -> dict[str, list]:
        result: dict[str, list] = {}
        for key, messages in errors.items():
            result.setdefault(self.column_for(key), []).extend(messages)
        return result

    def before_import(self, dataset: tablib.Dataset, **kwargs) -> None:
        missing = [column for column in self.REQUIRED_COLUMNS if column not in dataset.headers]
        if missing:
            raise ImportFileError(
                f"缺少列：{'、'.join(missing)}。表头应为：{'、'.join(self.REQUIRED_COLUMNS)}。"
            )
        codes = {str(code).strip() for code in dataset[self.fields["department_code"].column_name]}
        self.departments = {d.code: d for d in Department.objects.filter(code__in=codes)}

    def department_error(self, code: str) -> str | None:
        if not code:
            return "部门编码不能为空。"
        if self.department_codes is not None and code not in self.department_codes:
            return f"无权导入部门“{code}”的数据。"
        if code not in self.departments:
            return f"部门编码“{code}”不存在。"
        return None

    def keys(self, row: dict) -> tuple[str, int | None, dict[str, str]]:
        """(部门编码, 年度, errors) read from a row."""
        errors: dict[str, str] = {}
        code_column = self.fields["department_code"].column_name
        year_column = self.fields["year"].column_name
        code = TextWidget().clean(row.get(code_column))
        error = self.department_error(code)
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

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # Foreign keys were resolved from rows loaded in before_import: no query per row.
        exclude = set(errors) | set(self.unresolved) | set(self.RESOLVED_FOREIGN_KEYS)
        exclude |= {f.attribute for f in self.fields.values() if f.column_name in errors}
        try:
            # Field rules and the model's clean() here; unique and check constraints (a query
            # each) are left to the service's own full_clean() when the row is saved, whose
            # errors are reported for the row in the same way.
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(self.by_column(errors))

    unresolved: tuple[str, ...] = ()
    RESOLVED_FOREIGN_KEYS: tuple[str, ...] = ()

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        error = result.validation_error
        if error is not None and hasattr(error, "error_dict"):
            result.validation_error = ValidationError(self.by_column(error.message_dict))
        return result

    def visible(self, queryset: QuerySet) -> QuerySet:
        raise NotImplementedError

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        if queryset is None:
            queryset = self.get_queryset()
        return neutralise_formulae(super().export(queryset=self.visible(queryset), **kwargs))


def number_field(attribute: str, column: str) -> Field:
    return Field(attribute=attribute, column_name=column, widget=NumberWidget())


def amount_field(name: str) -> Field:
    """Headed by the model's label, e.g. 全年预算数（万元）."""
    return number_field(name, str(Evaluation._meta.get_field(name).verbose_name))


def text_field(attribute: str, column: str) -> Field:
    return Field(attribute=attribute, column_name=column, widget=TextWidget())


class EvaluationBudgetResource(DepartmentScopedResource):
    """The budget figures of 一、（二）部门整体收支情况, one row per evaluation; a row for a
    department and year without an evaluation creates a draft one."""

    department_code = Field(attribute="department__code", column_name="部门编码", readonly=True)
    year = Field(attribute="year", column_name="年度", widget=YearWidget())
    budget_total = amount_field("budget_total")
    expenditure_total = amount_field("expenditure_total")
    general_public_budget = amount_field("general_public_budget")
    government_fund_budget = amount_field("government_fund_budget")
    state_capital_budget = amount_field("state_capital_budget")
    other_funds = amount_field("other_funds")
    basic_expenditure = amount_field("basic_expenditure")
    project_expenditure = amount_field("project_expenditure")
    carryover_balance = amount_field("carryover_balance")

    REQUIRED_COLUMNS = (
        "部门编码",
        "年度",
        *(str(Evaluation._meta.get_field(name).verbose_name) for name in AMOUNT_FIELDS),
    )
    EXTRA_COLUMNS = {"department": "部门编码"}
    RESOLVED_FOREIGN_KEYS = ("department",)

    class Meta:
        model = Evaluation
        fields = ("department_code", "year", *AMOUNT_FIELDS)
        import_id_fields = ("department_code", "year")
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True

    def get_queryset(self) -> QuerySet[Evaluation]:
        return Evaluation.objects.select_related("department").order_by("department__code", "year")

    def visible(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.select_related("department")
        if self.department_codes is None:
            return queryset
        return queryset.filter(department__code__in=self.department_codes)

    def before_import(self, dataset: tablib.Dataset, **kwargs) -> None:
        super().before_import(dataset, **kwargs)
        self.evaluations = {
            (e.department.code, e.year): e
            for e in Evaluation.objects.select_related("department").filter(
                department__code__in=self.departments
            )
        }
        self.seen: dict[tuple[str, int], int] = {}

    def get_instance(self, instance_loader, row) -> Evaluation | None:
        code, year, errors = self.keys(row)
        return None if errors else self.evaluations.get((code, year))

    def import_instance(self, instance: Evaluation, row, **kwargs) -> None:
        line = kwargs.get("row_number", 0) + 1
        code, year, errors = self.keys(row)
        if code and year is not None:
            first = self.seen.setdefault((code, year), line)
            if first != line:
                errors["年度"] = f"与第 {first} 行重复：部门“{code}”的 {year} 年度只能出现一次。"
        existing = self.evaluations.get((code, year))
        if existing is not None and (locked := locked_message(existing)):
            errors["年度"] = locked
        department = self.departments.get(code)
        self.unresolved = ()
        if department is not None and "部门编码" not in errors:
            instance.department = department
        else:
            self.unresolved = ("department",)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            for key, messages in self.by_column(error.message_dict).items():
                errors.setdefault(key, " ".join(messages))
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance: Evaluation, is_create: bool) -> None:
        services.evaluation_save(evaluation=instance)


def locked_message(evaluation: Evaluation) -> str | None:
    """Why rows may not be imported into this evaluation (submitted or approved), or None."""
    if evaluation.status in access.EDITABLE_STATUSES:
        return None
    return (
        f"部门“{evaluation.department.code}”的 {evaluation.year} 年度自评"
        f"{evaluation.get_status_display()}，不能再导入修改。"
    )


def import_errors(result) -> list[str]:
    """Every problem of an import result as one Chinese line each: file-level problems first,
    then "第 N 行，列“X”：reason" with N the spreadsheet line (the header is line 1)."""
    lines = [str(error.error) for error in result.base_errors]
    for number, errors in result.row_errors():
        lines.extend(f"第 {number + 1} 行：{error.error}" for error in errors)
    for invalid in result.invalid_rows:
        for column, messages in invalid.field_specific_errors.items():
            lines.extend(f"第 {invalid.number + 1} 行，列“{column}”：{m}" for m in messages)
        lines.extend(f"第 {invalid.number + 1} 行：{m}" for m in invalid.non_field_specific_errors)
    return lines
