from django.core.management.base import BaseCommand

from evaluations import services


class Command(BaseCommand):
    help = "建立（或更新）三个角色及其权限：填报人员、审核人员、系统管理员。可重复运行。"

    def handle(self, *args, **options) -> None:
        for group, count in services.roles_setup().items():
            self.stdout.write(f"角色“{group}”：{count} 项权限")
        self.stdout.write(self.style.SUCCESS("角色已就绪。"))
