"""Throughput of the ZIP of all reports (bundles app), built by real `manage.py db_worker`
processes against a throwaway PostgreSQL.

    .venv/bin/python bench/bundles.py [--approved 1000] [--rendered 100] [--keep]

Everything runs on 127.0.0.1 and is removed at the end (also on Ctrl+C or failure):

1. a PostgreSQL cluster in a temporary directory on a free port (as the `postgres` user when run
   as root, like .ci/run and bench/load.py; binaries from PG_BIN, default PostgreSQL 15);
2. `migrate` and `generate_demo_data --departments APPROVED+RENDERED --years 1` (2023);
3. the first APPROVED departments are marked approved with their PDFs stored, as approval
   stores them. To spare the bench a thousand renders, every one of them stores the bytes of
   one real rendered 附件1 and 附件2 (the ZIP's assembly is what is measured);
4. (a) the ZIP of the APPROVED departments, built by one worker: seconds from 开始打包 (the
   bundle created and its task enqueued, as the page does) until it is 已完成, against a
   target of 30 s, with its size and the write rate; and the cost of deflating instead of
   storing the PDFs, measured on the real pair;
5. (b) the ZIP of the RENDERED departments (not approved: every PDF rendered now), built by one
   worker and then, for a second bundle of the same departments, by two workers started
   afresh (cold caches both times): seconds, and the speed-up. The PDFs of both ZIPs are
   compared byte for byte (they must be identical, whichever worker rendered them).

The workers run as `make serve` starts them (DEBUG off); the bench polls the bundle's row. It
prints the figures and their ratios, the CPU seconds the workers used and the machine's load
average (other work on the machine slows the runs, the 2-worker one most), and asserts nothing
about times. With --keep the work folder stays, with each worker's log (BENCH_LOG_LEVEL=INFO
logs which worker rendered which part).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
DATABASE = "selfeval"
YEAR = 2023
TARGET_SECONDS = 30.0

APPROVE = (
    f"YEAR = {YEAR}\n"
    + """
import hashlib, json, sys, time, zlib
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
from evaluations.models import ApprovedReport, Evaluation
from evaluations.reports.carried import NOTHING
from review import documents

count = int(sys.argv[1])
codes = [f"demo-{n:04d}" for n in range(1, count + 1)]
get_user_model().objects.create_superuser("bench-admin", password="unused-" + "x" * 20)
# One real render of each document, stored for every approved department.
first = documents.evaluations().get(department__code=codes[0], year=YEAR)
pdfs = {}
for document in documents.DOCUMENTS.values():
    pdfs[document.appendix] = document.formats["pdf"].render(document.source(first), NOTHING)
deflate = {}
for appendix, pdf in pdfs.items():
    started = time.perf_counter()
    packed = zlib.compress(pdf, 6)
    deflate[appendix] = (len(pdf), len(packed), time.perf_counter() - started)
started = time.perf_counter()
ids = list(Evaluation.objects.filter(year=YEAR, department__code__in=codes).values_list("pk", flat=True))
with transaction.atomic():
    for start in range(0, len(ids), 100):
        ApprovedReport.objects.bulk_create(
            ApprovedReport(evaluation_id=pk, appendix=appendix, fmt="pdf", content=pdf,
                           sha256=hashlib.sha256(pdf).hexdigest())
            for pk in ids[start:start + 100] for appendix, pdf in pdfs.items()
        )
    Evaluation.objects.filter(pk__in=ids).update(status=Evaluation.Status.APPROVED)
print(json.dumps({"deflate": deflate, "stored_seconds": time.perf_counter() - started,
                  "approved": len(ids)}))
"""
)

CREATE = (
    f"YEAR = {YEAR}\n"
    + """
