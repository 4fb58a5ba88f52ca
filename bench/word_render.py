"""Speed of the Word files (附件2 and 附件1 as DOCX), against the PDFs and python-docx alone.

    .venv/bin/python bench/word_render.py [--repeat N]

Loads the Liwan 2023 fixture into a throwaway SQLite database, then prints medians of N warm
runs in this process:
  附件2 / 附件1 DOCX   the selector's data to DOCX bytes, as the download does it uncached
  附件2 / 附件1 PDF    the same documents as PDFs (the baseline of the same run)
  python-docx alone   the report's paragraphs into python-docx's default template, unstyled,
                      saved: the floor of any DOCX made with the library
and, when LibreOffice (soffice) and ../shared/tools/report_fidelity.py exist, LibreOffice's PDF
of the Word report compared with the filed original (text, lines, pages).
"""

import argparse
import io
import time

import harness

ROOT = harness.ROOT
FIDELITY = ROOT.parent / "shared" / "tools" / "report_fidelity.py"
OFFICIAL = ROOT / "tests" / "data" / "liwan_2023_official.txt"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    workdir = harness.django_with_liwan()
    import docx

    from evaluations import selectors
    from evaluations.reports import report
    from evaluations.reports.document import report_blocks
    from indicators import selectors as indicator_selectors
    from indicators.reports import appendix1

    evaluation = selectors.evaluation_for_report(department_code="liwan-kgxj", year=2023)
    table = appendix1.appendix1_for(
        indicator_selectors.evaluation_for_appendix(department_code="liwan-kgxj", year=2023)
    )
    blocks = report_blocks(evaluation)

    def bare_docx() -> bytes:
        document = docx.Document()
        for block in blocks:
            document.add_paragraph(block.text)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    timings = {
        "附件2 DOCX": harness.median_seconds(lambda: report.report_docx(evaluation), args.repeat),
        "附件2 PDF": harness.median_seconds(lambda: report.report_pdf(evaluation), args.repeat),
        "附件1 DOCX": harness.median_seconds(lambda: appendix1.appendix1_docx(table), args.repeat),
        "附件1 PDF": harness.median_seconds(lambda: appendix1.appendix1_pdf(table), args.repeat),
        "python-docx alone": harness.median_seconds(bare_docx, args.repeat),
    }
    print(f"Liwan 2023, medians of {args.repeat} warm runs:")
    for name, seconds in timings.items():
        print(f"  {name:<18} {seconds * 1000:7.1f} ms")
    print(
        f"  附件2 DOCX / PDF  ×{timings['附件2 DOCX'] / timings['附件2 PDF']:.2f};"
        f"  附件1 DOCX / PDF  ×{timings['附件1 DOCX'] / timings['附件1 PDF']:.2f};"
        f"  附件2 DOCX / python-docx alone  ×"
        f"{timings['附件2 DOCX'] / timings['python-docx alone']:.2f}"
    )
    sizes = (len(report.report_docx(evaluation)), len(appendix1.appendix1_docx(table)))
    print(f"  sizes: 附件2 {sizes[0]:,} bytes, 附件1 {sizes[1]:,} bytes")

    from tests.reports import libreoffice

    try:
        libreoffice.soffice()
    except AssertionError as missing:
        print(f"LibreOffice round trip skipped: {missing}")
        return 0
    start = time.perf_counter()
    pdf = libreoffice.to_pdf({"liwan": report.report_docx(evaluation)}, workdir / "lo")["liwan"]
    print(f"LibreOffice conversion of the Word report: {time.perf_counter() - start:.1f} s")
    if FIDELITY.exists():
        from tests.reports import pdftools

        result = pdftools.shared_tool(pdf, "report_fidelity.py", str(OFFICIAL))
        figures = {key: result[key] for key in ("text", "lines", "pages", "pagecount")}
        print(f"LibreOffice's PDF of the Word report against the filed original: {figures}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
