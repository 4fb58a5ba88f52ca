"""A report at the size limits renders well within a request.

    .venv/bin/python bench/report_limits.py

Builds, in a throwaway SQLite database, an invented evaluation at the limits of
evaluations/models.py and indicators/models.py — 附件2 text just under REPORT_MAX_CHARACTERS
(every list at MAX_LIST_ITEMS entries) and MAX_INDICATOR_ROWS indicator rows — and prints the
pages and the render time of 附件2 and 附件1, against REPORT_RENDER_TIMEOUT, next to the Liwan
report rendered in the same run as the baseline.
"""

import subprocess
import sys
import time

import harness

PHRASE = "全面推进科技创新体系建设，落实 R&D 投入加计扣除政策，服务企业 1,024 家（次）；"


def pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(info.decode().split("Pages:")[1].split()[0])


def main() -> int:
    harness.django_with_liwan()
    from django.conf import settings

    from evaluations.factories import ITEM_FACTORIES, DepartmentFactory
    from evaluations.lists import ORDERED_LISTS
    from evaluations.models import MAX_LIST_ITEMS, REPORT_MAX_CHARACTERS
    from evaluations.reports import document
    from evaluations.reports.carried import NOTHING
    from indicators.factories import CompleteEvaluationFactory, IndicatorRowFactory
    from indicators.models import MAX_INDICATOR_ROWS
    from review import documents

    evaluation = CompleteEvaluationFactory(department=DepartmentFactory(code="limits"))
    entries = [entry for entry in ORDERED_LISTS for _ in range(MAX_LIST_ITEMS)]
    length = (REPORT_MAX_CHARACTERS - 2_000) // len(entries)  # room for headings and figures
    text = (PHRASE * (length // len(PHRASE) + 1))[:length]
    for entry in ORDERED_LISTS:
        for order in range(2, MAX_LIST_ITEMS + 1):
            fields = {name: text for name in entry.fields}
            if "title" in fields:
                fields["title"] = text[:40]
            ITEM_FACTORIES[entry.model](evaluation=evaluation, order=order, **fields)
    for order in range(2, MAX_INDICATOR_ROWS + 1):
        IndicatorRowFactory(
            evaluation=evaluation, order=order, name=f"{PHRASE[:20]}{order}", deviation_reason=""
        )

    timeout = settings.REPORT_RENDER_TIMEOUT
    print(f"limits: {MAX_LIST_ITEMS} entries a list, {MAX_INDICATOR_ROWS} indicator rows, ")
    print(f"        {REPORT_MAX_CHARACTERS:,} characters of 附件2; render timeout {timeout} s")
    for code, label in (("liwan-kgxj", "Liwan 2023 (baseline)"), ("limits", "at the limits")):
        for kind in (documents.REPORT, documents.SCORE_TABLE):
            loaded = documents.document_evaluation(department_code=code, year=2023)
            source = kind.source(loaded)
            started = time.perf_counter()
            pdf = kind.formats["pdf"].render(source, NOTHING)
            seconds = time.perf_counter() - started
            extra = ""
            if kind is documents.REPORT:
                characters = document.report_characters(document.report_blocks(loaded))
                extra = f", {characters:,} characters"
            print(
                f"{label:24} {kind.title:12} {pages(pdf):4} pages{extra}: {seconds:6.2f} s"
                f"  ({seconds / timeout:.0%} of the timeout)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
