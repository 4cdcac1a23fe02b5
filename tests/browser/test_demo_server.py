"""The browser tests' `charter demo`: it starts on loopback, prints working tokens, and its
existing routes open in Chromium without reaching the network."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Offsite
from tests.browser.harness import Demo, screenshot_path

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_the_demo_prints_its_project_and_tokens(demo: Demo) -> None:
    assert demo.project == "rocket/rocket"
    assert {"admin", "ada", "hana"} <= set(demo.tokens)
    assert demo.database.startswith("sqlite:///")
    status, body = demo.api("GET", "/api/v1/projects")
    assert status == 200 and demo.project in body["projects"]


@pytest.mark.parametrize(("path", "expected"), [
    ("/api/v1/projects/{project}/state", "NOM-2"),
    ("/api/v1/projects/{project}/decisions?status=open", "LC-5"),
    ("/api/v1/projects/{project}/rfcs", "Streaming tool calls"),
    ("/api/v1/projects/{project}/roadmap", "RFC-1"),
])
def test_existing_routes_open_in_the_browser(demo: Demo, page: Page, offsite: Offsite,
                                             path: str, expected: str) -> None:
    answer = page.goto(demo.url(path.format(project=demo.project)))
    assert answer is not None and answer.status == 200
    assert expected in page.inner_text("body")
    json.loads(page.inner_text("body"))  # Chromium shows the API's JSON as it came
    page.screenshot(path=screenshot_path("api-" + path.split("}/")[1]), full_page=True)
    assert offsite == []


def test_the_printed_tokens_cast_a_secret_ballot(demo: Demo) -> None:
    """chen, a maintainer on NOM-2's frozen roster, votes with the printed token: a receipt,
    and a second ballot replaces the first (still one ballot counted)."""
    commands = f"/api/v1/projects/{demo.project}/commands"
    before = demo.api("GET", f"/api/v1/projects/{demo.project}/decisions/NOM-2")[1]
    first = demo.api("POST", commands, {"do": "vote", "id": "NOM-2", "choice": "no"}, "chen")
    again = demo.api("POST", commands, {"do": "vote", "id": "NOM-2", "choice": "yes"}, "chen")
    assert first[0] == 201 and again[0] == 201, (first, again)
    assert first[1]["receipt"] and again[1]["receipt"] != first[1]["receipt"]
    assert first[1]["decision"]["tally"] == {"ballots": before["tally"]["ballots"] + 1}
    assert again[1]["decision"]["tally"] == first[1]["decision"]["tally"]


def test_a_contributor_token_is_refused_a_maintainer_only_command(demo: Demo) -> None:
    status, body = demo.api("POST", f"/api/v1/projects/{demo.project}/commands",
                            {"do": "call-vote", "id": "LC-4", "vote": "DV-9"}, "hana")
    # The engine rejects it (and the log keeps the attempt): 409 with the rule's words.
    assert status == 409
    assert "only maintainers may call a vote" in json.dumps(body)
