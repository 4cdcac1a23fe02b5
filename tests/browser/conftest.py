"""Fixtures for the browser tests: one `charter demo` per session, one Chromium per session, a
fresh browser context (no cookies) per test that may reach the demo and nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.browser.harness import (
    AXE,
    CHROMIUM,
    CHROMIUM_ARGS,
    SERIOUS,
    Demo,
    describe_violations,
    need_chromium,
    screenshot_path,
    start_demo,
    stop,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Route


@pytest.fixture(scope="session")
def demo() -> Iterator[Demo]:
    """A real `charter demo` (seeded SQLite file, in-process worker) on a free loopback port."""
    need_chromium()
    running = start_demo("session")
    try:
        yield running
    finally:
        stop(running.process)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Per module, not per session: Playwright's sync API keeps an event loop running in this
    thread while it lives, and later tests (outside tests/browser) call asyncio.run."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; never a browser Playwright downloaded."""
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                          headless=True)
    try:
        yield launched
    finally:
        launched.close()


class Offsite(list[str]):
    """The requests a page tried to send away from loopback (each was refused)."""


@pytest.fixture
def offsite() -> Offsite:
    return Offsite()


@pytest.fixture
def page(browser: Browser, offsite: Offsite, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new context and page; requests leaving 127.0.0.1 are aborted and recorded, so a page
    that needs the network fails here as it would behind a firewall."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  timezone_id="Europe/Berlin", locale="en-GB")
    context.set_default_timeout(10_000)

    def guard(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1",
                                                                        "localhost"):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    opened = context.new_page()
    try:
        yield opened
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            opened.screenshot(path=screenshot_path(f"FAILED-{request.node.name}"),
                              full_page=True)
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so `page` can screenshot a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """Run the vendored axe-core in PAGE; its violations of impact serious or critical."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return JSON.stringify(r.violations);
    }""")
    violations: list[dict[str, Any]] = json.loads(result)
    return [v for v in violations if v.get("impact") in SERIOUS]


def check_page(page: Page, name: str) -> None:
    """Screenshot the whole page under test-results/ and fail on serious accessibility issues,
    listing each rule and element."""
    page.screenshot(path=screenshot_path(name), full_page=True)
    bad = accessibility_violations(page)
    assert not bad, f"axe-core found on {page.url}:\n{describe_violations(bad)}"
