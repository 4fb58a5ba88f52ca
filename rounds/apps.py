from django.apps import AppConfig


class RoundsConfig(AppConfig):
    """The finance bureau's yearly round: which departments take part and by when they submit,
    the year's overview and its 汇总表."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "rounds"
    verbose_name = "年度组织"
