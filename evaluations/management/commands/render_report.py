from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from evaluations import selectors
from evaluations.reports import report


class Command(BaseCommand):
    help = "生成一份部门整体支出绩效自评报告（附件2）的 PDF，与网页下载的文件逐字节相同。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("department_code", help="部门编码，如 liwan-kgxj")
        parser.add_argument("year", type=int, help="年度，如 2023")
        parser.add_argument("-o", "--output", required=True, type=Path, help="PDF 输出路径")
        parser.add_argument("--html", type=Path, help="同时写出报告的 HTML（排版后的行）")
        parser.add_argument(
            "--appendix",
            type=int,
            choices=(1, 2),
            default=2,
            help="2：自评报告（默认）；1：部门整体支出绩效自评表",
        )

    def handle(
        self,
        *args,
        department_code: str,
        year: int,
        output: Path,
        html: Path | None,
        appendix: int,
        **options,
    ) -> None:
        try:
            render_html, render_pdf = self._renderers(appendix, department_code, year)
        except Http404:
            raise CommandError(
                f"没有找到部门编码为 {department_code} 的 {year} 年度自评。"
            ) from None
        if html is not None:
            html.write_text(render_html(), encoding="utf-8")
            self.stdout.write(f"已写出 HTML：{html}")
        pdf_bytes = render_pdf()
        output.write_bytes(pdf_bytes)
        self.stdout.write(self.style.SUCCESS(f"已写出 PDF：{output}（{len(pdf_bytes)} 字节）"))

    @staticmethod
    def _renderers(
        appendix: int, department_code: str, year: int
    ) -> tuple[Callable[[], str], Callable[[], bytes]]:
        """(HTML, PDF) of one appendix of one evaluation, the same functions the web uses."""
        if appendix == 1:
            from indicators import selectors as indicator_selectors
            from indicators.reports import appendix1

            table = appendix1.appendix1_for(
                indicator_selectors.evaluation_for_appendix(
                    department_code=department_code, year=year
                )
            )
            return (lambda: appendix1.appendix1_html(table)), (
                lambda: appendix1.appendix1_pdf(table)
            )
        evaluation = selectors.evaluation_for_report(department_code=department_code, year=year)
        return (lambda: report.report_html(evaluation)), (lambda: report.report_pdf(evaluation))
