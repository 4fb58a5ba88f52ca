"""Load and database-outage bench: the production server under concurrent logged-in use.

    .venv/bin/python bench/load.py [--duration 30] [--clients 8] [--departments 1000] [--years 3]
    .venv/bin/python bench/load.py --baseline REV [--duration 30] ...
    .venv/bin/python bench/load.py --db-outage [--outage-at 10] [--outage-for 5]

Needs the `bench` extra (Locust): `.venv/bin/pip install -e ".[bench]"`. Everything runs on
127.0.0.1 and is stopped when the bench ends (also on Ctrl+C or failure):

1. a throwaway PostgreSQL cluster in a temporary directory on a free port (as the `postgres`
   user when run as root, like .ci/run);
2. `migrate`, `collectstatic`, `setup_roles`, `loaddata liwan_2023`, `generate_demo_data`
   (timed), a superuser, and a 审核人员 and a 填报人员 of liwan-kgxj (`create_department_user`);
3. gunicorn as `make serve` starts it (DEBUG off, a random SECRET_KEY, the https settings
   turned off for plain http on loopback) with 2 × CPUs + 1 workers; the bench checks that its
   processes and the project's modules come from the code it means to serve;
4. Locust, in this process, with `--clients` users of bench/locustfile.py: they log in through
   /admin/login/ (with the CSRF token; the 审核人员 reads the previews, the 填报人员 the PDF of
   its own department, the superuser the rest) and, once all are in, for `--duration` seconds
   (and at most `--max-requests` each) request the admin change page of an evaluation, the
   report preview, the PDF of one report (cached after each worker's first render), and — the
   writers — save an evaluation through the admin form (so its cache key changes) and download
   its PDF, which is then rendered anew; and every client, one request in four, its start page
   (/admin/, which differs per role: one row per account).

It prints Locust's figures per endpoint (throughput, p50/p95/p99 latency, errors) and its
errors, the server's peak memory (RSS of the gunicorn master and workers, sampled from /proc),
the CPU used during the load by the bench's processes and by all others (from /proc: load from
elsewhere slows every endpoint, so a shared machine shows), and checks the database afterwards:
every evaluation's figures add up, and each writer's saves are whole (the evaluation's version
moved once per successful save; the marker written into 主要工作成效 and into the first 部门职能
in the same save agree).

With --baseline REV (a git revision, e.g. de056a5) the load runs twice in one bench, first
against REV's code and then against the working tree, and a last table compares each
endpoint's p50 and p95 before → after (with a caution when either turn shared the machine with
more than a quarter of a CPU of other work). REV is checked out with `git worktree add` into a
temporary directory (removed at the end, also on Ctrl+C or failure) and served from the same
.venv: the project's packages are not installed but imported from the working directory, so
manage.py and gunicorn run there with PYTHONPATH (and gunicorn's --chdir) set to it. Step 2 runs
once, with REV's code, and the database is copied (`createdb -T`); for the working tree's turn
it is restored from that copy and brought forward with the working tree's `migrate`,
`collectstatic` and `setup_roles`, so both turns start from the same data. Each turn prints its
own figures and checks; should the working tree's turn fail (an unfinished edit), the
baseline's figures stand and the failure is printed.

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
from locustfile import ERROR_PAGE, REQUEST_TIMEOUT, ROLES, new_run, start_gate

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
DATABASE = "selfeval"
SNAPSHOT = "selfeval_seeded"  # the database as seeded, for the second turn of --baseline
# The accounts of bench/locustfile.py's ACCOUNTS: the superuser, and the department accounts of
# the cached report's department (the 填报人员 may only read its own department's reports).
USERNAMES = {"superuser": "bench-admin", "auditor": "bench-auditor", "filler": "bench-filler"}
ACCOUNT_DEPARTMENT = "liwan-kgxj"
QUIET_CPU = 0.25  # CPUs busy outside the bench above which a comparison carries a caution
CACHED_REPORT = f"/reports/{ACCOUNT_DEPARTMENT}/2023.pdf"
# The table's rows, in Locust's request names (bench/locustfile.py).
ENDPOINTS = (
    "start page (superuser)",
    "start page (auditor)",
    "start page (filler)",
    "admin change page",
    "report preview",
    "cached PDF",
    "admin save",
    "uncached PDF",
)


def describe(error: Exception | str) -> str:
    """A failure as the locustfile worded it, or the connection's error."""
    if isinstance(error, CatchResponseError):
        return str(error)
    return StatsError.parse_error(error)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def stat_fields(pid: int | str) -> list[str]:
    """/proc/PID/stat from its third field (state) on; [] if the process is gone."""
    try:
        # pid (comm) state ppid ...: comm may hold spaces, so split after the ")".
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def family(pid: int) -> list[int]:
    """A process and its children (processes whose parent it is)."""
    pids = [pid]
    for entry in Path("/proc").glob("[0-9]*"):
        fields = stat_fields(entry.name)
        if fields and fields[1] == str(pid):
            pids.append(int(entry.name))
    return pids


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def git(*args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=120
    )
    if result.returncode:
        raise RuntimeError(f"git {args[0]} failed: {result.stderr.strip()}")
    return result.stdout.strip()


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
        self._client("createdb", DATABASE)

    def _client(self, program: str, *args: str) -> None:
        self._run(str(PG_BIN / program), "-h", HOST, "-p", str(self.port), "-U", "postgres", *args)

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

    def snapshot(self) -> None:
        """A copy of the database as it is now, for restore()."""
        self._client("createdb", "-T", DATABASE, SNAPSHOT)

    def restore(self) -> None:
        """The database as snapshot() found it (nobody may be using it)."""
        self._client("dropdb", "--force", DATABASE)
        self._client("createdb", "-T", SNAPSHOT, DATABASE)

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{DATABASE}"

    def pids(self) -> list[int]:
        """The postmaster (not our child: pg_ctl detaches it) and its processes."""
        try:
            return family(int((self.data / "postmaster.pid").read_text().split()[0]))
        except (OSError, IndexError, ValueError):
            return []


