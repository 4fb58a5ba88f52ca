"""The load bench's traffic as Locust users; bench/load.py starts the server and runs them.

Every client logs in through /admin/login/ (with the CSRF token) and then, without pause, plays
one part (bench/load.py gives client i the part ROLES[i % 4]; the locust command, equal shares),
as the account its part names:

- AdminChangeReader, as the superuser: the admin change page of a random evaluation;
- PreviewReader, as a 审核人员 (who sees every department): the report preview of a random
  evaluation;
- CachedPdfReader, as a 填报人员 of that report's department: the PDF of one report (cached after
  each worker's first render);
- Writer, as the superuser: in turn for each of its own 20 evaluations, the admin change page, a
  save through that form (so the report's cache key changes) and the report's PDF, which is then
  rendered anew.

Between these, every client goes back to its start page, the admin index /admin/ (which shows
each role its own work): one task in four (Locust's task weights), recorded per account as
"start page (superuser)", "start page (auditor)" and "start page (filler)".

What to request and as whom (the three accounts' usernames and their one password) comes from a
plan, a JSON file named by BENCH_PLAN that bench/load.py writes into its work directory (kept with
BENCH_KEEP_LOGS=1). To aim the traffic at a server of one's own holding the same data and
accounts:

    BENCH_PLAN=plan.json .venv/bin/locust -f bench/locustfile.py --headless -u 8 -r 8 -t 30s \\
        --stop-timeout 180 --host http://127.0.0.1:8000
"""

from __future__ import annotations

import functools
import html.parser
import itertools
import json
import os
import random
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from gevent.event import Event
from locust import FastHttpUser, constant, task
from locust.exception import StopUser

