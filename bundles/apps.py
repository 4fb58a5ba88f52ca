from django.apps import AppConfig


class BundlesConfig(AppConfig):
    """All reports in one download: a ZIP of each department's 附件1 and 附件2 (PDF and Word) and the
    year's 汇总表, built by background tasks (django-tasks) with its progress on the page."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "bundles"
    verbose_name = "报告打包下载"
