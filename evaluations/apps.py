from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    # This module holds two app configs: this one is the evaluations app's.
    default = True
    name = "evaluations"
    verbose_name = "部门整体支出绩效自评"


class LoginThrottlingConfig(AxesConfig):
    """django-axes under a Chinese name in the admin (it ships no Chinese translation)."""

    verbose_name = "登录保护"
