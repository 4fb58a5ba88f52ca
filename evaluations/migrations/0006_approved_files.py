"""Approval stores every file of a document (附件1 as XLSX too): the bytes field is renamed from
`pdf` to `content`, and each file has a format."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0005_field_messages"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="approvedreport", name="approvedreport_unique_appendix"
        ),
        migrations.RenameField(model_name="approvedreport", old_name="pdf", new_name="content"),
        migrations.AlterField(
            model_name="approvedreport",
            name="content",
            field=models.BinaryField(verbose_name="文件"),
        ),
        migrations.AddField(
            model_name="approvedreport",
            name="fmt",
            field=models.CharField(
                default="pdf", help_text="pdf 或 xlsx", max_length=8, verbose_name="格式"
            ),
        ),
        migrations.AlterModelOptions(
            name="approvedreport",
            options={
                "ordering": ["evaluation", "appendix", "fmt"],
                "verbose_name": "审定报告",
                "verbose_name_plural": "审定报告",
            },
        ),
        migrations.AddConstraint(
            model_name="approvedreport",
            constraint=models.UniqueConstraint(
                fields=("evaluation", "appendix", "fmt"), name="approvedreport_unique_file"
            ),
        ),
    ]
