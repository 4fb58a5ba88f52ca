"""The admin site: Django's, with a start page for each role instead of the bare list of models,
and the business first in the list of models (here and in every page's navigation)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from evaluations import access
from review import selectors

# The apps of the business, in this order, before Django's and the libraries' (accounts, login
# protection); within each, the models named here come first, in this order.
BUSINESS_APPS: dict[str, tuple[str, ...]] = {
    "evaluations": ("Evaluation",),
    "rounds": ("Round",),
    "indicators": (
        "IndicatorFramework",
        "PrimaryIndicator",
        "IndicatorRow",
    ),
    "bundles": ("Bundle",),
}


def _rank(order: tuple[str, ...], name: str) -> int:
    return order.index(name) if name in order else len(order)


class SelfevalAdminSite(admin.AdminSite):
    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """The start page: what this person has to do, above the list of models."""
        role = access.role_of(request.user)
        context: dict[str, Any] = {}
        if role == access.Role.FILLER:
            context["filler_start"] = selectors.filler_start_page(user=request.user)
        elif role in (access.Role.AUDITOR, access.Role.ADMINISTRATOR):
            context["review_start"] = selectors.review_start_page(user=request.user)
        return super().index(request, {**context, **(extra_context or {})})

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        # Stable sorts: the rest keep Django's order (by name).
        app_list = sorted(
            super().get_app_list(request, app_label),
            key=lambda app: _rank(tuple(BUSINESS_APPS), app["app_label"]),
        )
        for app in app_list:
            first = BUSINESS_APPS.get(app["app_label"], ())
            app["models"].sort(key=lambda model: _rank(first, model["object_name"]))
        return app_list
