import getpass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from evaluations import services
from evaluations.access import DEPARTMENT_ROLES, GROUP_NAMES
from evaluations.models import Department

# "filler" and "auditor": an administrator's account is a superuser's to make, in the admin.
ROLES = {role.value: role for role in DEPARTMENT_ROLES}


class Command(BaseCommand):
    help = "新建一个部门用户：填报人员（filler）或审核人员（auditor）。密码从提示输入或 --password-file 读取。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="用户名")
        parser.add_argument("--department", required=True, help="部门编码，如 liwan-kgxj")
        parser.add_argument(
            "--role", required=True, choices=sorted(ROLES), help="filler 或 auditor"
        )
        parser.add_argument(
            "--password-file", type=Path, help="从文件第一行读取密码（不在命令行上出现）"
        )

    def handle(
        self,
        *args,
        username: str,
        department: str,
        role: str,
        password_file: Path | None,
        **options,
    ) -> None:
        try:
            department_obj = Department.objects.get(code=department)
        except Department.DoesNotExist:
            raise CommandError(f"没有部门编码为 {department} 的部门。") from None
        password = self._password(password_file)
        # Password-validation messages in the site's language, not English.
        with translation.override(settings.LANGUAGE_CODE):
            try:
                services.department_user_create(
                    username=username,
                    department=department_obj,
                    role=ROLES[role],
                    password=password,
                )
            except ValidationError as error:
                raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已新建用户 {username}（{department_obj}，{GROUP_NAMES[ROLES[role]]}）。"
            )
        )

    def _password(self, password_file: Path | None) -> str:
        if password_file is not None:
            try:
                lines = password_file.read_text(encoding="utf-8").splitlines()
            except OSError as error:
                raise CommandError(f"无法读取密码文件：{error}") from None
            if not lines or not lines[0]:
                raise CommandError("密码文件的第一行是空的。")
            return lines[0]
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        return first
