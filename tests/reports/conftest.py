import pytest
from django.core.management import call_command
from django.db import transaction

from evaluations.reports import report
from evaluations.selectors import evaluation_for_report


@pytest.fixture(scope="module")
def liwan_pdf(django_db_setup, django_db_blocker) -> bytes:
    """One render shared by the module; the loaded data is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "liwan_2023", verbosity=0)
        evaluation = evaluation_for_report(department_code="liwan-kgxj", year=2023)
        pdf_bytes = report.report_pdf(evaluation)
        transaction.set_rollback(True)
    return pdf_bytes
