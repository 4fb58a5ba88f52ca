"""What the one-process benches share: Django on a throwaway SQLite database with the Liwan 2023
fixture loaded, and the median of warm runs. Benches run as scripts (`python bench/x.py`), so
this module is imported as `harness`."""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def django_with_liwan() -> Path:
    """Sets Django up on a new SQLite database in a temporary folder, migrated and holding
    Liwan 2023; returns the folder (for any other files a bench writes)."""
    workdir = Path(tempfile.mkdtemp(prefix="selfeval-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", "liwan_2023", verbosity=0)
    return workdir


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    """The median of `repeat` runs after one warm-up run (fonts, templates, imports)."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
