"""The dashboard in Chromium against a real `charter demo`: every page renders, passes axe-core
(no serious or critical violation) and is kept as a screenshot; a maintainer signs in, casts and
changes a secret ballot, a contributor upvotes an RFC and is refused a maintainer's action, a
maintainer selects a roadmap, and a form is used with the keyboard alone.

The deadlines test (a ballot's receipt listed at the count, a countdown reaching zero and the
decision accepted without a reload) is in test_deadlines.py, on a demo of its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Offsite, check_page
from tests.browser.harness import Demo

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: (screenshot name, path under the project, text the page must show).
PAGES = [
    ("home", "", "LC-5"),
    ("decision-contested", "/decisions/LC-4", "LC-4"),
    ("decision-vote", "/decisions/DV-1", "DV-1"),
    ("decision-rfc", "/decisions/RFC-1", "Streaming tool calls"),
    ("ballot-counted", "/decisions/NOM-1/ballot", "NOM-1"),
    ("ballot-open", "/decisions/NOM-2/ballot", "NOM-2"),
    ("rfcs", "/rfcs", "Streaming tool calls"),
    ("roadmap", "/roadmap", "RFC-1"),
    ("people", "/people", "femi"),
    ("components", "/components", "kv-cache"),
    ("triage", "/triage", "Triage"),
    ("audit", "/audit", "Audit"),
    ("pull", "/pulls/1", "1"),
]


def sign_in(page: Page, demo: Demo, login: str, password: str) -> None:
    """Sign in through the form, as a person does, and land back on the project's home."""
    page.goto(demo.url(f"/signin?next=/projects/{demo.project}"))
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(f"/projects/{demo.project}")))
    assert page.locator("#signed-in-as").inner_text() == login


def project(demo: Demo, path: str = "") -> str:
    return demo.url(f"/projects/{demo.project}{path}")


