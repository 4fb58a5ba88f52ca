from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from review import documents

APPENDICES = {1: documents.SCORE_TABLE, 2: documents.REPORT}


class Command(BaseCommand):
    help = (
        "生成一份自评文件（附件2 自评报告或附件1 自评表），与网页下载的文件逐字节相同"
        "（已审核通过的自评即为审定时保存的文件）。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("department_code", help="部门编码，如 liwan-kgxj")
        parser.add_argument("year", type=int, help="年度，如 2023")
        parser.add_argument("-o", "--output", required=True, type=Path, help="输出路径")
        parser.add_argument("--html", type=Path, help="同时写出文件的 HTML（排版后的行）")
        parser.add_argument(
            "--appendix",
            type=int,
            choices=sorted(APPENDICES),
            default=2,
            help="2：自评报告（默认）；1：部门整体支出绩效自评表",
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            default="pdf",
            help="pdf（默认）、docx（Word）；附件1 还可为 xlsx",
        )

    def handle(
        self,
        *args,
        department_code: str,
        year: int,
        output: Path,
        html: Path | None,
        appendix: int,
        fmt: str,
        **options,
    ) -> None:
        document = APPENDICES[appendix]
        if fmt not in document.formats:
            raise CommandError(
                f"{document.title}没有 {fmt} 格式；可选：{'、'.join(document.formats)}。"
            )
        try:
            evaluation = documents.document_evaluation(department_code=department_code, year=year)
        except Http404:
            raise CommandError(
                f"没有找到部门编码为 {department_code} 的 {year} 年度自评。"
            ) from None
        if html is not None:
            html.write_text(document.html(document.source(evaluation)), encoding="utf-8")
            self.stdout.write(f"已写出 HTML：{html}")
        content = documents.rendition(document, evaluation, fmt).content()
        output.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(f"已写出 {fmt.upper()}：{output}（{len(content)} 字节）")
        )
