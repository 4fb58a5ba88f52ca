"""Hostile import files: time and peak memory of refusing each, as the admin's preview reads it.

Generates each file of tests/hostile/files.py at full size in a temp folder (the XLSX are
streamed, so the generator stays small however far a file expands), then previews each in a
child process as the import page does (`read_dataset` through the format, then the resource's
dry run) and prints the result, the wall time and the child's peak RSS. A valid 5,000-row
file is previewed and imported the same way as a baseline (bench/import_indicators.py times
the import alone). Each child is capped (address space, time) so that a run on code without
the limits reports the failure instead of exhausting the machine. Peak memory is the child's
VmHWM. Development only.

    .venv/bin/python bench/hostile_imports.py [--rows 5000] [--memory-cap-mb 3072] [--timeout 120]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MB = 200
# Indicator rows per evaluation in the valid file (an evaluation holds at most 60).
PER_DEPARTMENT = 50


def setup_django(directory: str) -> None:
    os.environ.setdefault("DEBUG", "1")
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def peak_kilobytes(pid: int | str = "self") -> int | None:
    """The process's peak resident set (VmHWM), which exec starts afresh: unlike the wait4
    figure, it does not count the parent's memory the child was forked with."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def child(path: Path, mode: str, memory_cap_mb: int) -> None:
    """One preview (or preview and import) in this process, under a cap on its address space;
    prints its result as a JSON line, then its peak memory as another, even when it fails."""
    cap = memory_cap_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        preview(path, mode)
    finally:
        print(json.dumps({"peak_kb": peak_kilobytes()}), flush=True)


def preview(path: Path, mode: str) -> None:
    setup_django(str(path.parent))
    from evaluations.tabular import ImportFileError, format_for_filename, import_errors
    from indicators.resources import IndicatorRowResource

    started = time.perf_counter()
    try:
        dataset = format_for_filename(path.name)().create_dataset(path.read_bytes())
    except ImportFileError as error:
        message = f"{error}（读取 {time.perf_counter() - started:.2f} s）"
        print(json.dumps({"result": "refused", "message": message}, ensure_ascii=False), flush=True)
        return
    timings = {"read": time.perf_counter() - started}
    runs = [("preview", True)] + ([("import", False)] if mode == "import" else [])
    problems: list[str] = []
    for label, dry_run in runs:
        began = time.perf_counter()
        result = IndicatorRowResource(department_codes=None).import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        timings[label] = time.perf_counter() - began
        problems = import_errors(result)
        if problems:
            break
    outcome = "refused" if problems else "accepted"
    message = (
        f"{len(problems)} 处错误，如：{problems[0]}"
        if problems
        else f"{len(dataset)} 行；" + "，".join(f"{k} {v:.1f} s" for k, v in timings.items())
    )
    print(json.dumps({"result": outcome, "message": message}, ensure_ascii=False), flush=True)


def run_child(path: Path, mode: str, *, memory_cap_mb: int, timeout: float) -> dict[str, object]:
    out_file, err_file = path.with_suffix(".out"), path.with_suffix(".err")
    command = [sys.executable, __file__, "--child", str(path), "--mode", mode]
    command += ["--memory-cap-mb", str(memory_cap_mb)]
    started = time.perf_counter()
    with out_file.open("wb") as stdout, err_file.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        try:
            process.wait(timeout=timeout)
            killed_at = None
        except subprocess.TimeoutExpired:
            killed_at = peak_kilobytes(process.pid)
            process.kill()
            process.wait()
    elapsed = time.perf_counter() - started
    lines = [json.loads(line) for line in out_file.read_text().splitlines() if line.startswith("{")]
    reports = [line for line in lines if "result" in line]
    peaks = [line["peak_kb"] for line in lines if line.get("peak_kb")] or [killed_at or 0]
    if killed_at is not None:
        report = {"result": "killed", "message": f"still running after {timeout:.0f} s"}
    elif reports:
        report = reports[-1]
    else:
        last = (err_file.read_text(errors="replace").strip().splitlines() or ["?"])[-1]
        report = {"result": "crashed", "message": f"exit {process.returncode}: {last[:160]}"}
    return {**report, "seconds": elapsed, "peak_mb": peaks[-1] / 1024}


