"""Speed of the year's overview (and its 汇总表) at 100 and 1,000 departments.

    .venv/bin/python bench/overview.py [--requests 30] [--postgres postgres://…/empty_db]

Builds a throwaway SQLite database (or fills the given PostgreSQL database, which must be empty:
it is migrated and filled, and left as it is) with `manage.py generate_demo_data --departments
1000 --years 2`, moves the last year's evaluations through the workflow in bulk (a quarter
approved, a quarter submitted, a quarter returned with a comment, the rest drafts, 2 % never
created), creates the last year's round and then, with the round's departments set to the first
100 and then to all 1,000, requests through Django's test client as a superuser:

  overview     /admin/rounds/round/<pk>/overview/ (every department in one table, two charts)
  baseline     the admin's evaluation list of the same year (/admin/evaluations/evaluation/
               ?year=…, 100 a page), in the same run
  summary      the 汇总表 as XLSX and as CSV (GBK)

and prints the median and p95 of N requests each, the overview's queries and its ratio to the
baseline. DEBUG is switched off for the requests, as in production (no query log). Last, it
times creating the next year's round with drafts copied forward for a sample of departments
(--drafts, default 100), and extrapolates to the district.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEPARTMENTS = 1000
YEARS = 2
LAST_YEAR = 2023
SIZES = (100, 1000)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Median and p95 of `repeat` requests after two warm-ups, and the response's size."""
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(times), percentile(times, 0.95), len(response.content)


