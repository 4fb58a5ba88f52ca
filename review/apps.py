from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ReviewConfig(AppConfig):
    """The review layer: submission checks, the workflow, approval, copy-forward, the change
    log, the documents and the evaluation page that brings data and indicators together."""

    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "审核"


class SelfevalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site of review/site.py as `admin.site`: the start page of each
    role and the business first in the list of models. Listed in INSTALLED_APPS in place of
    "django.contrib.admin"."""

    # This module holds two app configs: ReviewConfig is the review app's.
    default = False
    default_site = "review.site.SelfevalAdminSite"
