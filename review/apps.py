from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The review layer: submission checks, the workflow, approval, copy-forward, the change
    log, the documents and the evaluation page that brings data and indicators together."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "审核"