def move_through_the_workflow(year: int, deadline, superuser) -> dict[str, int]:
    """Statuses and review steps in bulk (the per-evaluation services would render PDFs at each
    approval): by department number, approved / submitted / returned / draft, and 2 % of the
    departments without an evaluation of the year."""
    from django.utils import timezone

    from evaluations.models import Evaluation, ReviewEvent

    evaluations = list(
        Evaluation.objects.filter(year=year)
        .order_by("department__code")
        .values_list("pk", flat=True)
    )
    missing = evaluations[::50]
    Evaluation.objects.filter(pk__in=missing).delete()
    present = [pk for pk in evaluations if pk not in set(missing)]
    groups: dict[str, list[int]] = {"approved": [], "submitted": [], "returned": [], "draft": []}
    for number, pk in enumerate(present):
        groups[("approved", "submitted", "returned", "draft")[number % 4]].append(pk)
    steps = {
        "approved": [("draft", "submitted", ""), ("submitted", "approved", "同意。")],
        "submitted": [("draft", "submitted", "")],
        "returned": [
            ("draft", "submitted", ""),
            ("submitted", "returned", "请补充重点工作任务完成情况的分析，并核对预算执行数。"),
        ],
    }
    events = [
        ReviewEvent(
            evaluation_id=pk, actor=superuser, from_status=old, to_status=new, comment=comment
        )
        for status, pks in groups.items()
        for pk in pks
        for old, new, comment in steps.get(status, [])
    ]
    ReviewEvent.objects.bulk_create(events, batch_size=2000)
    for status, pks in groups.items():
        Evaluation.objects.filter(pk__in=pks).update(status=status)
    # Half the submissions a few days before the deadline, half a few days after it.
    submitted = list(
        ReviewEvent.objects.filter(evaluation__year=year, to_status="submitted").values_list(
            "pk", flat=True
        )
    )
    on_time = timezone.make_aware(
        timezone.datetime.combine(deadline - timedelta(days=5), timezone.datetime.min.time())
    )
    ReviewEvent.objects.filter(pk__in=submitted[::2]).update(created_at=on_time)
    ReviewEvent.objects.filter(pk__in=submitted[1::2]).update(
        created_at=on_time + timedelta(days=8)
    )
    return {status: len(pks) for status, pks in groups.items()} | {"missing": len(missing)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--drafts", type=int, default=100, help="departments of the round created with drafts"
    )
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL to fill instead")
    args = parser.parse_args()

    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
        where = "PostgreSQL"
    else:
        workdir = Path(tempfile.mkdtemp(prefix="selfeval-bench-overview-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        where = f"SQLite ({workdir / 'bench.sqlite3'})"
    os.environ.setdefault("DEBUG", "1")  # settings need DEBUG or a SECRET_KEY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    print(f"数据库：{where}")
    # In their own processes, as an operator runs them: the measuring process then holds only
    # what a web worker holds (the demo data's objects would slow its garbage collector).
    started = time.perf_counter()
    generate = ["generate_demo_data", "--departments", str(DEPARTMENTS), "--years", str(YEARS)]
    for command in (["migrate", "--verbosity", "0"], [*generate, "--last-year", str(LAST_YEAR)]):
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
    print(f"演示数据：{DEPARTMENTS} 个部门 × {YEARS} 年（{time.perf_counter() - started:.1f} 秒）")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from evaluations.models import Department
    from rounds.models import Round
    from rounds.services import round_create

    superuser = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    deadline = timezone.localdate() - timedelta(days=3)
    counts = move_through_the_workflow(LAST_YEAR, deadline, superuser)
    print("状态：" + "，".join(f"{name} {count}" for name, count in counts.items()))
    round_ = Round.objects.create(year=LAST_YEAR, deadline=deadline, created_by=superuser)
    codes = list(Department.objects.order_by("code").values_list("pk", flat=True))

    # As in production: no query log, templates without debug information.
    settings.DEBUG = False
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(superuser)
    overview = f"/admin/rounds/round/{round_.pk}/overview/"
    baseline = f"/admin/evaluations/evaluation/?year={LAST_YEAR}"
    print(f"每项 {args.requests} 次请求（先预热 2 次），中位数 / p95：")
    rows = []
    for size in SIZES:
        round_.departments.set(codes[:size])
        # Every request empties the query log (request_started): start from an empty one, and
        # count before the next request.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(overview).status_code == 200
        queries = len(captured)
        page = timed(client, overview, args.requests)
        base = timed(client, baseline, args.requests)
        xlsx = timed(client, overview + "summary.xlsx", max(3, args.requests // 5))
        gbk = timed(client, overview + "summary-gbk.csv", max(3, args.requests // 5))
        rows.append((size, queries, page, base, xlsx, gbk))
        print(
            f"  {size:5d} 个部门  总览 {ms(page[0])} / {ms(page[1])}（{queries} 次查询，"
            f"{page[2] / 1024:.0f} KB）  基线 {ms(base[0])} / {ms(base[1])}  "
            f"总览 ÷ 基线 {page[0] / base[0]:.2f}  "
            f"汇总表 XLSX {ms(xlsx[0])}  CSV {ms(gbk[0])}"
        )
    (small, small_queries, *_), (large, large_queries, *_) = rows
    print(
        f"查询次数：{small} 个部门 {small_queries} 次，{large} 个部门 {large_queries} 次"
        + ("（相同）" if small_queries == large_queries else "（不同！）")
    )
    within = rows[-1][2][1] < 0.300
    print(f"{large} 个部门的总览 p95 {'低于' if within else '高于'} 300 ms。")

    # Creating next year's round with drafts: one evaluation_copy_forward per department
    # (the per-row services, a lock each), measured on a sample to estimate a district.
    sample = Department.objects.order_by("code")[: args.drafts]
    started = time.perf_counter()
    _, made = round_create(
        year=LAST_YEAR + 1,
        deadline=deadline + timedelta(days=365),
        departments=list(sample),
        create_drafts=True,
        user=superuser,
    )
    took = time.perf_counter() - started
    print(
        f"新建 {LAST_YEAR + 1} 年度并生成草稿：{args.drafts} 个部门 {took:.1f} 秒"
        f"（从上年复制 {len(made.copied)} 份，空白 {len(made.empty)} 份；"
        f"每个部门 {took / args.drafts * 1000:.0f} ms，{DEPARTMENTS} 个部门约 "
        f"{took / args.drafts * DEPARTMENTS:.0f} 秒）"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
