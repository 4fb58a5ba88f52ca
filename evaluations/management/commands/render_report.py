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

    def handle(
        self, *args, department_code: str, year: int, output: Path, html: Path | None, **options
    ) -> None:
        try:
            evaluation = selectors.evaluation_for_report(department_code=department_code, year=year)
        except Http404:
            raise CommandError(
                f"没有找到部门编码为 {department_code} 的 {year} 年度自评。"
            ) from None
        if html is not None:
            html.write_text(report.report_html(evaluation), encoding="utf-8")
            self.stdout.write(f"已写出 HTML：{html}")
        pdf_bytes = report.report_pdf(evaluation)
        output.write_bytes(pdf_bytes)
        self.stdout.write(self.style.SUCCESS(f"已写出 PDF：{output}（{len(pdf_bytes)} 字节）"))
