"""Load and database-outage bench: the production server under concurrent logged-in use.

    .venv/bin/python bench/load.py [--duration 30] [--clients 8] [--departments 1000] [--years 3]
    .venv/bin/python bench/load.py --db-outage [--outage-at 10] [--outage-for 5]

Needs the `bench` extra (Locust): `.venv/bin/pip install -e ".[bench]"`. Everything runs on
127.0.0.1 and is stopped when the bench ends (also on Ctrl+C or failure):

1. a throwaway PostgreSQL cluster in a temporary directory on a free port (as the `postgres`
   user when run as root, like .ci/run);
2. `migrate`, `collectstatic`, `setup_roles`, `loaddata liwan_2023`, `generate_demo_data`
   (timed) and a superuser;
3. gunicorn as `make serve` starts it (DEBUG off, a random SECRET_KEY, the https settings
   turned off for plain http on loopback) with 2 × CPUs + 1 workers;
4. Locust, in this process, with `--clients` users of bench/locustfile.py: they log in through
   /admin/login/ (with the CSRF token) and, once all are in, for `--duration` seconds (and at
   most `--max-requests` each) request the admin change page of an evaluation, the report
   preview, the PDF of one report (cached after each worker's first render), and — the
   writers — save an evaluation through the admin form (so its cache key changes) and download
   its PDF, which is then rendered anew.

It prints Locust's figures per endpoint (throughput, p50/p95/p99 latency, errors) and its
errors, the server's peak memory (RSS of the gunicorn master and workers, sampled from /proc),
and checks the database afterwards: every evaluation's figures add up, and each writer's saves
are whole (the evaluation's version moved once per successful save; the marker written into
主要工作成效 and into the first 部门职能 in the same save agree).

With --db-outage, PostgreSQL is stopped (`pg_ctl stop -m fast`) `--outage-at` seconds into the
run and started again `--outage-for` seconds later. Requests meanwhile must fail cleanly: an
HTTP 500 with the Chinese error page, not a hang or a reset connection; after the restart
requests must succeed again without restarting gunicorn.
"""

from __future__ import annotations

# Locust patches the standard library for gevent when imported, so it comes first; everything
# below (subprocesses, the sampler, the outage) then runs cooperatively beside the users.
import locust  # noqa: F401

# isort: split
import argparse
import copy
import http.client
import json
import logging
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
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import gevent
from locust.env import Environment
from locust.exception import CatchResponseError
from locust.stats import RequestStats, StatsError
from locustfile import ERROR_PAGE, REQUEST_TIMEOUT, ROLES, start_gate

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
USERNAME = "bench-admin"
CACHED_REPORT = "/reports/liwan-kgxj/2023.pdf"
# The table's rows, in Locust's request names (bench/locustfile.py).
ENDPOINTS = ("admin change page", "report preview", "cached PDF", "admin save", "uncached PDF")