class Worktree:
    """A revision's code checked out beside the working tree; removed by remove()."""

    def __init__(self, commit: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="selfeval-load-baseline-"))
        try:
            git("worktree", "add", "--detach", "--quiet", str(self.path), commit)
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            raise

    def remove(self) -> None:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(self.path)],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(self.path, ignore_errors=True)


@dataclass
class Phase:
    """One turn of the load: the code it serves (the working tree, or --baseline's worktree)
    and the environment of its manage.py and gunicorn."""

    name: str  # as the output calls it
    key: str  # in file names: "baseline" or "current"
    code: Path
    env: dict[str, str]
    static_root: Path

    def __post_init__(self) -> None:
        # The project is not installed as packages (the .venv's editable install maps none):
        # its modules come from the working directory, which PYTHONPATH pins down as well.
        self.env = {**self.env, "PYTHONPATH": str(self.code), "STATIC_ROOT": str(self.static_root)}

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=self.code,
            env=self.env,
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
    """The production server as `make serve` runs it, on `phase`'s code; its log goes to a file
    in the work dir. stop() it also when wait() fails."""

    def __init__(self, phase: Phase, log_path: Path, workers: int) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--chdir",
                str(phase.code),
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--error-logfile",
                "-",
            ],
            cwd=phase.code,
            env=phase.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C reaches the bench only; we stop gunicorn ourselves
        )

    def wait(self) -> None:
        """Until the login page answers; on failure the error shows the end of the log."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                if answers(self.port):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def pids(self) -> list[int]:
        """The master and its workers."""
        return family(self.process.pid)

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


class CpuMeter:
    """CPU time used on the machine while the load runs: by the bench's own processes (Locust in
    this one, gunicorn, PostgreSQL) and by everything else, which slows the figures down — on a
    shared machine the two turns of --baseline may not be equally disturbed."""

    def __init__(self, server: Gunicorn, pg: Postgres) -> None:
        self.server, self.pg = server, pg
        self.started = time.monotonic()
        self.start = self.read()

    def read(self) -> tuple[int, int]:
        """Clock ticks so far: the machine's busy time, and our processes' (with their children
        that ended: a backend's time moves into the postmaster's cutime/cstime)."""
        # cpu  user nice system idle iowait irq softirq steal ...
        user, nice, system, _, _, irq, softirq, steal = map(
            int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
        )
        ours = 0
        for pid in {os.getpid(), *self.server.pids(), *self.pg.pids()}:
            fields = stat_fields(pid)
            if fields:  # utime stime cutime cstime
                ours += sum(int(value) for value in fields[11:15])
        return user + nice + system + irq + softirq + steal, ours

    def stop(self) -> tuple[float, float]:
        """CPUs busy on average since the start: ours, others'."""
        busy, ours = (end - start for end, start in zip(self.read(), self.start, strict=True))
        ticks = os.sysconf("SC_CLK_TCK") * (time.monotonic() - self.started)
        return ours / ticks, max(busy - ours, 0) / ticks


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
        f"{'endpoint':<24}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    entries = {entry.name: entry for entry in stats.entries.values()}
    errors = 0
    for endpoint in ENDPOINTS:
        entry = entries.get(endpoint)
        if entry is None or not entry.num_requests:
            continue
        errors += entry.num_failures
        print(
            f"{endpoint:<24}{entry.num_requests:>9}{entry.total_rps:>8.1f}"
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


def check_database(phase: Phase, own: list[dict], saves: Counter[int]) -> int:
    """Figures add up everywhere; each written evaluation moved one version per successful save
    and its two markers (two tables, one save) agree. Returns the number of problems."""
    script = CHECK_SCRIPT.format(targets=json.dumps([{"pk": t["pk"]} for t in own]))
    result = json.loads(phase.manage("shell", "-c", script).strip().splitlines()[-1])
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


def targets_from(phase: Phase) -> list[dict]:
    script = (
        "import json; from evaluations.models import Evaluation; "
        "print(json.dumps([{'pk': e.pk, 'code': e.department.code, 'year': e.year, "
        "'version': e.version} for e in Evaluation.objects.select_related('department')]))"
    )
    return json.loads(phase.manage("shell", "-c", script).strip().splitlines()[-1])


MODULES_SCRIPT = (
    "import json, config, evaluations, indicators, review; "
    "print(json.dumps([m.__file__ for m in (config, evaluations, indicators, review)]))"
)


def check_code(phase: Phase, server: Gunicorn) -> None:
    """The server's processes run in `phase.code` (gunicorn imports the application from its
    working directory) and manage.py there imports the project's packages from it."""
    code = phase.code.resolve()
    for pid in server.pids():
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
        if cwd != code:
            raise RuntimeError(f"gunicorn process {pid} runs in {cwd}, not in {code}")
    files = json.loads(phase.manage("shell", "-c", MODULES_SCRIPT).strip().splitlines()[-1])
    strays = [file for file in files if not Path(file).resolve().is_relative_to(code)]
    if strays:
        raise RuntimeError(f"{phase.name}: modules imported from outside {code}: {strays}")


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
        "usernames": USERNAMES,
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


@dataclass
class Result:
    """One turn's figures, for the comparison of --baseline."""

    stats: RequestStats
    peak_kb: int
    others_cpu: float  # CPUs busy outside the bench during the load (CpuMeter)
    problems: int


def drive(
    args, phase: Phase, server: Gunicorn, pg: Postgres, password: str, workdir: Path
) -> Result:
    everything = targets_from(phase)
    demo = [t for t in everything if t["code"].startswith("demo-")]
    rng = random.Random(1)
    writers = len(range(3, args.clients, 4))  # client i plays ROLES[i % 4]; ROLES[3] writes
    own_all = rng.sample(
        [t for t in demo if t["year"] == max(t["year"] for t in demo)], 20 * writers
    )
    write_plan(args, everything, own_all, password, workdir / "plan.json")
    new_run()
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
        log(f"{args.clients} clients logged in through /admin/login/ ({phase.name})")
        environment.stats.reset_all()  # the figures count from here; logins are not in them
        started = time.time()
        start_gate.set()
        sampler = MemorySampler(server)
        meter = CpuMeter(server, pg)
        window: dict = {}
        if args.db_outage:
            outage_greenlet = gevent.spawn(
                outage, pg, args.outage_at, args.outage_for, environment.stats, window
            )
        # Returns early if every client has made --max-requests.
        runner.user_greenlets.join(timeout=args.duration)
        runner.stop()
        elapsed = time.time() - started
        ours_cpu, others_cpu = meter.stop()
        if args.db_outage:
            outage_greenlet.get(timeout=120)
    finally:
        if sampler is not None:
            sampler.stop()
        environment.stop_timeout = 0  # on Ctrl+C or failure: stop the clients at once
        runner.quit()

    workers = len(server.pids()) - 1
    title = (
        f"{phase.name}: {args.clients} clients, {elapsed:.1f} s, {workers} gunicorn workers, "
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
    if not args.db_outage:  # the stopped postmaster's time would count as others'
        print(
            f"CPU during the load, of {os.cpu_count()}: {ours_cpu:.1f} the server, PostgreSQL "
            f"and Locust; {others_cpu:.1f} other processes"
        )
    problems += check_database(phase, own_all, recorder.saves)
    return Result(environment.stats, sampler.peak_kb, others_cpu, problems)


def ratio(before: float | None, after: float | None) -> str:
    return "–" if not before or after is None else f"{after / before:.2f}"


def print_comparison(before: Result, after: Result, title: str) -> None:
    """Each endpoint's requests, p50 and p95 before → after, with after ÷ before."""
    print(f"\n{title}")
    print(
        f"{'endpoint':<24}{'requests':>13}{'p50 ms':>16}{'ratio':>7}"
        f"{'p95 ms':>16}{'ratio':>7}{'errors':>9}"
    )
    named = [
        {entry.name: entry for entry in result.stats.entries.values() if entry.num_requests}
        for result in (before, after)
    ]
    for endpoint in ENDPOINTS:
        old, new = (entries.get(endpoint) for entries in named)
        if old is None and new is None:
            continue
        requests = " → ".join(str(entry.num_requests if entry else 0) for entry in (old, new))
        row = f"{endpoint:<24}{requests:>13}"
        for percent in (0.50, 0.95):
            ms = [
                entry.get_response_time_percentile(percent) if entry else None
                for entry in (old, new)
            ]
            change = " → ".join("–" if value is None else f"{value:.0f}" for value in ms)
            row += f"{change:>16}{ratio(*ms):>7}"
        errors = " → ".join(str(entry.num_failures if entry else 0) for entry in (old, new))
        print(f"{row}{errors:>9}")
    print(f"server peak memory: {before.peak_kb / 1024:.0f} → {after.peak_kb / 1024:.0f} MB RSS")
    print(
        f"CPU of other processes during the load: {before.others_cpu:.1f} → "
        f"{after.others_cpu:.1f} of {os.cpu_count()}"
    )
    if max(before.others_cpu, after.others_cpu) > QUIET_CPU:
        print(
            "  caution: the machine was not quiet; load from elsewhere slows every endpoint, so "
            "these ratios are not the code's alone (run again when it is)"
        )


def seed(args, phase: Phase, password_file: Path) -> None:
    """Step 2 of the docstring, with `phase`'s code."""
    prepare(args, phase)
    phase.manage("loaddata", "liwan_2023")
    started = time.monotonic()
    phase.manage("generate_demo_data", f"--departments={args.departments}", f"--years={args.years}")
    log(
        f"generate_demo_data --departments {args.departments} --years {args.years}: "
        f"{time.monotonic() - started:.1f} s on PostgreSQL"
    )
    phase.manage("createsuperuser", "--noinput", f"--username={USERNAMES['superuser']}", "--email=")
    for role in ("auditor", "filler"):
        phase.manage(
            "create_department_user",
            USERNAMES[role],
            f"--department={ACCOUNT_DEPARTMENT}",
            f"--role={role}",
            f"--password-file={password_file}",
        )


def prepare(args, phase: Phase) -> None:
    """The schema, static files and roles of `phase`'s code (the working tree's turn of
    --baseline brings the baseline's database forward with them)."""
    phase.manage("migrate", "--noinput")
    phase.manage("collectstatic", "--noinput")
    if args.cache_url.startswith("db://"):
        phase.manage("createcachetable")
    phase.manage("setup_roles")


def run(args, phase: Phase, pg: Postgres, password: str, workdir: Path) -> Result:
    """gunicorn on `phase`'s code under the load; stopped afterwards, also on failure."""
    server = Gunicorn(phase, workdir / f"gunicorn-{phase.key}.log", args.workers)
    try:
        server.wait()
        check_code(phase, server)
        log(
            f"{phase.name}: gunicorn on {HOST}:{server.port}, {args.workers} workers, code "
            f"from {phase.code} (checked); load for {args.duration} s"
        )
        return drive(args, phase, server, pg, password, workdir)
    finally:
        server.stop()


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
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="a git revision to run the same load against first, then compare before → after",
    )
    parser.add_argument("--db-outage", action="store_true", help="stop and restart PostgreSQL")
    parser.add_argument("--outage-at", type=float, default=10)
    parser.add_argument("--outage-for", type=float, default=5)
    args = parser.parse_args()
    args.duration = min(args.duration, 600)
    args.clients = max(4, min(args.clients, 32))
    if args.db_outage and args.outage_at + args.outage_for + 5 > args.duration:
        parser.error("--db-outage needs --duration of at least --outage-at + --outage-for + 5")
    if args.db_outage and args.baseline:
        parser.error("--db-outage and --baseline do not combine")
    commit = None
    if args.baseline:
        try:
            commit = git("rev-parse", "--verify", "--quiet", f"{args.baseline}^{{commit}}")
        except RuntimeError:
            parser.error(f"--baseline {args.baseline}: no such revision")
    # Locust's own messages: only warnings (its CPU warning among them) and errors.
    logging.basicConfig(level=logging.WARNING, format="[%(asctime)s] %(name)s: %(message)s")

    # Ctrl+C and SIGTERM both unwind through the finally below (gevent's hub passes the
    # KeyboardInterrupt on to this greenlet; it need not print it too).
    signal.signal(signal.SIGTERM, interrupted)
    gevent.get_hub().NOT_ERROR += (KeyboardInterrupt,)
    workdir = Path(tempfile.mkdtemp(prefix="selfeval-load-"))
    pg_dir = Path(tempfile.mkdtemp(prefix="selfeval-load-pg-"))
    pg = worktree = None
    try:
        pg = Postgres(pg_dir)
        pg.init()
        log(f"PostgreSQL on {HOST}:{pg.port} ({pg_dir})")
        password = secrets.token_urlsafe(16)
        password_file = workdir / "password"
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))},
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "DATABASE_URL": pg.url,
            "CACHE_URL": args.cache_url,
            "LOG_LEVEL": "WARNING",
            "DJANGO_SUPERUSER_PASSWORD": password,
        }
        phases = [Phase("working tree", "current", ROOT, env, workdir / "static")]
        if commit is not None:
            worktree = Worktree(commit)
            log(f"baseline {args.baseline} ({commit[:12]}) checked out in {worktree.path}")
            baseline = Phase(
                f"baseline {args.baseline}",
                "baseline",
                worktree.path,
                env,
                workdir / "static-baseline",
            )
            phases.insert(0, baseline)
        seed(args, phases[0], password_file)
        if len(phases) > 1:
            pg.snapshot()
        results: list[Result] = []
        for phase in phases:
            try:
                if results:  # the working tree after the baseline: the same data, its schema
                    started = time.monotonic()
                    pg.restore()
                    prepare(args, phase)
                    log(
                        f"database restored as seeded and migrated with the {phase.name}'s code: "
                        f"{time.monotonic() - started:.1f} s"
                    )
                results.append(run(args, phase, pg, password, workdir))
            except Exception as error:
                if not results:
                    raise
                print(f"\n{phase.name}: FAILED, {type(error).__name__}: {error}")
                print(
                    f"\nFAILED: the {phase.name}'s turn; the figures above are the {phases[0].name}'s"
                )
                return 1
        if len(results) == 2:
            print_comparison(
                *results,
                title=(
                    f"before: {phases[0].name} ({commit[:12]}), after: the working tree; "
                    "p50 and p95 in ms, ratio = after ÷ before"
                ),
            )
        problems = sum(result.problems for result in results)
        print(f"\n{'OK' if not problems else f'FAILED: {problems} problems'}")
        return 1 if problems else 0
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if pg is not None:
            pg.stop("fast", check=False)
        if worktree is not None:
            worktree.remove()
        if os.environ.get("BENCH_KEEP_LOGS"):
            log(f"logs kept in {workdir} (gunicorn-*.log, plan.json) and {pg_dir}/log")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(pg_dir, ignore_errors=True)
        log("stopped everything this bench started")


if __name__ == "__main__":
    sys.exit(main())
