from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations.tabular import ImportFileError, check_size, format_for_filename, import_errors
from indicators.resources import IndicatorRowResource


class Command(BaseCommand):
    help = (
        "从 XLSX 或 CSV（UTF-8 或 GBK）文件导入三级指标，按部门编码、年度和三级指标匹配已有的行。"
        "任何一行有错误时列出全部错误、不写入任何数据，并以非零状态退出。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告结果，不写入数据库")

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        try:
            file_format = format_for_filename(file.name)
            if not file.is_file():
                raise ImportFileError(f"找不到文件：{file}")
            check_size(file.stat().st_size)
            dataset = file_format().create_dataset(file.read_bytes())
        except ImportFileError as error:
            raise CommandError(f"导入失败，未写入任何数据：{error}") from None

        # The command line is an administrator's tool: every department.
        resource = IndicatorRowResource(department_codes=None)
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        problems = import_errors(result)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"导入失败，共 {len(problems)} 处错误，未写入任何数据。")
        totals = result.totals
        summary = f"新增 {totals['new']} 行，更新 {totals['update']} 行"
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"试运行通过：将{summary}（未写入数据库）。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成：{summary}。"))