import sys
import django
django.setup()
from django.contrib.auth import get_user_model
from bundles import services
first, last = int(sys.argv[1]), int(sys.argv[2])
codes = [f"demo-{n:04d}" for n in range(first, last + 1)]
user = get_user_model().objects.get(username="bench-admin")
print(services.bundle_create(user=user, year=YEAR, department_codes=codes).pk)
"""
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Postgres:
    """A throwaway cluster on loopback; removed by stop()."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(directory, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=check, timeout=120, capture_output=True)

    def start(self) -> None:
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = f"-h {HOST} -p {self.port} -k {self.directory} -c fsync=on"
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
            "-w", "-t", "60", "-o", options, "start",
        )  # fmt: skip
        self._run(
            str(PG_BIN / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres", DATABASE
        )

    def stop(self) -> None:
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{DATABASE}"


@dataclass(frozen=True)
class Run:
    bundle_id: int
    workers: int
    departments: int
    seconds: float  # from the bundle's creation to 已完成
    cpu: float  # CPU seconds the workers used meanwhile
    load: float  # the machine's 1-minute load average (the highest of before and after)


class Bench:
    def __init__(self, workdir: Path, pg: Postgres) -> None:
        self.workdir = workdir
        self.pg = pg
        self.bundles = workdir / "bundles"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BUNDLE_DIR"}},
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": pg.url,
            "BUNDLE_DIR": str(self.bundles),
            "CACHE_URL": "locmem://",
            "TASKS_BACKEND": "database",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        self.workers: list[subprocess.Popen] = []
        self.started_workers = 0
        self.connection = psycopg2.connect(pg.url)
        self.connection.autocommit = True

    def python(self, *args: str, timeout: float = 1800) -> str:
        result = subprocess.run(
            [str(PYTHON), *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        if result.returncode:
            what = "a script" if args[0] == "-c" else " ".join(args[:2])
            raise RuntimeError(f"{what} failed:\n{result.stderr[-3000:]}")
        return result.stdout.strip()

    def manage(self, *args: str) -> str:
        return self.python("manage.py", *args)

    def start_workers(self, count: int) -> None:
        for _ in range(count):
            self.started_workers += 1
            log_file = (self.workdir / f"worker-{self.started_workers}.log").open("w")
            self.workers.append(
                subprocess.Popen(
                    [
                        str(PYTHON),
                        "manage.py",
                        "db_worker",
                        "--no-reload",
                        "--no-startup-delay",
                        "--interval",
                        "0.1",
                        "--verbosity",
                        "1",
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            )

    def workers_cpu(self) -> float:
        """CPU seconds the running workers have used (user + system, from /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for worker in self.workers:
            try:
                fields = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        self.workers = []

    def drain(self, timeout: float = 60) -> None:
        """Waits until the workers have run every queued task (the part tasks a builder made
        redundant by rendering the parts itself), so the next run starts from an empty queue."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                    "WHERE status IN ('READY', 'RUNNING')"
                )
                if cursor.fetchone()[0] == 0:
                    return
            time.sleep(0.1)

    def bundle_row(self, bundle_id: int) -> tuple[str, int, int, int | None, str]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, done, total, size, error FROM bundles_bundle WHERE id = %s",
                [bundle_id],
            )
            return cursor.fetchone()

    def build(self, first: int, last: int, workers: int) -> Run:
        """A bundle of demo-FIRST … demo-LAST built by `workers` fresh workers."""
        self.start_workers(workers)
        time.sleep(2)  # the workers have started and poll an empty queue
        idle_cpu = self.workers_cpu()
        load_before = os.getloadavg()[0]
        bundle_id = int(self.python("-c", CREATE, str(first), str(last)).splitlines()[-1])
        last_done = -1
        while True:
            status, done, total, _, error = self.bundle_row(bundle_id)
            if status in {"done", "failed"}:
                break
            if done != last_done and done % max(1, total // 10) == 0:
                log(f"  {done} / {total}")
                last_done = done
            if any(worker.poll() is not None for worker in self.workers):
                raise RuntimeError("a worker stopped; see its log in " + str(self.workdir))
            time.sleep(0.05)
        cpu = self.workers_cpu() - idle_cpu
        self.drain()
        load = max(load_before, os.getloadavg()[0])
        self.stop_workers()
        if status != "done":
            raise RuntimeError(f"bundle {bundle_id} failed: {error}")
        # From the bundle's creation (its task enqueued) to 已完成, as the database saw them.
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXTRACT(EPOCH FROM finished_at - created_at) FROM bundles_bundle "
                "WHERE id = %s",
                [bundle_id],
            )
            seconds = float(cursor.fetchone()[0])
        return Run(bundle_id, workers, last - first + 1, seconds, cpu, load)

    def path(self, bundle_id: int) -> Path:
        return self.bundles / f"{bundle_id}.zip"


def pdf_members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {
            info.filename: hashlib.sha256(archive.read(info)).hexdigest()
            for info in archive.infolist()
            if info.filename.endswith(".pdf")
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--approved", type=int, default=1000)
    parser.add_argument("--rendered", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (ZIPs, logs)")
    args = parser.parse_args()
    if not (PG_BIN / "initdb").exists():
        print(f"PostgreSQL not found in {PG_BIN} (set PG_BIN)", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="selfeval-bundles-"))
    pg = Postgres(Path(tempfile.mkdtemp(prefix="selfeval-bundles-pg-")))
    bench: Bench | None = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        log(f"PostgreSQL on port {pg.port}, work folder {workdir}")
        pg.start()
        bench = Bench(workdir, pg)
        bench.manage("migrate", "--noinput")
        total = args.approved + args.rendered
        started = time.perf_counter()
        bench.manage("generate_demo_data", "--departments", str(total), "--years", "1")
        log(f"{total} demo departments in {time.perf_counter() - started:.1f} s")
        seeded = json.loads(bench.python("-c", APPROVE, str(args.approved)).splitlines()[-1])
        log(f"{seeded['approved']} approved with stored PDFs in {seeded['stored_seconds']:.1f} s")

        # (a) approved: stored bytes, one worker.
        log(f"(a) ZIP of {args.approved} approved departments, 1 worker …")
        approved = bench.build(1, args.approved, workers=1)
        # (b) rendered now: one worker, then two.
        first = args.approved + 1
        log(f"(b) ZIP of {args.rendered} departments rendered now, 1 worker …")
        one = bench.build(first, total, workers=1)
        log("(b) the same, 2 workers …")
        two = bench.build(first, total, workers=2)
        one_pdfs, two_pdfs = (
            pdf_members(bench.path(one.bundle_id)),
            pdf_members(bench.path(two.bundle_id)),
        )
        identical = one_pdfs == two_pdfs and len(one_pdfs) == 2 * args.rendered

        pair = sum(original for original, _, _ in seeded["deflate"].values())
        packed = sum(deflated for _, deflated, _ in seeded["deflate"].values())
        deflate_ms = sum(seconds for _, _, seconds in seeded["deflate"].values()) * 1000
        print()
        print(f"Bundles on PostgreSQL, {os.cpu_count()} CPUs, workers as `make serve` runs them")
        print()
        print(
            "| ZIP | departments | workers | seconds | per department | workers' CPU "
            "| cores used | load | size |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for label, run in (
            ("approved (stored PDFs)", approved),
            ("rendered now", one),
            ("rendered now", two),
        ):
            print(
                f"| {label} | {run.departments} | {run.workers} | {run.seconds:.1f} s | "
                f"{run.seconds / run.departments * 1000:.0f} ms | {run.cpu:.1f} s | "
                f"{run.cpu / run.seconds:.2f} | {run.load:.1f} | "
                f"{bench.path(run.bundle_id).stat().st_size / 1e6:.0f} MB |"
            )
        print()
        size = bench.path(approved.bundle_id).stat().st_size
        verdict = "within" if approved.seconds <= TARGET_SECONDS else "OVER"
        print(
            f"(a) {approved.seconds:.1f} s for {args.approved} approved departments: {verdict} "
            f"the {TARGET_SECONDS:.0f} s target ({size / 1e6 / approved.seconds:.0f} MB/s written)"
        )
        print(
            f"(b) 2 workers vs 1: {one.seconds:.1f} s → {two.seconds:.1f} s, "
            f"speed-up ×{one.seconds / two.seconds:.2f} (CPU used {one.cpu:.0f} s → {two.cpu:.0f} s)"
        )
        print(
            f"    the workers used {one.cpu / one.seconds:.2f} → {two.cpu / two.seconds:.2f} "
            f"cores of {os.cpu_count()}; the work itself grew ×{two.cpu / one.cpu:.2f}"
        )
        busy = max(one.load - 1, two.load - 2)
        if busy > 0.5:
            print(
                f"    caution: other work kept about {busy:.1f} CPUs busy meanwhile "
                "(load average above the workers'): the second worker had no core of its own"
            )
        print(
            f"    PDFs of the 2-worker ZIP byte-identical to the 1-worker ZIP's: "
            f"{'yes' if identical else 'NO'} ({len(two_pdfs)} PDFs)"
        )
        print(
            f"Deflate instead of store, on one real 附件1 + 附件2 ({pair / 1e3:.0f} kB): "
            f"{packed / pair:.3f} of the size for {deflate_ms:.1f} ms a department "
            f"(≈ {deflate_ms * args.approved / 1000:.0f} s more for {args.approved})"
        )
        return 0 if identical else 1
    finally:
        if bench is not None:
            bench.stop_workers()
            bench.connection.close()
        pg.stop()
        shutil.rmtree(pg.directory, ignore_errors=True)
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
