"""Backup and restore: `dumpdata` (natural foreign keys) of a full database, loaded into an
emptied one with `loaddata`, gives byte-identical report PDFs — 附件2 and 附件1 rendered anew,
and the PDFs stored when an evaluation was approved."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from evaluations import services
from evaluations.access import Role
from evaluations.factories import DepartmentFactory
from evaluations.models import ApprovedReport, Evaluation, ReviewEvent
from indicators.factories import CompleteEvaluationFactory
from indicators.models import IndicatorRow
from review import demo_data
from review import services as review_services

# Every table is emptied (flush) in the middle of the test.
pytestmark = pytest.mark.django_db(transaction=True)

DOCUMENTS = (("附件2", "reports:report_pdf"), ("附件1", "reports:appendix1_pdf"))
SHOWN = (("liwan-kgxj", 2023), ("approved-dept", 2023), ("demo-0002", 2022))


def full_database() -> None:
    call_command("loaddata", "liwan_2023", verbosity=0)
    services.roles_setup()
    demo_data.demo_data_generate(departments=3, years=[2022, 2023])
    department = DepartmentFactory(
        code="approved-dept", name="审定示例局", full_name="广州市审定区审定示例局"
    )
    evaluation = CompleteEvaluationFactory(department=department)
    auditor = get_user_model().objects.create_superuser(username="auditor", password="pw-1234567")
    services.department_user_create(
        username="filler",
        department=department,
        role=Role.FILLER,
        password="correct-horse-battery-9",
    )
    for action in ("submit", "approve"):
        review_services.evaluation_transition(
            evaluation_id=evaluation.pk, user=auditor, action=action
        )


def report_pdfs() -> dict[str, bytes]:
    cache.clear()  # render anew, not from the PDF cache
    client = Client()
    client.force_login(get_user_model().objects.get(username="auditor"))
    pdfs = {}
    for code, year in SHOWN:
        for label, url_name in DOCUMENTS:
            response = client.get(reverse(url_name, args=[code, year]))
            assert response.status_code == 200, (label, code)
            pdfs[f"{label} {code} {year}"] = response.content
    for stored in ApprovedReport.objects.select_related("evaluation__department"):
        pdfs[f"stored {stored}"] = bytes(stored.content)
    return pdfs


def test_a_dumpdata_loaddata_round_trip_reproduces_the_report_pdfs_byte_for_byte(tmp_path):
    full_database()
    before = report_pdfs()
    counts = [m.objects.count() for m in (Evaluation, IndicatorRow, ReviewEvent, ApprovedReport)]
    backup = tmp_path / "backup.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        f"--output={backup}",
        verbosity=0,
    )

    call_command("flush", "--no-input", verbosity=0)
    assert not Evaluation.objects.exists()
    call_command("loaddata", str(backup), verbosity=0)

    assert [m.objects.count() for m in (Evaluation, IndicatorRow, ReviewEvent, ApprovedReport)] == (
        counts
    )
    after = report_pdfs()
    assert len(before) == 11  # 6 downloads and the 5 files stored at one approval
    assert after.keys() == before.keys()
    for name, content in before.items():
        assert after[name] == content, name
