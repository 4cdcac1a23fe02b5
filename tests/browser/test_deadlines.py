"""Deadlines in the browser, on a fresh `charter demo` whose seed closes DV-2, NOM-3 and
(on a weekday) LC-7 45 seconds after it starts: a secret ballot cast before the close has its
receipt listed after the count, and a page left open shows the countdown reach zero and the
decision settle without a reload, the worker running inside the demo."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import check_page
from tests.browser.harness import Demo, need_chromium, start_demo, stop
from tests.browser.test_dashboard import cast, project, sign_in, voter

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

#: How long after its deadline a settled decision may take to show (polling every 5 s, the
#: worker every second, a loaded CI machine).
SETTLE_MS = 40_000


@pytest.fixture(scope="module")
def fresh() -> Iterator[Demo]:
    need_chromium()
    running = start_demo("deadlines")
    try:
        yield running
    finally:
        stop(running.process)


def closes_at(demo: Demo, decision: str) -> datetime:
    status, body = demo.api("GET", f"/api/v1/projects/{demo.project}/decisions/{decision}")
    assert status == 200, body
    return datetime.fromisoformat(body["closes_at"].replace("Z", "+00:00"))


WATCH = """() => {
    window.__loadedOnce = true;  // gone if the page were reloaded
    window.__lowest = Infinity;  // the lowest countdown seen, in seconds
    setInterval(() => {
        const el = document.querySelector('#status [data-left-for]');
        if (!el) { return; }
        const m = el.textContent.match(/(\\d+) min (\\d+) s left/);
        const seconds = m ? 60 * Number(m[1]) + Number(m[2])
                          : /passed/.test(el.textContent) ? 0 : Infinity;
        window.__lowest = Math.min(window.__lowest, seconds);
    }, 200);
}"""


def watch(browser: Browser, demo: Demo, decision: str) -> Page:
    """DECISION's page, open and watched: its countdown is running."""
    watcher = browser.new_context(timezone_id="America/New_York").new_page()
    watcher.goto(project(demo, f"/decisions/{decision}"))
    assert watcher.locator("#status [data-status]").inner_text().strip() == "open"
    left = watcher.locator("#status [data-left-for]")
    assert re.search(r"\d+ s left", left.inner_text()), left.inner_text()
    watcher.evaluate(WATCH)
    return watcher


def settled(watcher: Page, status: str, deadline: datetime) -> None:
    """Wait, without a reload, until the watched page shows STATUS; the countdown neared 0."""
    wait = max(0.0, (deadline - datetime.now(UTC)).total_seconds()) * 1000 + SETTLE_MS
    watcher.wait_for_function("() => document.querySelector('#status [data-status]')"
                              f".textContent.trim() === {status!r}", timeout=int(wait))
    assert watcher.evaluate("window.__loadedOnce") is True
    assert watcher.evaluate("window.__lowest") <= 5, "the countdown never neared zero"
    assert status in watcher.locator("#status .reason").inner_text()


def test_deadlines_fall_due_while_watched(fresh: Demo, browser: Browser, page: Page) -> None:
    """Pages left open on DV-2 and LC-7 count down and settle (passed, accepted) without a
    reload; meanwhile a maintainer casts a ballot on NOM-3 and changes it, and after the count
    the final receipt is listed and the replaced one is not."""
    deadline = closes_at(fresh, "NOM-3")
    watched = {"DV-2": "passed"}
    if (closes_at(fresh, "LC-7") - deadline).total_seconds() < 5:
        watched["LC-7"] = "accepted"
    # else: LC-7's window is in business time, which stands still at a weekend.
    watchers = {decision: watch(browser, fresh, decision) for decision in watched}
    login, password = voter(fresh, "NOM-3")
    sign_in(page, fresh, login, password)
    page.goto(project(fresh, "/decisions/NOM-3/ballot"))
    first = cast(page, "no")
    final = cast(page, "yes")  # replaces the first
    assert datetime.now(UTC) < deadline, "the demo was too slow: NOM-3 closed before the ballot"
    assert page.locator("#receipts li").count() == 0  # no list before the count
    for decision, status in watched.items():
        settled(watchers[decision], status, closes_at(fresh, decision))
        check_page(watchers[decision], f"settled-{decision}")
        watchers[decision].context.close()
    # The contested proposal DV-2 decided is accepted with it.
    page.goto(project(fresh, "/decisions/LC-6"))
    assert page.locator("#status [data-status]").inner_text().strip() == "accepted"
    listed = page.locator("#receipts li")
    for _ in range(SETTLE_MS // 1000):
        page.goto(project(fresh, "/decisions/NOM-3/ballot"))
        if listed.count():
            break
        time.sleep(1)
    receipts = [text.strip() for text in listed.all_inner_texts()]
    assert final in receipts and first not in receipts, receipts
    assert len(receipts) == 4  # the three seeded ballots and this one
    check_page(page, "ballot-counted-receipts")
