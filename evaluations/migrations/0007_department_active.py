"""Departments can be switched off: a new year's round takes the active ones by default."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0006_approved_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="department",
            name="active",
            field=models.BooleanField(
                default=True,
                help_text="新建年度时默认只有启用的部门参加；停用不影响已有的自评。",
                verbose_name="启用",
            ),
        ),
    ]
