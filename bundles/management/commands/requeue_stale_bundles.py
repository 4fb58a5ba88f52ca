from django.core.management.base import BaseCommand

from bundles import services


class Command(BaseCommand):
    help = (
        "把生成中断的报告压缩包（后台任务进程被终止，超过 BUNDLE_STALE_SECONDS 没有进展）"
        "重新排队，丢弃写了一半的文件；中断次数达到 BUNDLE_MAX_ATTEMPTS 的标记为失败。"
        "可由 cron 定时运行；`make run`、`make serve` 启动时各运行一次。"
    )

    def handle(self, *args: object, **options: object) -> None:
        requeued = services.bundles_requeue_stale()
        if requeued:
            ids = "、".join(str(pk) for pk in requeued)
            self.stdout.write(f"已处理 {len(requeued)} 个中断的压缩包：{ids}")
        elif int(str(options.get("verbosity", 1))) > 1:
            self.stdout.write("没有中断的压缩包。")