@pytest.mark.parametrize(("name", "path", "shows"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_renders_accessibly(demo: Demo, page: Page, offsite: Offsite, name: str,
                                       path: str, shows: str) -> None:
    answer = page.goto(project(demo, path))
    assert answer is not None and answer.status == 200, answer and answer.status
    assert shows in page.inner_text("main")
    check_page(page, name)
    assert offsite == []


@pytest.mark.parametrize(("name", "path"), [("index", "/"), ("signin", "/signin")])
def test_site_pages_render_accessibly(demo: Demo, page: Page, offsite: Offsite, name: str,
                                      path: str) -> None:
    answer = page.goto(demo.url(path))
    assert answer is not None and answer.status == 200
    check_page(page, name)
    assert offsite == []


def test_an_unknown_decision_is_a_404_page(demo: Demo, page: Page) -> None:
    answer = page.goto(project(demo, "/decisions/NOPE-1"))
    assert answer is not None and answer.status == 404
    assert "NOPE-1" in page.inner_text("main") or "no such decision" in page.inner_text("main")
    check_page(page, "not-found")


def test_signed_in_pages_render_accessibly(demo: Demo, page: Page) -> None:
    login, password = demo.account("maintainer")
    sign_in(page, demo, login, password)
    check_page(page, "home-signed-in")
    page.goto(project(demo, "/decisions/NOM-2/ballot"))
    check_page(page, "ballot-signed-in")


def test_a_wrong_password_is_refused(demo: Demo, page: Page) -> None:
    login, _ = demo.account("maintainer")
    page.goto(demo.url("/signin"))
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("[role=alert]").is_visible()
    assert page.locator("#signed-in-as").count() == 0


def test_a_secret_ballot_gives_a_receipt_and_a_new_ballot_replaces_it(demo: Demo,
                                                                       page: Page) -> None:
    """On NOM-2 (open for days): cast, see the receipt; vote again, see a new receipt, and the
    number of ballots stays the same (the second replaced the first)."""
    login, password = voter(demo, "NOM-2")
    sign_in(page, demo, login, password)
    page.goto(project(demo, "/decisions/NOM-2/ballot"))
    before = ballots(demo, "NOM-2")
    first = cast(page, "no", "Not yet, please.")
    assert ballots(demo, "NOM-2") == before + 1
    check_page(page, "ballot-receipt")
    second = cast(page, "yes")
    assert second != first
    assert ballots(demo, "NOM-2") == before + 1
    # During the vote, no page shows a choice: only the number of ballots.
    page.goto(project(demo, "/decisions/NOM-2"))
    assert "Not yet, please." not in page.content()


def voter(demo: Demo, vote: str) -> tuple[str, str]:
    """A printed maintainer account on VOTE's frozen roster."""
    status, body = demo.api("GET", f"/api/v1/projects/{demo.project}/decisions/{vote}")
    assert status == 200
    for login, (role, password) in demo.accounts.items():
        if role == "maintainer" and login in body["roster"]:
            return login, password
    raise AssertionError(f"no printed maintainer account is on {vote}'s roster "
                         f"{body['roster']}: {demo.accounts}")


def ballots(demo: Demo, vote: str) -> int:
    status, body = demo.api("GET", f"/api/v1/projects/{demo.project}/decisions/{vote}")
    assert status == 200
    count: int = body["tally"]["ballots"]
    return count


def cast(page: Page, choice: str, explanation: str = "") -> str:
    """Cast CHOICE on the ballot page shown; the receipt it answers with."""
    form = page.locator("#ballot-form")
    form.get_by_label(choice, exact=True).check()
    if explanation:
        form.get_by_label(re.compile("Explanation")).fill(explanation)
    form.get_by_role("button", name=re.compile("Cast")).click()
    receipt = page.locator("#receipt-value")
    receipt.wait_for()
    text = receipt.inner_text().strip()
    assert len(text) >= 16, text
    return text


def test_a_contributor_upvotes_an_rfc(demo: Demo, page: Page) -> None:
    login, password = demo.account("contributor")
    upvotes = rfc_upvotes(demo, "RFC-4")
    sign_in(page, demo, login, password)
    page.goto(project(demo, "/rfcs"))
    with page.expect_navigation():
        page.locator("#rfc-RFC-4").get_by_role("button", name=re.compile("Upvote")).click()
    assert rfc_upvotes(demo, "RFC-4") == upvotes + 1
    check_page(page, "rfcs-upvoted")


def rfc_upvotes(demo: Demo, rfc: str) -> int:
    status, body = demo.api("GET", f"/api/v1/projects/{demo.project}/decisions/{rfc}")
    assert status == 200
    count: int = body["upvotes"]
    return count


def test_a_maintainer_selects_a_roadmap(demo: Demo, page: Page) -> None:
    """Three RFCs are written, completed and approved over the API with the printed tokens;
    a maintainer then selects them for the next quarter on the roadmap page."""
    commands = f"/api/v1/projects/{demo.project}/commands"
    author = next(login for login, (role, _) in demo.tokens.items() if role == "contributor")
    approver = next(login for login, (role, _) in demo.tokens.items() if role == "maintainer")
    for n in (11, 12, 13):
        for who, body in ((author, {"do": "rfc", "id": f"RFC-{n}", "title": f"Idea {n}"}),
                          (author, {"do": "complete", "id": f"RFC-{n}"}),
                          (approver, {"do": "approve", "id": f"RFC-{n}"})):
            status, answer = demo.api("POST", commands, body, who)
            assert status == 201, answer
    login, password = demo.account("maintainer")
    sign_in(page, demo, login, password)
    page.goto(project(demo, "/roadmap"))
    form = page.locator("#select-roadmap")
    quarter = form.locator("[name=id]").input_value()
    for n in (11, 12, 13):
        form.get_by_label(re.compile(f"RFC-{n}\\b")).check()
    with page.expect_navigation():
        form.get_by_role("button", name=re.compile("Select")).click()
    status, body = demo.api("GET", f"/api/v1/projects/{demo.project}/roadmap")
    assert status == 200 and body["roadmap"].get(quarter) == ["RFC-11", "RFC-12", "RFC-13"]
    assert "RFC-12" in page.inner_text("main")
    check_page(page, "roadmap-selected")


def test_a_contributor_is_refused_a_maintainers_action(demo: Demo, page: Page) -> None:
    """The server refuses, whatever the page shows: the contributor's own session and CSRF
    token post `approve`, which only maintainers may do, and get the 403 page."""
    login, password = demo.account("contributor")
    sign_in(page, demo, login, password)
    csrf = page.locator("input[name=csrf]").first.input_value()
    with page.expect_navigation() as navigation:
        page.evaluate("""([action, csrf]) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            for (const [name, value] of [['csrf', csrf], ['do', 'approve'], ['id', 'RFC-4']]) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""", [f"/projects/{demo.project}/act", csrf])
    answer = navigation.value
    assert answer is not None and answer.status == 403
    assert "only maintainers may approve" in page.locator("#error-message").inner_text()
    check_page(page, "refused")
    assert rfc_status(demo, "RFC-4") == "draft"


def rfc_status(demo: Demo, rfc: str) -> str:
    status, body = demo.api("GET", f"/api/v1/projects/{demo.project}/decisions/{rfc}")
    assert status == 200
    found: str = body["status"]
    return found


def test_signing_in_with_the_keyboard_alone(demo: Demo, page: Page) -> None:
    """Tab reaches the login field, then the password; Enter submits: no mouse."""
    login, password = demo.account("maintainer")
    page.goto(demo.url("/signin"))
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "login":
            break
    else:
        pytest.fail("Tab never reached the login field")
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.locator("#signed-in-as").wait_for()
    assert page.locator("#signed-in-as").inner_text() == login


def test_proposing_with_the_keyboard_alone(demo: Demo, page: Page) -> None:
    """The home page's propose form: Tab through its fields, type, Enter; the proposal is made
    (a focus ring is drawn on each field reached, as axe and the CSS require)."""
    login, password = demo.account("contributor")
    sign_in(page, demo, login, password)
    fields = {"p-id": "KB-1", "p-title": "Proposed without a mouse"}
    typed: list[str] = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        if focused in fields and focused not in typed:
            page.keyboard.type(fields[focused])
            typed.append(focused)
        if len(typed) == len(fields):
            break
    assert typed == ["p-id", "p-title"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    status, body = demo.api("GET", f"/api/v1/projects/{demo.project}/decisions/KB-1")
    assert status == 200 and body["status"] == "open" and body["title"] == fields["p-title"]
