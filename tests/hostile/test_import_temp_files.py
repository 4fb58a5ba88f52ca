"""An upload waits for its confirmation in the app's own folder, under a name the server drew:
a confirmation naming anything else answers 400 and reads, deletes and shows nothing; a
confirmed or failed preview leaves nothing behind, and an unconfirmed one expires."""

import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from evaluations.tabular import ImportTempStorage
from indicators.models import IndicatorRow
from tests.helpers import DATA, make_row
from tests.indicators.test_import import PROCESS_URL, confirm, snapshot, upload

pytestmark = pytest.mark.django_db

BUDGET_PROCESS_URL = reverse("admin:evaluations_evaluation_process_import")
SECRET = b"PK\x03\x04 not a table: the server's own file \xff\xfe"


@pytest.fixture
def existing_row(evaluation, framework_2023) -> IndicatorRow:
    return make_row(evaluation, actual=None)


@pytest.fixture
def planted():
    """A file of the system temp folder that the server did not store for an import."""
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.write(handle, SECRET)
    os.close(handle)
    path = Path(name)
    yield path
    path.unlink(missing_ok=True)


def stored(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir()) if folder.exists() else []


def confirmation(name: str, *, file_format: str = "1", resource: str = "0") -> dict[str, str]:
    return {
        "import_file_name": name,
        "original_file_name": "rows.csv",
        "format": file_format,
        "resource": resource,
    }


def test_a_confirmation_naming_a_file_of_the_temp_folder_answers_400_and_touches_it(
    staff_client, existing_row, planted
):
    before = snapshot()

    for url in (PROCESS_URL, BUDGET_PROCESS_URL):
        for file_format in ("0", "1"):
            response = staff_client.post(url, confirmation(planted.name, file_format=file_format))

            assert response.status_code == 400
            assert SECRET not in response.content
    assert planted.read_bytes() == SECRET
    assert snapshot() == before


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/passwd",
        "/etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "0123456789abcdef0123456789abcdef/../../x",
        "0123456789ABCDEF0123456789ABCDEF",
        "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef\n",
        "",
    ],
)
def test_a_confirmation_naming_anything_but_a_stored_upload_answers_400(
    staff_client, existing_row, planted, name
):
    response = staff_client.post(PROCESS_URL, confirmation(name))

    assert response.status_code == 400
    assert planted.read_bytes() == SECRET


@pytest.mark.parametrize(("file_format", "resource"), [("7", "0"), ("x", "0"), ("1", "3")])
def test_a_confirmation_with_a_format_or_resource_the_admin_lacks_answers_400(
    staff_client, existing_row, import_folder, file_format, resource
):
    preview = upload(staff_client, "indicators_good.csv")
    name = preview.context["confirm_form"].initial["import_file_name"]

    response = staff_client.post(
        PROCESS_URL, confirmation(name, file_format=file_format, resource=resource)
    )

    assert response.status_code == 400
    assert stored(import_folder) == [name]
    assert snapshot() == [("国家高新技术企业数量", Decimal("380"), None, 1)]


def test_a_preview_then_its_confirmation_imports_and_leaves_nothing_behind(
    staff_client, existing_row, import_folder
):
    preview = upload(staff_client, "indicators_good.csv")
    name = preview.context["confirm_form"].initial["import_file_name"]

    assert stored(import_folder) == [name]
    assert (import_folder / name).read_bytes() == (DATA / "indicators_good.csv").read_bytes()

    response = confirm(staff_client, preview)

    assert response.status_code == 302
    assert IndicatorRow.objects.count() == 3
    assert stored(import_folder) == []


def test_confirming_twice_imports_once_and_then_asks_for_the_file_again(staff_client, existing_row):
    preview = upload(staff_client, "indicators_good.csv")
    confirm(staff_client, preview)

    again = confirm(staff_client, preview)

    assert again.status_code == 302
    assert again["Location"] == reverse("admin:indicators_indicatorrow_import")
    page = staff_client.get(again["Location"]).content.decode()
    assert "预览已过期或已经导入：请重新上传文件。" in page
    assert IndicatorRow.objects.count() == 3


def test_a_preview_that_fails_leaves_nothing_behind(staff_client, existing_row, import_folder):
    bad = upload(staff_client, "indicators_broken_text_in_number.csv")
    unreadable = upload(staff_client, "junk.xlsx", bytes(range(256)) * 4)

    assert bad.context.get("confirm_form") is None
    assert unreadable.context["form"].errors["import_file"]
    assert stored(import_folder) == []


def test_an_unconfirmed_preview_is_removed_once_it_has_expired(
    staff_client, existing_row, import_folder
):
    first = upload(staff_client, "indicators_good.csv")
    old = first.context["confirm_form"].initial["import_file_name"]
    expired = time.time() - ImportTempStorage.MAX_AGE.total_seconds() - 60
    os.utime(import_folder / old, (expired, expired))

    second = upload(staff_client, "indicators_good.csv")

    assert stored(import_folder) == [second.context["confirm_form"].initial["import_file_name"]]
    assert confirm(staff_client, first)["Location"] == reverse(
        "admin:indicators_indicatorrow_import"
    )
    assert IndicatorRow.objects.count() == 1


def test_the_storage_itself_refuses_a_name_it_did_not_draw():
    from django.core.exceptions import SuspiciousFileOperation

    with pytest.raises(SuspiciousFileOperation):
        ImportTempStorage(name="../x")
