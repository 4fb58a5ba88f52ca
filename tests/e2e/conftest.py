"""A real browser against pytest-django's live server: Debian's `chromium` (installed by
`make test` through scripts/system-deps.sh) driven by Playwright. Playwright's own browser
downloads are never used."""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Root in a sandboxed machine: no Chromium sandbox, no GPU, and nothing that reaches the network
# on its own (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PASSWORD = "correct-horse-battery-9"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="package")
def allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    refuse ORM calls from the test (SynchronousOnlyOperation). The test still only calls the ORM
    between browser steps, never concurrently, so the check is lifted while the browser runs."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def playwright(allow_orm_beside_playwright) -> Iterator[Playwright]:
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        # A failure, not a skip: CI must not pass without having run the browser tests.
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium package "
            "(`make test` does, via scripts/system-deps.sh chromium)."
        )
    # launch() gives every browser a fresh temporary user-data-dir, removed on close.
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class Steps:
    """A screenshot of every page after each step of a scenario, and of every open page when it
    fails, written to test-artifacts/e2e/<test>/ only when the test fails."""

    def __init__(self) -> None:
        self.shots: list[tuple[str, bytes]] = []
        self.pages: dict[str, Page] = {}

    def record(self, name: str, page: Page) -> None:
        # JPEG: a full-page PNG of the change page costs about a second per step.
        self.shots.append((name, page.screenshot(full_page=True, type="jpeg", quality=70)))

    def record_failure(self) -> None:
        for who, page in self.pages.items():
            if not page.is_closed():
                self.record(f"failed-{who}", page)

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*.jpg"):
            old.unlink()
        for number, (name, image) in enumerate(self.shots, start=1):
            (directory / f"{number:02d}-{name}.jpg").write_bytes(image)


def failed(request) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is not None and report.failed


@pytest.fixture
def steps(request) -> Iterator[Steps]:
    steps = Steps()
    yield steps
    # E2E_SCREENSHOTS=1 keeps them for passing tests too, to look at the pages.
    if failed(request) or os.environ.get("E2E_SCREENSHOTS"):
        directory = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
        steps.write(directory)
        print(f"\nScreenshots of each step: {directory}")


@pytest.fixture
def new_page(
    request, browser: Browser, live_server, steps: Steps
) -> Iterator[Callable[[str], Page]]:
    """new_page("filler") → a page in its own browser context (own cookies: one person)."""
    contexts: list[BrowserContext] = []

    def build(who: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        steps.pages[who] = page
        return page

    yield build
    if failed(request):
        steps.record_failure()
    for context in contexts:
        context.close()


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Through the real admin login form."""
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)
