"""Two processes act on the same evaluation at the same moment, against PostgreSQL (CI runs the
suite on it): two auditors approving, two fillers saving the same page. Each process is a
separate Django with its own connection, posting through the admin as a browser would; a
barrier releases them together. Exactly one wins, the other is refused with a message, and no
request answers 500. (SQLite has no row locks and one writer at a time: nothing to race.)"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from evaluations.models import ApprovedReport, Evaluation, ReviewEvent
from indicators.factories import CompleteEvaluationFactory
from review import services as review_services
from tests.helpers import change_form_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks: PostgreSQL only (run in CI)"
    ),
]
ROOT = Path(__file__).resolve().parents[2]

# One racer: log in as `username`, wait for the start time, POST, print the outcome as JSON.
RACER = """
import json, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client

username, url, data, start = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), float(sys.argv[4])
client = Client()
client.force_login(get_user_model().objects.get(username=username))
time.sleep(max(0.0, start - time.time()))
response = client.post(url, data)
print(json.dumps({
    "status": response.status_code,
    "messages": [str(m) for m in get_messages(response.wsgi_request)],
    "page": response.content.decode() if response.status_code != 302 else "",
}))
"""


def database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def race(*posts: tuple[str, str, dict]) -> list[dict]:
    """Run each (username, url, data) POST in its own process, all at the same moment."""
    start = time.time() + 4  # after every process has started Django and logged in
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "testserver",  # the test client's host
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, username, url, json.dumps(data, default=str), str(start)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username, url, data in posts
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.fixture
def submitted(department, make_user):
    evaluation = CompleteEvaluationFactory(department=department)
    filler = make_user("filler", role="filler", department=department)
    review_services.evaluation_transition(
        evaluation_id=evaluation.pk, user=filler.user, action="submit"
    )
    return evaluation


def test_two_auditors_approving_at_once_give_one_approval_and_one_refusal(
    submitted, make_user, department
):
    for name in ("auditor-a", "auditor-b"):
        make_user(name, role="auditor", department=department)
    url = reverse("admin:evaluations_evaluation_transition", args=[submitted.pk, "approve"])

    confirmed = {"_confirmed": "1"}
    results = race(("auditor-a", url, confirmed), ("auditor-b", url, confirmed))

    assert [r["status"] for r in results] == [302, 302], results
    outcomes = sorted(" ".join(r["messages"]) for r in results)
    assert sum("已审核通过" in o for o in outcomes) == 1, outcomes
    assert sum("未能审核通过" in o for o in outcomes) == 1, outcomes
    submitted.refresh_from_db()
    assert submitted.status == Evaluation.Status.APPROVED
    assert ReviewEvent.objects.filter(evaluation=submitted, to_status="approved").count() == 1
    # One set of files: 附件1 PDF, XLSX, Word; 附件2 PDF, Word.
    assert ApprovedReport.objects.filter(evaluation=submitted).count() == 5


def test_two_fillers_saving_the_same_page_at_once_keep_one_save_and_refuse_the_other(
    department, make_user
):
    evaluation = CompleteEvaluationFactory(department=department)
    first = make_user("filler-a", role="filler", department=department)
    make_user("filler-b", role="filler", department=department)
    url = reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    form = first.get(url).context["adminform"].form
    posts = [
        (name, url, change_form_data(form, conclusion_summary=text))
        for name, text in (("filler-a", "甲的修改"), ("filler-b", "乙的修改"))
    ]

    results = race(*posts)

    statuses = sorted(r["status"] for r in results)
    assert statuses == [200, 302], results  # one saved and redirected, one shown its form again
    refused = next(r for r in results if r["status"] == 200)
    assert "这份自评在您打开页面后已被他人修改" in refused["page"]
    evaluation.refresh_from_db()
    assert evaluation.conclusion_summary in ("甲的修改", "乙的修改")
    assert evaluation.version == form.instance.version + 1
