"""Browser-test harness: the app served by pytest-django's `live_server`, driven by Debian's
headless /usr/bin/chromium through Playwright for Python.

Every test under tests/browser/ is marked `browser`, runs against a transactional database
(live_server serves from another thread, so data must really be committed) and gets a fresh
browser context: no cookies or storage leak from one journey to the next. When a test fails,
a full-page screenshot lands in var/screenshots/ named after the test.

Playwright is never downloaded or installed here: the system Chromium is used as is.
"""

import os
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop in this thread; Django's ORM refuses to run
# inside one unless told it is safe (it is: the loop never runs our ORM code concurrently).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
BROWSER_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = BROWSER_DIR.parent.parent / "var" / "screenshots"
REPORTS = pytest.StashKey[dict]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser`, so `-m "not browser"` skips them all."""
    for item in items:
        if BROWSER_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Remember each phase's report on the test item, so fixtures can see a failure."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Chromium, launched once per test process (each xdist worker has its own)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    instance = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield instance
    instance.close()


@pytest.fixture
def app_url(live_server) -> str:
    """Base URL of the running app. live_server makes the test transactional (it serves from
    another thread, so data must be committed); tests/conftest.py puts back the rows that
    migrations created once the tables are emptied."""
    return live_server.url


@pytest.fixture
def context(browser: Browser, app_url: str) -> Iterator[BrowserContext]:
    """A fresh browser profile per test: no cookies, storage or cache from other tests."""
    ctx = browser.new_context(base_url=app_url, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def csp_violations() -> list[str]:
    """What the page's Content-Security-Policy blocked during the test (Chromium's console
    errors); `page` fails the test when any is left at the end."""
    return []


def _record_csp_violation(violations: list[str], message: ConsoleMessage) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        violations.append(f"{message.location.get('url', '')}: {message.text}")


@pytest.fixture
def page(
    context: BrowserContext, request: pytest.FixtureRequest, csp_violations: list[str]
) -> Iterator[Page]:
    """A page in the fresh context; screenshotted into var/screenshots/ when the test fails.
    A journey whose pages broke the Content-Security-Policy (an inline script or style, an
    on* handler, eval) fails, even when everything it checked worked."""
    expect.set_options(timeout=TIMEOUT_MS)
    tab = context.new_page()
    tab.on("console", partial(_record_csp_violation, csp_violations))
    yield tab
    reports = request.node.stash.get(REPORTS, {})
    if any(report.failed for report in reports.values()):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
        try:
            tab.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
        except Exception as exc:  # a crashed page must not hide the real failure
            print(f"could not save screenshot for {request.node.nodeid}: {exc}")
    tab.close()
    if csp_violations:
        pytest.fail("The Content-Security-Policy blocked:\n" + "\n".join(csp_violations))


@pytest.fixture
def login() -> Callable[[Page, str, str], Page]:
    """login(page, username, password): log in through the real login form.

    Returns the page after the form was submitted, wherever the app sent it (home on
    success, the login page again with an error otherwise)."""

    def log_in(page: Page, username: str, password: str) -> Page:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        return page

    return log_in