def describe(error: Exception | str) -> str:
    """A failure as the locustfile worded it, or the connection's error."""
    if isinstance(error, CatchResponseError):
        return str(error)
    return StatsError.parse_error(error)


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
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def answers(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", "/admin/login/")
        return connection.getresponse().status == 200
    finally:
        connection.close()


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
                if answers(self.port):
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


class MemorySampler:
    """Peak of the summed RSS of the server's processes, every 0.2 s, in a greenlet."""

    def __init__(self, server: Gunicorn) -> None:
        self.server = server
        self.peak_kb = 0
        self.peak_processes = 0
        self.greenlet = gevent.spawn(self.run)

    def run(self) -> None:
        while True:
            gevent.sleep(0.2)
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

    def stop(self) -> None:
        self.greenlet.kill()


# --- the load -------------------------------------------------------------------------------


@dataclass
class Outcome:
    endpoint: str
    started: float  # time.time(), as Locust reports it
    finished: float
    status: int | None  # None: no HTTP answer (reset, refused, timeout)
    ok: bool
    detail: str = ""  # the failure as Locust records it; ERROR_PAGE for the Chinese 500 page


@dataclass
class Recorder:
    """Every request as Locust reports it, for the outage's timeline and the database check."""

    outcomes: list[Outcome] = field(default_factory=list)
    saves: Counter[int] = field(default_factory=Counter)  # evaluation pk → successful saves
    logins: int = 0
    login_failures: list[str] = field(default_factory=list)

    def request(self, name, start_time, response_time, exception, response, context, **_) -> None:
        status = getattr(response, "status_code", 0) or None
        detail = "" if exception is None else describe(exception)
        self.outcomes.append(
            Outcome(
                name, start_time, start_time + response_time / 1000, status, not exception, detail
            )
        )
        if name in ("login page", "login") and exception is not None:
            self.login_failures.append(f"{name}: {detail}")
        elif name == "login":
            self.logins += 1
        elif name == "admin save" and exception is None:
            self.saves[context["evaluation"]] += 1


def print_table(stats: RequestStats, title: str) -> int:
    """Locust's figures per endpoint; returns the number of failed requests."""
    print(f"\n{title}")
    print(
        f"{'endpoint':<18}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    entries = {entry.name: entry for entry in stats.entries.values()}
    errors = 0
    for endpoint in ENDPOINTS:
        entry = entries.get(endpoint)
        if entry is None or not entry.num_requests:
            continue
        errors += entry.num_failures
        print(
            f"{endpoint:<18}{entry.num_requests:>9}{entry.total_rps:>8.1f}"
            f"{entry.get_response_time_percentile(0.50):>9.0f}"
            f"{entry.get_response_time_percentile(0.95):>9.0f}"
            f"{entry.get_response_time_percentile(0.99):>9.0f}{entry.num_failures:>8}"
        )
    return errors


def print_errors(stats: RequestStats, exceptions: dict) -> int:
    """Locust's failures and the clients' exceptions; returns the number of exceptions."""
    if stats.errors:
        print("\nerrors:")
    for error in sorted(stats.errors.values(), key=lambda error: -error.occurrences):
        print(f"  {error.occurrences:>6} × {error.method} {error.name}: {describe(error.error)}")
    for row in exceptions.values():
        print(f"\nexception in a client, {row['count']} times: {row['msg']}\n{row['traceback']}")
    return sum(row["count"] for row in exceptions.values())


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


def check_database(env: dict[str, str], own: list[dict], saves: Counter[int]) -> int:
    """Figures add up everywhere; each written evaluation moved one version per successful save
    and its two markers (two tables, one save) agree. Returns the number of problems."""
    script = CHECK_SCRIPT.format(targets=json.dumps([{"pk": t["pk"]} for t in own]))
    result = json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])
    versions = {t["pk"]: t["version"] for t in own}
    problems = list(result["broken"])
    for row in result["writers"]:
        expected = versions[row["pk"]] + saves[row["pk"]]
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


def outage(pg: Postgres, at: float, duration: float, stats: RequestStats, window: dict) -> None:
    gevent.sleep(at)
    window["before"] = copy.deepcopy(stats)  # the requests that finished before the stop
    window["stop"] = time.time()
    pg.stop("fast")
    window["stopped"] = time.time()
    gevent.sleep(duration)
    window["start"] = time.time()
    pg.start()
    window["started"] = time.time()


def report_outage(outcomes: list[Outcome], window: dict) -> int:
    """Requests overlapping the outage may succeed (finished before the stop) or answer 500
    with the error page; nothing may hang or lose its connection. After the restart every
    request must succeed. Returns the number of unacceptable outcomes."""
    during = [
        o for o in outcomes if o.finished >= window["stop"] and o.started <= window["started"]
    ]
    after = [o for o in outcomes if o.started > window["started"]]
    error_pages = sum(o.detail == ERROR_PAGE for o in during)
    unclean = [o for o in during if not o.ok and o.detail != ERROR_PAGE]
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


def write_plan(args, everything: list[dict], own_all: list[dict], password: str, path: Path):
    """What bench/locustfile.py's users request and as whom (see its docstring)."""
    keys = ("pk", "code", "year")
    plan = {
        "username": USERNAME,
        "password": password,
        "evaluations": [{k: t[k] for k in keys} for t in everything],
        "cached_report": CACHED_REPORT,
        "writers": [
            [{k: t[k] for k in keys} for t in own_all[slot : slot + 20]]
            for slot in range(0, len(own_all), 20)
        ],
        "max_requests": args.max_requests,
    }
    path.write_text(json.dumps(plan))
    os.environ["BENCH_PLAN"] = str(path)


