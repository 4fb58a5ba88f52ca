"""What carrying the data and the verification code costs: the PDFs with and without what they
carry, and approval's renders against the same files rendered once, plain.

    .venv/bin/python bench/approval_render.py [--repeat N]

Loads Liwan 2023 into a throwaway SQLite database and prints medians of N warm runs:
  附件2 / 附件1 PDF, plain        the renderer alone (the baseline)
  附件2 / 附件1 PDF, carrying     with the JSON and the workbook embedded and the XMP packet,
                                  as a download renders it (the carried files built too)
  approval, every file            documents.render_for_approval: each PDF twice (without the
                                  code, for its digest, then with it), the workbook, the Word
                                  files
  every file once, plain          the same five files rendered once each, carrying nothing
"""

import argparse
from collections.abc import Callable

import harness


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    harness.django_with_liwan()
    from django.utils import timezone

    from evaluations.reports import report
    from evaluations.reports.carried import NOTHING
    from review import document_data, documents

    def load(document: documents.Document):
        return documents.document_evaluation(department_code="liwan-kgxj", year=2023)

    evaluation = load(documents.REPORT)
    table = documents.SCORE_TABLE.source(load(documents.SCORE_TABLE))
    approval = document_data.Approval(approver="bench", at=timezone.now())

    def carrying(document: documents.Document) -> Callable[[], bytes]:
        def run() -> bytes:
            loaded = load(document)
            taken = document_data.snapshot(loaded)
            carried = document_data.carried(loaded, taken, document_title=document.title)
            return document.formats["pdf"].render(document.source(loaded), carried)

        return run

    def every_file_plain() -> None:
        for document in documents.DOCUMENTS.values():
            source = document.source(load(document))
            for rendering in document.formats.values():
                rendering.render(source, NOTHING)

    timings = {
        "附件2 PDF, plain": harness.median_seconds(
            lambda: report.report_pdf(evaluation), args.repeat
        ),
        "附件2 PDF, carrying": harness.median_seconds(carrying(documents.REPORT), args.repeat),
        "附件1 PDF, plain": harness.median_seconds(
            lambda: documents.SCORE_TABLE.formats["pdf"].render(table, NOTHING), args.repeat
        ),
        "附件1 PDF, carrying": harness.median_seconds(carrying(documents.SCORE_TABLE), args.repeat),
        "every file once, plain": harness.median_seconds(every_file_plain, args.repeat),
        "approval, every file": harness.median_seconds(
            lambda: documents.render_for_approval(
                department_code="liwan-kgxj", year=2023, approval=approval
            ),
            args.repeat,
        ),
    }
    print(f"Liwan 2023, medians of {args.repeat} warm runs:")
    for name, seconds in timings.items():
        print(f"  {name:<24} {seconds * 1000:7.0f} ms")
    for label, new, base in (
        ("附件2 PDF carrying / plain", "附件2 PDF, carrying", "附件2 PDF, plain"),
        ("附件1 PDF carrying / plain", "附件1 PDF, carrying", "附件1 PDF, plain"),
        ("approval / every file once", "approval, every file", "every file once, plain"),
    ):
        print(f"  {label:<28} ×{timings[new] / timings[base]:.2f}")
    plain = report.report_pdf(evaluation)
    carried = carrying(documents.REPORT)()
    print(f"  附件2 PDF size: {len(plain):,} bytes plain, {len(carried):,} carrying")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
