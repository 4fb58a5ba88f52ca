"""Load and database-outage bench: the production server under concurrent logged-in use.

    .venv/bin/python bench/load.py [--duration 30] [--clients 8] [--departments 1000] [--years 3]
    .venv/bin/python bench/load.py --db-outage [--outage-at 10] [--outage-for 5]

Everything runs on 127.0.0.1 and is stopped when the bench ends (also on Ctrl+C or failure):

1. a throwaway PostgreSQL cluster in a temporary directory on a free port (as the `postgres`
   user when run as root, like .ci/run);
2. `migrate`, `collectstatic`, `setup_roles`, `loaddata liwan_2023`, `generate_demo_data`
   (timed) and a superuser;
3. gunicorn as `make serve` starts it (DEBUG off, a random SECRET_KEY, the https settings
   turned off for plain http on loopback) with 2 × CPUs + 1 workers;
4. `--clients` threads log in through /admin/login/ (with the CSRF token) and, for
   `--duration` seconds (and at most `--max-requests` each), request in turn: the admin change
   page of an evaluation, the report preview, the PDF of one report (cached after each worker's
   first render), and — the writers — save an evaluation through the admin form (so its cache key
   changes) and download its PDF, which is then rendered anew.

It prints per endpoint the throughput, p50/p95/p99 latency and errors, the server's peak memory
(RSS of the gunicorn master and workers, sampled from /proc), and checks the database afterwards:
every evaluation's figures add up, and each writer's saves are whole (the evaluation's version
moved once per successful save; the marker written into 主要工作成效 and into the first 部门职能 in
the same save agree).

With --db-outage, PostgreSQL is stopped (`pg_ctl stop -m fast`) `--outage-at` seconds into the
run and started again `--outage-for` seconds later. Requests meanwhile must fail cleanly: an
HTTP 500 with the Chinese error page, not a hang or a reset connection; after the restart
requests must succeed again without restarting gunicorn.
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 60  # seconds; a request taking longer counts as a hang
ERROR_PAGE_MARK = "服务器出错（500）"
MARKER = re.compile(r"（压测修改 [0-9a-f]+）$")
USERNAME = "bench-admin"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- the processes we start ----------------------------------------------------------------


class Postgres:
    """A throwaway cluster on loopback; removed by stop()."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(directory, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=check, timeout=timeout, capture_output=True)

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.start()
        self._run(
            str(PG_BIN / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres", "selfeval"
        )

    def start(self) -> None:
        options = f"-h {HOST} -p {self.port} -k {self.directory}"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast", check: bool = True) -> None:
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=check
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/selfeval"


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    return result.stdout


class Gunicorn:
    """The production server as `make serve` runs it; its logs go to files in the work dir."""

    def __init__(self, env: dict[str, str], workdir: Path, workers: int) -> None:
        self.port = free_port()
        self.log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--error-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C reaches the bench only; we stop gunicorn ourselves
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                status, _, _ = request(self.port, "GET", "/admin/login/", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def pids(self) -> list[int]:
        """The master and its workers (processes whose parent is the master)."""
        pids = [self.process.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # pid (comm) state ppid ...: comm may hold spaces, so split after the ")".
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


class MemorySampler(threading.Thread):
    """Peak of the summed RSS of the server's processes, every 0.2 s."""

    def __init__(self, server: Gunicorn) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.peak_kb = 0
        self.peak_processes = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            total, count = 0, 0
            for pid in self.server.pids():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
                if match:
                    total += int(match.group(1))
                    count += 1
            if total > self.peak_kb:
                self.peak_kb, self.peak_processes = total, count


# --- HTTP -----------------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


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


class Session:
    """One logged-in browser: cookies and the CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def _keep_cookies(self, message: http.client.HTTPMessage) -> None:
        for header in message.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def call(
        self, method: str, path: str, data: list[tuple[str, str]] | None = None
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, message, content = request(self.port, method, path, body=body, headers=headers)
        self._keep_cookies(message)
        return status, content, message

    def login(self, password: str) -> None:
        status, page, _ = self.call("GET", "/admin/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: {status}")
        status, _, message = self.call(
            "POST",
            "/admin/login/?next=/admin/",
            [
                ("csrfmiddlewaretoken", token.group(1).decode()),
                ("username", USERNAME),
                ("password", password),
                ("next", "/admin/"),
            ],
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login refused: {status} {message.get('Location')}")


# --- the load -------------------------------------------------------------------------------


@dataclass
class Outcome:
    endpoint: str
    started: float
    finished: float
    status: int | None  # None: no HTTP answer (reset, refused, timeout)
    ok: bool
    detail: str = ""


@dataclass
class Run:
    port: int
    targets: list[dict]
    cached_report: str
    deadline: float
    max_requests: int
    outcomes: list[Outcome] = field(default_factory=list)
    saves: dict[int, int] = field(default_factory=dict)  # evaluation pk → successful saves
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)


def timed(run: Run, endpoint: str, session: Session, method: str, path: str, check, data=None):
    """One request, recorded; returns the body when it succeeded, else None."""
    started = time.monotonic()
    try:
        status, content, message = session.call(method, path, data)
    except (OSError, http.client.HTTPException) as error:
        run.record(Outcome(endpoint, started, time.monotonic(), None, False, repr(error)))
        return None
    ok = check(status, content, message)
    detail = "" if ok else f"{status} {content[:200]!r}"
    if status == 500 and ERROR_PAGE_MARK in content.decode("utf-8", "replace"):
        detail = "500 error page"
    run.record(Outcome(endpoint, started, time.monotonic(), status, ok, detail))
    return content if ok else None


def page_ok(status, content, message) -> bool:
    return status == 200 and b"</html>" in content


def pdf_ok(status, content, message) -> bool:
    return status == 200 and content.startswith(b"%PDF-")


def saved_ok(status, content, message) -> bool:
    return status == 302 and "/change/" not in (message.get("Location") or "")


def reader(run: Run, session: Session, kind: str, rng: random.Random) -> None:
    for _ in range(run.max_requests):
        if time.monotonic() >= run.deadline:
            return
        target = rng.choice(run.targets)
        if kind == "admin_change":
            path = f"/admin/evaluations/evaluation/{target['pk']}/change/"
            timed(run, kind, session, "GET", path, page_ok)
        elif kind == "preview":
            timed(
                run, kind, session, "GET", f"/reports/{target['code']}/{target['year']}/", page_ok
            )
        else:
            timed(run, kind, session, "GET", run.cached_report, pdf_ok)


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


def writer(run: Run, session: Session, own: list[dict], rng: random.Random) -> None:
    for count in range(run.max_requests):
        if time.monotonic() >= run.deadline:
            return
        target = own[count % len(own)]
        change = f"/admin/evaluations/evaluation/{target['pk']}/change/"
        page = timed(run, "admin_change", session, "GET", change, page_ok)
        if page is None:
            continue
        parser = FormParser("evaluation_form")
        parser.feed(page.decode("utf-8"))
        mark = f"（压测修改 {secrets.token_hex(4)}）"
        saved = timed(
            run, "admin_save", session, "POST", change, saved_ok, edited(parser.fields, mark)
        )
        if saved is not None:
            with run.lock:
                run.saves[target["pk"]] = run.saves.get(target["pk"], 0) + 1
            path = f"/reports/{target['code']}/{target['year']}.pdf"
            timed(run, "pdf_uncached", session, "GET", path, pdf_ok)


def percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return sorted_values[index]


def report_outcomes(outcomes: list[Outcome], seconds: float, title: str) -> int:
    print(f"\n{title}")
    print(
        f"{'endpoint':<14}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    errors = 0
    for endpoint in ("admin_change", "preview", "pdf_cached", "admin_save", "pdf_uncached"):
        mine = [o for o in outcomes if o.endpoint == endpoint]
        if not mine:
            continue
        latencies = sorted((o.finished - o.started) * 1000 for o in mine)
        failed = sum(not o.ok for o in mine)
        errors += failed
        print(
            f"{endpoint:<14}{len(mine):>9}{len(mine) / seconds:>8.1f}"
            f"{percentile(latencies, 0.50):>9.0f}{percentile(latencies, 0.95):>9.0f}"
            f"{percentile(latencies, 0.99):>9.0f}{failed:>8}"
        )
    return errors


CHECK_SCRIPT = """
import json
from django.core.exceptions import ValidationError
from evaluations.models import Evaluation
targets = json.loads('''{targets}''')
broken = []
for evaluation in Evaluation.objects.select_related("department").iterator():
    try:
        evaluation.clean()
    except ValidationError as error:
        broken.append(f"{{evaluation}}: {{error.messages}}")
writers = []
for target in targets:
    e = Evaluation.objects.get(pk=target["pk"])
    function = e.departmentfunctions.order_by("order").first()
    mark = lambda text: (text.rsplit("（压测修改", 1) + [""])[1] if "（压测修改" in text else ""
    writers.append({{"pk": e.pk, "version": e.version, "achievements": mark(e.achievements),
                     "function": mark(function.text)}})
print(json.dumps({{"evaluations": Evaluation.objects.count(), "broken": broken, "writers": writers}}))
"""


def check_database(env: dict[str, str], own: list[dict], saves: dict[int, int]) -> int:
    """Figures add up everywhere; each written evaluation moved one version per successful save
    and its two markers (two tables, one save) agree. Returns the number of problems."""
    script = CHECK_SCRIPT.format(targets=json.dumps([{"pk": t["pk"]} for t in own]))
    result = json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])
    versions = {t["pk"]: t["version"] for t in own}
    problems = list(result["broken"])
    for row in result["writers"]:
        expected = versions[row["pk"]] + saves.get(row["pk"], 0)
        if row["version"] != expected:
            problems.append(
                f"evaluation {row['pk']}: version {row['version']}, expected {expected}"
            )
        if row["achievements"] != row["function"]:
            problems.append(f"evaluation {row['pk']}: half a save ({row})")
    print(
        f"\ndatabase check: {result['evaluations']} evaluations, figures add up in "
        f"{result['evaluations'] - len(result['broken'])}; {len(own)} written evaluations, "
        f"{sum(saves.values())} saves, versions and markers consistent: "
        f"{'yes' if not problems else 'NO'}"
    )
    for problem in problems[:20]:
        print(f"  problem: {problem}")
    return len(problems)


def targets_from(env: dict[str, str]) -> list[dict]:
    script = (
        "import json; from evaluations.models import Evaluation; "
        "print(json.dumps([{'pk': e.pk, 'code': e.department.code, 'year': e.year, "
        "'version': e.version} for e in Evaluation.objects.select_related('department')]))"
    )
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def outage(pg: Postgres, at: float, duration: float, window: dict[str, float]) -> None:
    time.sleep(at)
    window["stop"] = time.monotonic()
    pg.stop("fast")
    window["stopped"] = time.monotonic()
    time.sleep(duration)
    window["start"] = time.monotonic()
    pg.start()
    window["started"] = time.monotonic()


def report_outage(outcomes: list[Outcome], window: dict[str, float]) -> int:
    """Requests overlapping the outage may succeed (finished before the stop) or answer 500
    with the error page; nothing may hang or lose its connection. After the restart every
    request must succeed. Returns the number of unacceptable outcomes."""
    during = [
        o for o in outcomes if o.finished >= window["stop"] and o.started <= window["started"]
    ]
    after = [o for o in outcomes if o.started > window["started"]]
    error_pages = sum(o.detail == "500 error page" for o in during)
    unclean = [o for o in during if not o.ok and o.detail != "500 error page"]
    slowest = max(((o.finished - o.started) for o in during), default=0.0)
    print(
        f"\noutage: PostgreSQL stopped in {window['stopped'] - window['stop']:.1f} s, down "
        f"{window['start'] - window['stopped']:.1f} s, started in "
        f"{window['started'] - window['start']:.1f} s"
    )
    print(
        f"  during: {len(during)} requests, {sum(o.ok for o in during)} succeeded, "
        f"{error_pages} answered 500 with the error page, {len(unclean)} failed otherwise "
        f"(hang, reset, other status); slowest {slowest * 1000:.0f} ms"
    )
    for o in unclean[:10]:
        print(f"    {o.endpoint}: {o.status} {o.detail}")
    failed_after = [o for o in after if not o.ok]
    first_ok = min((o.finished for o in after if o.ok), default=None)
    recovered = "never" if first_ok is None else f"{first_ok - window['started']:.2f} s"
    print(
        f"  after the restart: {len(after)} requests, {len(failed_after)} failed; "
        f"first success {recovered} after PostgreSQL was back (no server restart)"
    )
    for o in failed_after[:10]:
        print(f"    {o.endpoint}: {o.status} {o.detail}")
    return len(unclean) + len(failed_after) + (first_ok is None)


def drive(args, env: dict[str, str], server: Gunicorn, pg: Postgres, password: str) -> int:
    everything = targets_from(env)
    demo = [t for t in everything if t["code"].startswith("demo-")]
    rng = random.Random(1)
    writers = [i for i in range(args.clients) if i % 4 == 3]
    own_all = rng.sample(
        [t for t in demo if t["year"] == max(t["year"] for t in demo)], 20 * len(writers)
    )
    run = Run(
        port=server.port,
        targets=everything,
        cached_report="/reports/liwan-kgxj/2023.pdf",
        deadline=0.0,
        max_requests=args.max_requests,
    )
    sessions = []
    for _ in range(args.clients):
        session = Session(server.port)
        session.login(password)
        sessions.append(session)
    log(f"{args.clients} clients logged in through /admin/login/")

    sampler = MemorySampler(server)
    sampler.start()
    threads = []
    kinds = ("admin_change", "preview", "pdf_cached")
    started = time.monotonic()
    run.deadline = started + args.duration
    for index, session in enumerate(sessions):
        client_rng = random.Random(index)
        if index in writers:
            slot = writers.index(index)
            own = own_all[slot * 20 : (slot + 1) * 20]
            thread = threading.Thread(target=writer, args=(run, session, own, client_rng))
        else:
            thread = threading.Thread(
                target=reader, args=(run, session, kinds[index % 4], client_rng)
            )
        thread.daemon = True
        threads.append(thread)
    window: dict[str, float] = {}
    if args.db_outage:
        outage_thread = threading.Thread(
            target=outage, args=(pg, args.outage_at, args.outage_for, window), daemon=True
        )
        outage_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 2 * REQUEST_TIMEOUT)
    elapsed = time.monotonic() - started
    if args.db_outage:
        outage_thread.join(timeout=120)
    sampler.stopped.set()
    sampler.join()

    workers = len(server.pids()) - 1
    title = (
        f"{args.clients} clients, {elapsed:.1f} s, {workers} gunicorn workers, "
        f"{len(everything)} evaluations"
    )
    problems = 0
    if args.db_outage:
        outside = [o for o in run.outcomes if o.finished < window["stop"]]
        problems += report_outcomes(
            outside, window["stop"] - started, title + " — before the outage"
        )
        problems += report_outage(run.outcomes, window)
        report_outcomes(run.outcomes, elapsed, "whole run (the outage's 500s included)")
    else:
        problems += report_outcomes(run.outcomes, elapsed, title)
    print(
        f"\nserver peak memory: {sampler.peak_kb / 1024:.0f} MB RSS "
        f"(master + workers, {sampler.peak_processes} processes)"
    )
    problems += check_database(env, own_all, run.saves)
    return problems


def interrupted(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30, help="seconds of load (max 600)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (max 32)")
    parser.add_argument("--max-requests", type=int, default=5000, help="per client")
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--cache-url", default="", help="CACHE_URL for the server (default locmem)")
    parser.add_argument("--db-outage", action="store_true", help="stop and restart PostgreSQL")
    parser.add_argument("--outage-at", type=float, default=10)
    parser.add_argument("--outage-for", type=float, default=5)
    args = parser.parse_args()
    args.duration = min(args.duration, 600)
    args.clients = max(4, min(args.clients, 32))
    if args.db_outage and args.outage_at + args.outage_for + 5 > args.duration:
        parser.error("--db-outage needs --duration of at least --outage-at + --outage-for + 5")

    # Ctrl+C and SIGTERM both unwind through the finally below.
    signal.signal(signal.SIGTERM, interrupted)
    workdir = Path(tempfile.mkdtemp(prefix="selfeval-load-"))
    pg_dir = Path(tempfile.mkdtemp(prefix="selfeval-load-pg-"))
    pg = server = None
    try:
        pg = Postgres(pg_dir)
        pg.init()
        log(f"PostgreSQL on {HOST}:{pg.port} ({pg_dir})")
        password = secrets.token_urlsafe(16)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))},
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "DATABASE_URL": pg.url,
            "STATIC_ROOT": str(workdir / "static"),
            "CACHE_URL": args.cache_url,
            "LOG_LEVEL": "WARNING",
            "DJANGO_SUPERUSER_PASSWORD": password,
        }
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        if args.cache_url.startswith("db://"):
            manage(env, "createcachetable")
        manage(env, "setup_roles")
        manage(env, "loaddata", "liwan_2023")
        started = time.monotonic()
        manage(
            env,
            "generate_demo_data",
            f"--departments={args.departments}",
            f"--years={args.years}",
        )
        log(
            f"generate_demo_data --departments {args.departments} --years {args.years}: "
            f"{time.monotonic() - started:.1f} s on PostgreSQL"
        )
        manage(env, "createsuperuser", "--noinput", f"--username={USERNAME}", "--email=")
        server = Gunicorn(env, workdir, args.workers)
        log(f"gunicorn on {HOST}:{server.port}, {args.workers} workers; load for {args.duration} s")
        problems = drive(args, env, server, pg, password)
        print(f"\n{'OK' if not problems else f'FAILED: {problems} problems'}")
        return 1 if problems else 0
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if server is not None:
            server.stop()
        if pg is not None:
            pg.stop("fast", check=False)
        if os.environ.get("BENCH_KEEP_LOGS"):
            log(f"logs kept in {workdir} (gunicorn.log) and {pg_dir}/log")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(pg_dir, ignore_errors=True)
        log("stopped everything this bench started")


if __name__ == "__main__":
    sys.exit(main())