REQUEST_TIMEOUT = 60  # seconds; a request taking longer counts as a hang
ERROR_PAGE_MARK = "服务器出错（500）"
ERROR_PAGE = "500 error page"  # the failure recorded for an HTTP 500 showing that page
MARKER = re.compile(r"（压测修改 [0-9a-f]+）$")
ERROR_NOTE = re.compile(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', re.DOTALL)


# The accounts the clients log in as (Client.account), as the plan names them.
ACCOUNTS = ("superuser", "auditor", "filler")
START_PAGE_WEIGHT = 1  # against the weight of each part's own task
OWN_TASK_WEIGHT = 3


@dataclass(frozen=True)
class Plan:
    usernames: dict[str, str]  # account (ACCOUNTS) → username
    password: str  # the same for every account
    evaluations: list[dict]  # every evaluation: pk, code, year
    cached_report: str  # the path of the PDF the CachedPdfReaders fetch
    writers: list[list[dict]]  # each Writer's own evaluations
    max_requests: int  # per client; a Writer counts one per save attempt


# bench/load.py holds the logged-in clients here until the last one is in, so that its figures
# start together; run by the locust command, they go at once.
start_gate = Event()
start_gate.set()


@functools.cache
def plan() -> Plan:
    return Plan(**json.loads(Path(os.environ["BENCH_PLAN"]).read_text()))


def new_run() -> None:
    """Number the clients and the writers' slots afresh and read the plan again, so that a
    second run in the same process (bench/load.py --baseline) makes the same requests."""
    global _seeds, _writer_slots
    _seeds, _writer_slots = itertools.count(), itertools.count()
    plan.cache_clear()


class FormParser(html.parser.HTMLParser):
    """The fields a browser would submit from the form with the given id."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name and "__prefix__" not in name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name and "__prefix__" not in name:
            self._textarea, self._text = name, []
        elif tag == "select" and name and "__prefix__" not in name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:
                self.fields.append((self._select, (chosen or [self._options[0][0]])[0]))
            self._select = None


def edited(fields: list[tuple[str, str]], mark: str) -> list[tuple[str, str]]:
    """The form as loaded, with one consistent change: a marker in 主要工作成效 and in the first
    部门职能, and 0.01 万元 moved from 项目支出 to 基本支出 (the sums still add up)."""
    values = dict(fields)
    basic, project = Decimal(values["basic_expenditure"]), Decimal(values["project_expenditure"])
    changes = {
        "achievements": MARKER.sub("", values["achievements"].rstrip()) + mark,
        "departmentfunctions-0-text": MARKER.sub("", values["departmentfunctions-0-text"]) + mark,
    }
    if project >= Decimal("0.01"):
        changes["basic_expenditure"] = str(basic + Decimal("0.01"))
        changes["project_expenditure"] = str(project - Decimal("0.01"))
    return [(name, changes.get(name, value)) for name, value in fields] + [("_save", "保存")]


def is_page(response) -> bool:
    return response.status_code == 200 and b"</html>" in response.content


def is_pdf(response) -> bool:
    return response.status_code == 200 and response.content.startswith(b"%PDF-")


def is_saved(response) -> bool:
    # The admin answers a whole save with a redirect to the list; a redirect to a change page
    # is a login page asking for one, and a 200 is the form again with its errors.
    return response.status_code == 302 and "/change/" not in (
        response.headers.get("Location") or ""
    )


def failure(response) -> str:
    """How a wrong answer shows in Locust's errors: few distinct texts, so they group."""
    text = (response.content or b"").decode("utf-8", "replace")
    if response.status_code == 500 and ERROR_PAGE_MARK in text:
        return ERROR_PAGE
    reason = f"HTTP {response.status_code}"
    if location := response.headers.get("Location"):
        reason += f" to {location.split('?')[0]}"
    if note := ERROR_NOTE.search(text):
        reason += f": {re.sub(r'<[^>]+>', '', note.group(1)).strip()}"
    return reason


class Client(FastHttpUser):
    """One logged-in browser that requests back to back, at most plan().max_requests times."""

    abstract = True
    account = "superuser"  # one of ACCOUNTS
    wait_time = constant(0)
    network_timeout = REQUEST_TIMEOUT
    connection_timeout = REQUEST_TIMEOUT

    def on_start(self) -> None:
        self.plan = plan()
        self.rng = random.Random(next(_seeds))
        self.remaining = self.plan.max_requests
        page = self.fetch("login page", "/admin/login/", is_page)
        token = page and re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not token:
            raise StopUser("no login page")
        form = [
            ("csrfmiddlewaretoken", token.group(1)),
            ("username", self.plan.usernames[self.account]),
            ("password", self.plan.password),
            ("next", "/admin/"),
        ]
        if self.fetch("login", "/admin/login/?next=/admin/", self.logged_in, form=form) is None:
            raise StopUser("login refused")
        start_gate.wait()

    def logged_in(self, response) -> bool:
        return response.status_code == 302 and any(
            cookie.name == "sessionid" for cookie in self.client.cookiejar
        )

    def fetch(self, name: str, path: str, ok, *, form=None, context=None):
        """One request, recorded under `name`; its response if `ok` holds for it, else None.
        With `form`, a POST of those fields as a browser encodes them. Redirects are not
        followed. A request that got no answer (reset, refused, timeout) is recorded by Locust
        with the connection's error."""
        method, body, headers = "GET", None, None
        if form is not None:
            method, body = "POST", urlencode(form)
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        with self.client.request(
            method,
            path,
            name=name,
            data=body,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            context=context or {},
        ) as response:
            if response.status_code == 0:
                return None
            if ok(response):
                response.success()
                return response
            response.failure(failure(response))
            return None

    def count_request(self) -> None:
        if self.remaining <= 0:
            raise StopUser()
        self.remaining -= 1

    def random_evaluation(self) -> dict:
        return self.rng.choice(self.plan.evaluations)

    @task(START_PAGE_WEIGHT)
    def start_page(self) -> None:
        self.count_request()
        self.fetch(f"start page ({self.account})", "/admin/", is_page)


class AdminChangeReader(Client):
    @task(OWN_TASK_WEIGHT)
    def admin_change_page(self) -> None:
        self.count_request()
        evaluation = self.random_evaluation()
        path = f"/admin/evaluations/evaluation/{evaluation['pk']}/change/"
        self.fetch("admin change page", path, is_page)


class PreviewReader(Client):
    account = "auditor"

    @task(OWN_TASK_WEIGHT)
    def report_preview(self) -> None:
        self.count_request()
        evaluation = self.random_evaluation()
        self.fetch(
            "report preview", f"/reports/{evaluation['code']}/{evaluation['year']}/", is_page
        )


class CachedPdfReader(Client):
    account = "filler"  # of plan().cached_report's department

    @task(OWN_TASK_WEIGHT)
    def cached_pdf(self) -> None:
        self.count_request()
        self.fetch("cached PDF", self.plan.cached_report, is_pdf)


class Writer(Client):
    def on_start(self) -> None:
        super().on_start()
        slot = next(_writer_slots)
        if slot >= len(self.plan.writers):
            raise StopUser(f"the plan has evaluations for {len(self.plan.writers)} writers only")
        self.own = self.plan.writers[slot]
        self.turn = itertools.cycle(self.own)

    @task(OWN_TASK_WEIGHT)
    def save_and_render(self) -> None:
        self.count_request()
        evaluation = next(self.turn)
        change = f"/admin/evaluations/evaluation/{evaluation['pk']}/change/"
        page = self.fetch("admin change page", change, is_page)
        if page is None:
            return
        parser = FormParser("evaluation_form")
        parser.feed(page.content.decode("utf-8"))
        form = edited(parser.fields, f"（压测修改 {secrets.token_hex(4)}）")
        # bench/load.py counts the successful saves per evaluation from this context.
        context = {"evaluation": evaluation["pk"]}
        if self.fetch("admin save", change, is_saved, form=form, context=context) is not None:
            path = f"/reports/{evaluation['code']}/{evaluation['year']}.pdf"
            self.fetch("uncached PDF", path, is_pdf)


ROLES = (AdminChangeReader, PreviewReader, CachedPdfReader, Writer)
_seeds = itertools.count()
_writer_slots = itertools.count()