def build_files(directory: Path, rows: int) -> list[tuple[str, Path, str]]:
    from tests.hostile import files

    def write(name: str, content: bytes) -> Path:
        path = directory / name
        path.write_bytes(content)
        return path

    lines = [files.HEADER_CSV.strip()]
    for number in range(rows):
        department, row = divmod(number, PER_DEPARTMENT)
        lines.append(
            f"bench-{department:03d},2024,产出指标,数量指标,指标{row:03d},家,≥,100,95,0.9,"
            "未完成原因：示例。"
        )
    return [
        ("valid 5,000-row CSV (baseline)", write("valid.csv", "\n".join(lines).encode()), "import"),
        ("huge-dimension XLSX", write("dimension.xlsx", files.huge_dimension_xlsx()), "preview"),
        (
            "600 MB shared string XLSX",
            files.to_file(directory / "strings.xlsx", files.giant_shared_string_xlsx),
            "preview",
        ),
        ("1 GB zip-bomb XLSX", files.to_file(directory / "bomb.xlsx", files.bomb_xlsx), "preview"),
        (
            "40 MB sheet at 700:1 XLSX",
            files.to_file(directory / "ratio.xlsx", lambda target: files.bomb_xlsx(target, 40)),
            "preview",
        ),
        (
            "45 MB of empty rows XLSX",
            files.to_file(directory / "elements.xlsx", files.many_elements_xlsx),
            "preview",
        ),
        ("80,000-row CSV", write("rows.csv", files.many_rows_csv(80_000)), "preview"),
        ("80,000-row XLSX", write("rows.xlsx", files.many_rows_xlsx(80_000)), "preview"),
        (
            "1,000,000 shared strings XLSX",
            write("shared.xlsx", files.many_shared_strings_xlsx()),
            "preview",
        ),
        (
            "wide CSV (one 5 MB line, 1.7 million columns)",
            write("wide.csv", files.wide_csv(1_740_000)),
            "preview",
        ),
        ("wide XLSX (16,384 columns)", write("wide.xlsx", files.wide_xlsx()), "preview"),
    ]


def prepare_database(rows: int) -> None:
    from django.core.management import call_command

    from evaluations.factories import DepartmentFactory, EvaluationFactory
    from indicators.factories import IndicatorFrameworkFactory

    call_command("migrate", verbosity=0)
    IndicatorFrameworkFactory(year=2024)
    for number in range(-(-rows // PER_DEPARTMENT)):
        department = DepartmentFactory(
            code=f"bench-{number:03d}", name=f"基准部门{number}", full_name=f"某市基准部门{number}"
        )
        EvaluationFactory(department=department, year=2024, blank=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--memory-cap-mb", type=int, default=3072)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="preview", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.mode, args.memory_cap_mb)
        return

    directory = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    setup_django(str(directory))
    prepare_database(args.rows)
    built = time.perf_counter()
    cases = build_files(directory, args.rows)
    print(f"files generated in {time.perf_counter() - built:.1f} s under {directory}")
    for label, path, mode in cases:
        report = run_child(path, mode, memory_cap_mb=args.memory_cap_mb, timeout=args.timeout)
        flag = "" if report["peak_mb"] < TARGET_MB else f"  (over {TARGET_MB} MB)"
        print(
            f"- {label}: {path.stat().st_size / 1024:,.0f} KB on disk\n"
            f"    {report['result']}: {report['message']}\n"
            f"    {report['seconds']:.2f} s wall, peak RSS {report['peak_mb']:.0f} MB{flag}"
        )


if __name__ == "__main__":
    main()
