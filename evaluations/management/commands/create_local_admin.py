import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "创建本地管理员账户（仅用于本机试用）：密码随机生成，只在创建时显示一次。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="admin", help="用户名，默认 admin")

    def handle(self, *args, username: str, **options) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(
                f"管理员账户 {username} 已存在，密码不变（忘记时可运行 "
                f"python manage.py changepassword {username}）。"
            )
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS("已创建本地管理员账户（密码只显示这一次，请记下）："))
        self.stdout.write(f"  用户名：{username}")
        self.stdout.write(f"  密码：  {password}")
