"""An import locks each evaluation's row once, however many of its rows the file holds: the
rows of one evaluation are saved under the lock their first save took. Pinned by the queries an
import runs, through the command and the admin's confirm; and an import keeps nothing from the
one before."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import services as evaluation_services
from evaluations.models import Evaluation
from evaluations.tabular import import_errors, read_dataset
from indicators.models import IndicatorRow
from indicators.resources import IndicatorRowResource
from tests.helpers import DATA, make_row
from tests.indicators.test_import import confirm, upload
from tests.review.test_one_lock_per_save import lock_queries

pytestmark = pytest.mark.django_db

HEADER = "部门编码,年度,一级指标,二级指标,三级指标,计量单位,指标性质,年度指标值,实际完成值,分值,偏差原因分析及改进措施"
ROWS_PER_EVALUATION = 6


@pytest.fixture
def two_evaluations(evaluation, framework_2023) -> tuple[Evaluation, Evaluation]:
    other = evaluation_services.department_create(
        code="other", name="另一局", full_name="某市另一局"
    )
    theirs = evaluation_services.evaluation_create(department=other, year=2023)
    make_row(evaluation, actual=None)  # the file updates this one and adds the others
    return evaluation, theirs


def rows_file() -> bytes:
    """ROWS_PER_EVALUATION rows for each of the two evaluations, interleaved."""
    lines = [HEADER]
    for number in range(ROWS_PER_EVALUATION):
        name = "国家高新技术企业数量" if number == 0 else f"指标{number}"
        for code in ("test-dept", "other"):
            lines.append(f"{code},2023,产出指标,数量指标,{name},家,≥,100,100,1,")
    return ("\n".join(lines) + "\n").encode("utf-8")


def assert_imported(ours: Evaluation, theirs: Evaluation) -> None:
    for evaluation in (ours, theirs):
        rows = evaluation.indicator_rows.order_by("order")
        assert [(row.order, row.actual) for row in rows] == [
            (order, Decimal("100")) for order in range(1, ROWS_PER_EVALUATION + 1)
        ]


def assert_two_locks(captured: CaptureQueriesContext) -> None:
    locks = lock_queries(captured)
    assert len(locks) == 2, locks
    if connection.vendor == "postgresql":
        assert sum("FOR UPDATE" in query["sql"] for query in captured.captured_queries) == 2


def test_the_command_locks_each_evaluation_once_for_all_its_rows(two_evaluations, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(rows_file())
    out = StringIO()

    with CaptureQueriesContext(connection) as captured:
        call_command("import_indicators", str(path), stdout=out)

    assert "导入完成：新增 11 行，更新 1 行。" in out.getvalue()
    assert_imported(*two_evaluations)
    assert_two_locks(captured)


def test_an_admin_import_locks_each_evaluation_once_in_preview_and_confirm(
    staff_client, two_evaluations
):
    with CaptureQueriesContext(connection) as previewed:
        preview = upload(staff_client, "rows.csv", rows_file())
    with CaptureQueriesContext(connection) as confirmed:
        response = confirm(staff_client, preview)

    assert response.status_code == 302
    assert_imported(*two_evaluations)
    assert_two_locks(previewed)
    assert_two_locks(confirmed)


def test_an_evaluation_submitted_while_the_file_is_checked_is_refused_at_its_lock(
    two_evaluations, monkeypatch
):
    _, theirs = two_evaluations
    start_import = IndicatorRowResource.start_import

    def submitted_meanwhile(resource, dataset):
        run = start_import(resource, dataset)
        Evaluation.objects.filter(pk=theirs.pk).update(status=Evaluation.Status.SUBMITTED)
        return run

    monkeypatch.setattr(IndicatorRowResource, "start_import", submitted_meanwhile)
    before = list(IndicatorRow.objects.values_list("pk", "actual"))

    result = IndicatorRowResource().import_data(
        read_dataset(rows_file(), kind="csv"), rollback_on_validation_errors=True
    )

    # Every row of that evaluation, and only those, named with the lock's reason.
    assert import_errors(result) == [
        f"第 {line} 行：这份自评已提交，不能再修改。"
        for line in range(3, 2 * ROWS_PER_EVALUATION + 2, 2)
    ]
    assert result.totals["invalid"] == ROWS_PER_EVALUATION
    assert list(IndicatorRow.objects.values_list("pk", "actual")) == before


def test_a_resource_keeps_nothing_from_one_import_to_the_next(two_evaluations):
    resource = IndicatorRowResource()
    first = resource.import_data(read_dataset(rows_file(), kind="csv"))
    missing_column = read_dataset(
        (DATA / "indicators_broken_missing_column.csv").read_bytes(), kind="csv"
    )

    second = resource.import_data(missing_column)

    assert import_errors(first) == []
    assert import_errors(second) == [
        "缺少列：计量单位。表头应为：部门编码、年度、一级指标、二级指标、三级指标、计量单位、"
        "指标性质、年度指标值、实际完成值、分值、偏差原因分析及改进措施。"
    ]
