"""Importing indicator rows and budget figures: admin upload with preview and confirm, and the
import_indicators command. Any error means nothing is written."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from evaluations.models import Evaluation
from evaluations.tabular import CSV, FORMATS, XLSX, read_dataset
from indicators.models import IndicatorRow
from indicators.resources import IndicatorRowResource
from tests.helpers import DATA, make_row

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:indicators_indicatorrow_import")
PROCESS_URL = reverse("admin:indicators_indicatorrow_process_import")


@pytest.fixture
def existing_row(evaluation, framework_2023) -> IndicatorRow:
    """The row the good files update (matched by 部门编码, 年度, 三级指标)."""
    return make_row(evaluation, actual=None)


def upload(client, name: str, content: bytes | None = None, url: str = IMPORT_URL):
    data = (DATA / name).read_bytes() if content is None else content
    file_format = XLSX if name.endswith(".xlsx") else CSV
    return client.post(
        url,
        {
            "resource": "0",
            "format": str(FORMATS.index(file_format)),
            "import_file": SimpleUploadedFile(name, data),
        },
    )


def confirm(client, preview, url: str = PROCESS_URL):
    form = preview.context["confirm_form"]
    return client.post(url, {name: form.initial[name] for name in form.fields})


def snapshot() -> list[tuple]:
    return list(
        IndicatorRow.objects.order_by("pk").values_list("name", "target", "actual", "order")
    )


def test_the_import_page_states_the_columns_formats_and_limit(staff_client):
    page = staff_client.get(IMPORT_URL).content.decode()

    assert "部门编码、年度、一级指标、二级指标、三级指标、计量单位、指标性质" in page
    assert "支持 XLSX 和 CSV（UTF-8 或 GBK 编码），文件不超过 5 MB、5,000 行数据、30 列。" in page


@pytest.mark.parametrize(
    "name",
    [
        "indicators_good.csv",
        "indicators_good_bom.csv",
        "indicators_good_gbk.csv",
        "indicators_good.xlsx",
    ],
)
def test_a_good_file_is_previewed_then_imported_matching_rows_by_name(
    staff_client, evaluation, existing_row, name
):
    preview = upload(staff_client, name)

    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert snapshot() == [
        ("国家高新技术企业数量", Decimal("380"), None, 1)
    ]  # a preview writes nothing

    response = confirm(staff_client, preview)

    assert response.status_code == 302
    assert snapshot() == [
        ("国家高新技术企业数量", Decimal("380"), Decimal("392"), 1),
        ("科技型中小企业入库数量", Decimal("700"), Decimal("665"), 2),
        ("企业服务满意度", Decimal("90"), Decimal("95"), 3),
    ]
    service = IndicatorRow.objects.get(name="企业服务满意度")
    assert (service.secondary.primary.name, service.secondary.name, service.unit) == (
        "满意度指标",
        "服务对象满意度指标",
        "%",
    )
    assert IndicatorRow.objects.get(name="科技型中小企业入库数量").deviation_reason.startswith(
        "入库审核趋严"
    )


@pytest.mark.parametrize(
    ("name", "messages"),
    [
        (
            "indicators_broken_missing_column.csv",
            ["缺少列：计量单位。表头应为：部门编码、年度、一级指标"],
        ),
        ("indicators_broken_text_in_number.csv", ["第 2 行", "年度指标值", "“三百八十”不是数字。"]),
        (
            "indicators_broken_unknown_department.csv",
            ["第 3 行", "部门编码", "部门编码“no-such-dept”不存在。"],
        ),
        (
            "indicators_broken_duplicate_rows.csv",
            [
                "第 4 行",
                "三级指标",
                "与第 2 行重复：同一部门同一年度的三级指标“国家高新技术企业数量”只能出现一次。",
            ],
        ),
    ],
)
def test_a_broken_file_is_rejected_with_row_column_and_reason_and_nothing_is_written(
    staff_client, existing_row, name, messages
):
    before = snapshot()

    response = upload(staff_client, name)

    page = response.content.decode()
    assert response.status_code == 200
    assert "未写入任何数据" in page
    for message in messages:
        assert message in page
    assert not response.context.get("confirm_form")
    assert snapshot() == before


def test_an_empty_file_is_rejected(staff_client, existing_row):
    response = upload(staff_client, "indicators_broken_empty.csv")

    assert response.context["form"].errors["import_file"] == ["所提交的是空文件。"]
    assert snapshot() == [("国家高新技术企业数量", Decimal("380"), None, 1)]


def test_a_file_with_only_a_header_is_rejected(staff_client, existing_row):
    header = (DATA / "indicators_good.csv").read_text(encoding="utf-8").splitlines()[0]

    response = upload(staff_client, "header_only.csv", header.encode("utf-8"))

    assert response.context["form"].errors["import_file"] == ["文件只有表头，没有数据行。"]


def test_a_ten_megabyte_file_of_junk_is_rejected_before_it_is_read(staff_client, existing_row):
    junk = bytes(range(256)) * (10 * 1024 * 1024 // 256)

    response = upload(staff_client, "junk.xlsx", junk)

    assert response.context["form"].errors["import_file"] == [
        "文件大小 10.0 MB，超过上限 5 MB：请分成几个文件导入。"
    ]
    assert snapshot() == [("国家高新技术企业数量", Decimal("380"), None, 1)]


def test_a_small_file_of_junk_is_rejected_as_unreadable(staff_client, existing_row):
    response = upload(staff_client, "junk.xlsx", bytes(range(256)) * 4)

    assert response.context["form"].errors["import_file"] == [
        "无法读取 XLSX 文件：文件已损坏，或不是 Excel 工作簿（.xlsx）。"
    ]


def test_rows_of_departments_the_user_may_not_touch_are_refused(existing_row):
    resource = IndicatorRowResource(department_codes={"another-dept"})
    dataset = read_dataset((DATA / "indicators_good.csv").read_bytes(), kind="csv")

    result = resource.import_data(dataset, dry_run=False, rollback_on_validation_errors=True)

    assert result.invalid_rows[0].field_specific_errors == {
        "部门编码": ["无权导入部门“test-dept”的数据。"]
    }
    assert snapshot() == [("国家高新技术企业数量", Decimal("380"), None, 1)]


def test_the_command_imports_a_good_file(existing_row):
    out = StringIO()

    call_command("import_indicators", str(DATA / "indicators_good_gbk.csv"), stdout=out)

    assert "导入完成：新增 2 行，更新 1 行。" in out.getvalue()
    assert IndicatorRow.objects.count() == 3


def test_the_command_dry_run_writes_nothing(existing_row):
    out = StringIO()

    call_command("import_indicators", str(DATA / "indicators_good.xlsx"), "--dry-run", stdout=out)

    assert "试运行通过：将新增 2 行，更新 1 行（未写入数据库）。" in out.getvalue()
    assert snapshot() == [("国家高新技术企业数量", Decimal("380"), None, 1)]


def test_the_command_prints_every_row_error_and_fails_writing_nothing(existing_row):
    err = StringIO()

    with pytest.raises(CommandError, match="导入失败，共 1 处错误，未写入任何数据。"):
        call_command(
            "import_indicators", str(DATA / "indicators_broken_text_in_number.csv"), stderr=err
        )

    assert err.getvalue().splitlines() == ["第 2 行，列“年度指标值”：“三百八十”不是数字。"]
    assert snapshot() == [("国家高新技术企业数量", Decimal("380"), None, 1)]


def test_the_command_refuses_an_empty_file(existing_row):
    with pytest.raises(CommandError, match="导入失败，未写入任何数据：文件是空的。"):
        call_command("import_indicators", str(DATA / "indicators_broken_empty.csv"))


BUDGET_IMPORT_URL = reverse("admin:evaluations_evaluation_import")
BUDGET_PROCESS_URL = reverse("admin:evaluations_evaluation_process_import")


def test_budget_figures_import_through_the_evaluation_admin(staff_client, evaluation):
    preview = upload(staff_client, "indicators_budget_good.csv", url=BUDGET_IMPORT_URL)

    response = confirm(staff_client, preview, url=BUDGET_PROCESS_URL)

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.budget_total, evaluation.expenditure_total) == (
        Decimal("9000.00"),
        Decimal("8100.00"),
    )
    assert evaluation.completion_rate == Decimal("90.0")


def test_budget_figures_that_do_not_add_up_are_refused_naming_the_numbers(staff_client, evaluation):
    response = upload(staff_client, "indicators_budget_broken_sums.csv", url=BUDGET_IMPORT_URL)

    page = response.content.decode()
    assert "第 2 行" in page
    assert "按资金来源分的各项支出之和应等于执行数 8100.00 万元" in page
    evaluation.refresh_from_db()
    assert evaluation.budget_total == Decimal("8727.19")
    assert Evaluation.objects.count() == 1
