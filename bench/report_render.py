"""Speed of the 附件2 report: render, cache and 304, against WeasyPrint alone on the same HTML.

    .venv/bin/python bench/report_render.py [--repeat N] [-o OUT.pdf]

Loads the Liwan 2023 fixture into a throwaway SQLite database, then prints (medians of N warm
runs in this process):
  pipeline   selector + typesetting + template + PDF, as the download does it uncached
  baseline   WeasyPrint alone rendering the same HTML in a fresh process that never imported
             our code (so none of our caches help it)
  cold/warm/304  the PDF URL through Django's test client: first download (renders), a repeated
             download (cache), and a conditional request (ETag)
and, when ../shared/tools/report_fidelity.py and pdftotext exist, the fidelity figures.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness

ROOT = harness.ROOT
FIDELITY = ROOT.parent / "shared" / "tools" / "report_fidelity.py"
OFFICIAL = ROOT / "tests" / "data" / "liwan_2023_official.txt"

BASELINE = r"""
import sys, time, statistics
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
# The plain way: WeasyPrint's own fetcher, the stylesheet linked by its file path.
html = open(sys.argv[1], encoding="utf-8").read().replace(
    'href="/static/', 'href="file://' + sys.argv[2] + '/')
fonts = FontConfiguration()
face = CSS(string="@font-face { font-family: report-latin; src: local(Liberation Serif); "
           "unicode-range: U+0000-024F; }", font_config=fonts)
def render():
    return HTML(string=html, base_url="file:///").write_pdf(
        stylesheets=[face], font_config=fonts)
render()
times = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter(); render(); times.append(time.perf_counter() - t)
print(statistics.median(times))
"""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "-o", "--output", type=Path, default=Path(tempfile.gettempdir()) / "liwan-2023.pdf"
    )
    args = parser.parse_args()

    workdir = harness.django_with_liwan()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from evaluations import selectors
    from evaluations.reports import report

    def load():
        return selectors.evaluation_for_report(department_code="liwan-kgxj", year=2023)

    started = time.perf_counter()
    pdf_bytes = report.report_pdf(load())
    first = time.perf_counter() - started
    args.output.write_bytes(pdf_bytes)

    pipeline = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        report.report_pdf(load())
        pipeline.append(time.perf_counter() - started)
    html = report.report_html(load())
    html_file = workdir / "report.html"
    html_file.write_text(html, encoding="utf-8")
    baseline = float(
        subprocess.run(
            [
                sys.executable,
                "-c",
                BASELINE,
                str(html_file),
                str(ROOT / "evaluations" / "static"),
                str(args.repeat),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )

    user = get_user_model().objects.create_superuser(username="bench", password="bench-pw-1")
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    url = reverse("reports:report_pdf", args=["liwan-kgxj", 2023])
    cache.clear()
    cold, warm, not_modified = [], [], []
    for _ in range(args.repeat):
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        client.get(url)
        warm.append(time.perf_counter() - started)
        started = time.perf_counter()
        conditional = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        not_modified.append(time.perf_counter() - started)
        assert conditional.status_code == 304

    pipeline_median = statistics.median(pipeline)
    print(f"first render in this process   {ms(first)}  (fonts, metrics, templates)")
    print(f"pipeline, warm (median of {args.repeat})  {ms(pipeline_median)}")
    print(f"baseline: WeasyPrint alone     {ms(baseline)}")
    print(f"ratio pipeline / baseline      {pipeline_median / baseline:7.2f}")
    print(f"download, cold (renders)       {ms(statistics.median(cold))}")
    print(f"download, warm (cached bytes)  {ms(statistics.median(warm))}")
    print(f"conditional request (304)      {ms(statistics.median(not_modified))}")
    print(f"PDF                            {args.output} ({len(pdf_bytes) // 1024} KiB)")
    if FIDELITY.exists():
        result = subprocess.run(
            [sys.executable, str(FIDELITY), str(args.output), str(OFFICIAL)],
            capture_output=True,
            text=True,
            check=False,
        )
        print(result.stdout, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
