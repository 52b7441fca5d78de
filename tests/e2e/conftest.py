"""Browser-test harness: Debian's chromium through Playwright, a fresh page per test, a live server.

Playwright's own browser download is never used (`playwright install` cannot reach its host
here); `make browser` installs /usr/bin/chromium from Debian instead.
"""

import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# The background-networking flags keep chromium from calling out: this network is closed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e/ with `e2e`, so `-m "not e2e"` leaves the browser out."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item so `page` can screenshot a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver for the session."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's headless chromium, launched once per session."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (or `make setup`) first")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def locale() -> str:
    """Browser locale; override per test with @pytest.mark.parametrize("locale", ["zh-CN"])."""
    return "en-US"


@pytest.fixture
def new_page(browser: Browser, locale: str) -> Iterator[Callable[..., Page]]:
    """Factory for pages in fresh contexts (separate cookies), e.g. two users in one test."""
    contexts: list[BrowserContext] = []

    def make(locale: str = locale, **context_args) -> Page:
        context = browser.new_context(locale=locale, **context_args)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a new browser context; a failed test leaves a screenshot in test-results/e2e/."""
    page = new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _buffered(app):
    """Read each response into memory and close it at once.

    Werkzeug's development server skips closing a response (e.g. a static file) when the
    browser drops the connection mid-transfer, as chromium does when a page navigates away; the
    open file then surfaces later as a ResourceWarning in an unrelated test.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve `app` (from tests/conftest.py) on 127.0.0.1 and a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
