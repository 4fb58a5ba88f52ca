"""Every URL requires login: walk the whole URLconf anonymously."""

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

# Public on purpose: the login page itself, logging out, and the site root, which only
# redirects to the (login-protected) admin index.
PUBLIC = {"admin:login", "admin:logout", "root"}

SAMPLE_KWARGS = {
    "object_id": "1",
    "content_type_id": "1",
    "app_label": "evaluations",
    "id": "1",
    "url": "no-such-page/",
    "action": "submit",
    "history_id": "1",
    "department_code": "liwan-kgxj",
    "year": "2023",
}


def _fill(pattern: object) -> str:
    """The path text of one URL pattern with every parameter replaced by a sample value."""
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_KWARGS[m.group(1)], text)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE_KWARGS[m.group(1)], text)
    return text.removeprefix("^").removesuffix("$").replace("\\", "")


def walk(
    resolver: URLResolver, prefix: str = "/", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        path = prefix + _fill(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, path, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else path), path


def all_urls() -> list[tuple[str, str]]:
    return list(walk(get_resolver()))


def test_the_walk_covers_the_admin_and_every_model_page():
    names = {name for name, _ in all_urls()}

    assert {"admin:index", "admin:evaluations_evaluation_change"} <= names
    assert len(names) > 30


@pytest.mark.parametrize(
    ("name", "url"),
    [(name, url) for name, url in all_urls() if name not in PUBLIC],
    ids=lambda value: str(value),
)
def test_anonymous_users_are_sent_to_the_login_page(client, name, url):
    response = client.get(url)

    assert response.status_code == 302, f"{name} ({url}) answered {response.status_code}"
    assert response.url.startswith(resolve_url(settings.LOGIN_URL)), response.url
