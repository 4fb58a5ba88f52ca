import time

from django.core.management.base import BaseCommand, CommandError

from evaluations.models import MAX_YEAR, MIN_YEAR
from review import demo_data


class Command(BaseCommand):
    help = (
        "生成演示（压测）数据：N 个虚构部门（编码 demo-0001 起），每个部门 Y 个年度的自评，"
        "含收支数据、各项列表和绩效指标。全部在一个事务中写入；已有演示数据时拒绝重复生成。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--departments", type=int, required=True, help="部门个数，如 1000")
        parser.add_argument("--years", type=int, default=3, help="年度个数，默认 3")
        parser.add_argument(
            "--last-year", type=int, default=2023, help="最后一个年度，默认 2023（即 2021–2023）"
        )
        parser.add_argument("--seed", type=int, default=2023, help="随机种子，相同种子生成相同数据")

    def handle(self, *args, departments: int, years: int, last_year: int, seed: int, **options):
        if departments < 1 or years < 1:
            raise CommandError("部门个数和年度个数都必须至少为 1。")
        year_list = list(range(last_year - years + 1, last_year + 1))
        if year_list[0] < MIN_YEAR or year_list[-1] > MAX_YEAR:
            raise CommandError(
                f"年度须在 {MIN_YEAR}–{MAX_YEAR} 之间，现为 {year_list[0]}–{year_list[-1]}。"
            )
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} 个部门（{time.monotonic() - started:.1f} 秒）")

        self.stdout.write(
            f"生成 {departments} 个部门 × {years} 个年度（{year_list[0]}–{year_list[-1]}）……"
        )
        try:
            made = demo_data.demo_data_generate(
                departments=departments, years=year_list, seed=seed, progress=progress
            )
        except demo_data.DemoDataExists as exists:
            raise CommandError(
                f"数据库中已有 {exists.args[0]} 个演示部门（编码以 {demo_data.CODE_PREFIX} 开头），"
                "本命令不会重复生成。如需重新生成，请换一个空数据库。"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {made.departments} 个部门、{made.evaluations} 份自评、"
                f"{made.list_items} 条列表项、{made.indicator_rows} 条三级指标，"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