def drive(
    args, env: dict[str, str], server: Gunicorn, pg: Postgres, password: str, workdir: Path
) -> int:
    everything = targets_from(env)
    demo = [t for t in everything if t["code"].startswith("demo-")]
    rng = random.Random(1)
    writers = len(range(3, args.clients, 4))  # client i plays ROLES[i % 4]; ROLES[3] writes
    own_all = rng.sample(
        [t for t in demo if t["year"] == max(t["year"] for t in demo)], 20 * writers
    )
    write_plan(args, everything, own_all, password, workdir / "plan.json")
    for index, role in enumerate(ROLES):
        role.fixed_count = len(range(index, args.clients, 4))
    environment = Environment(
        user_classes=list(ROLES),
        host=f"http://{HOST}:{server.port}",
        # At the end each client finishes what it is doing (a writer: the save and its PDF),
        # so that every save that reached the server is counted.
        stop_timeout=3 * REQUEST_TIMEOUT,
    )
    recorder = Recorder()
    environment.events.request.add_listener(recorder.request)
    runner = environment.create_local_runner()
    sampler = None
    try:
        start_gate.clear()
        runner.start(args.clients, spawn_rate=args.clients)
        deadline = time.monotonic() + 120
        while recorder.logins < args.clients:
            if recorder.login_failures:
                raise RuntimeError(f"login failed: {recorder.login_failures[0]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{recorder.logins} of {args.clients} clients logged in")
            gevent.sleep(0.05)
        log(f"{args.clients} clients logged in through /admin/login/")
        environment.stats.reset_all()  # the figures count from here; logins are not in them
        started = time.time()
        start_gate.set()
        sampler = MemorySampler(server)
        window: dict = {}
        if args.db_outage:
            outage_greenlet = gevent.spawn(
                outage, pg, args.outage_at, args.outage_for, environment.stats, window
            )
        # Returns early if every client has made --max-requests.
        runner.user_greenlets.join(timeout=args.duration)
        runner.stop()
        elapsed = time.time() - started
        if args.db_outage:
            outage_greenlet.get(timeout=120)
    finally:
        if sampler is not None:
            sampler.stop()
        environment.stop_timeout = 0  # on Ctrl+C or failure: stop the clients at once
        runner.quit()

    workers = len(server.pids()) - 1
    title = (
        f"{args.clients} clients, {elapsed:.1f} s, {workers} gunicorn workers, "
        f"{len(everything)} evaluations"
    )
    problems = 0
    if args.db_outage:
        problems += print_table(window["before"], title + " — before the outage")
        problems += report_outage(recorder.outcomes, window)
        print_table(environment.stats, "whole run (the outage's 500s included)")
    else:
        problems += print_table(environment.stats, title)
    problems += print_errors(environment.stats, runner.exceptions)
    print(
        f"\nserver peak memory: {sampler.peak_kb / 1024:.0f} MB RSS "
        f"(master + workers, {sampler.peak_processes} processes)"
    )
    problems += check_database(env, own_all, recorder.saves)
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
    # Locust's own messages: only warnings (its CPU warning among them) and errors.
    logging.basicConfig(level=logging.WARNING, format="[%(asctime)s] %(name)s: %(message)s")

    # Ctrl+C and SIGTERM both unwind through the finally below (gevent's hub passes the
    # KeyboardInterrupt on to this greenlet; it need not print it too).
    signal.signal(signal.SIGTERM, interrupted)
    gevent.get_hub().NOT_ERROR += (KeyboardInterrupt,)
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
        problems = drive(args, env, server, pg, password, workdir)
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
            log(f"logs kept in {workdir} (gunicorn.log, plan.json) and {pg_dir}/log")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(pg_dir, ignore_errors=True)
        log("stopped everything this bench started")


if __name__ == "__main__":
    sys.exit(main())
