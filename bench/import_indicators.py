"""Time a 5,000-row import of indicator rows (the indicators issue asks for under 30 s).

Builds a throwaway SQLite database, 100 departments × 1 evaluation × 50 rows, writes them as a
CSV, and imports it twice with `manage.py import_indicators` semantics: once creating every row,
once updating every row. Development only.

    .venv/bin/python bench/import_indicators.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="bench-import-")
    os.environ.setdefault("DEBUG", "1")
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from evaluations.factories import DepartmentFactory, EvaluationFactory
    from evaluations.tabular import import_errors, read_dataset
    from indicators.factories import IndicatorFrameworkFactory
    from indicators.resources import IndicatorRowResource

    call_command("migrate", verbosity=0)
    IndicatorFrameworkFactory(year=2024)
    departments = 100  # 50 rows each: within MAX_INDICATOR_ROWS (60) of one evaluation
    per_department = args.rows // departments
    for number in range(departments):
        department = DepartmentFactory(
            code=f"bench-{number:02d}", name=f"基准部门{number}", full_name=f"某市基准部门{number}"
        )
        EvaluationFactory(department=department, year=2024, blank=True)

    header = "部门编码,年度,一级指标,二级指标,三级指标,计量单位,指标性质,年度指标值,实际完成值,分值,偏差原因分析及改进措施"

    def csv_text(actual: int) -> str:
        lines = [header]
        for number in range(departments):
            for row in range(per_department):
                lines.append(
                    f"bench-{number:02d},2024,产出指标,数量指标,指标{row:03d},家,≥,100,{actual},0.9,"
                    "未完成原因：示例。"
                )
        return "\n".join(lines) + "\n"

    for label, actual in (("新增", 90), ("更新", 95)):
        data = csv_text(actual).encode("utf-8")
        started = time.perf_counter()
        dataset = read_dataset(data, kind="csv")
        result = IndicatorRowResource(department_codes=None).import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
        elapsed = time.perf_counter() - started
        problems = import_errors(result)
        if problems:
            sys.exit("\n".join(problems[:10]))
        print(
            f"{label} {len(dataset)} 行（{len(data) / 1024:.0f} KB CSV）：{elapsed:.1f} s，"
            f"new={result.totals['new']} update={result.totals['update']}"
        )


if __name__ == "__main__":
    main()
