"""Content negotiation and the shared page pieces."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from charter.web.render import _when, wants_json
from tests.web.conftest import DEMO, Demo


def _request(accept: str | None) -> Request:
    headers = [] if accept is None else [(b"accept", accept.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers,
                    "query_string": b""})


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/json", True), ("application/json, */*;q=0.1", True),
    ("text/html,application/xhtml+xml,application/json;q=0.9", False), ("*/*", False),
    (None, False), ("text/html", False),
])
def test_wants_json(accept: str | None, expected: bool) -> None:
    assert wants_json(_request(accept)) is expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-03-04T09:00:00Z", "2026-03-04 09:00 UTC"), (None, ""), ("", ""),
])
def test_instants_read_as_utc(value: str | None, expected: str) -> None:
    assert _when(value) == expected


def test_unknown_pages_are_pages_for_browsers(demo: Demo) -> None:
    visitor = demo.visitor()
    page = visitor.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = visitor.get("/api/v1/nothing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not-found"


@pytest.mark.parametrize(("query", "shown"), [
    ("?done=upvote&event=42", "the engine accepted your upvote (event 42)"),
    ("?done=<script>&event=42", None), ("?done=upvote&event=x", None),
    ("?done=Your+account+is+locked&event=1", None),
])
def test_the_done_notice_says_only_what_it_may(demo: Demo, query: str,
                                               shown: str | None) -> None:
    page = demo.visitor().get(f"/projects/{DEMO}{query}").text
    assert ('id="done"' in page) is (shown is not None)
    if shown is not None:
        assert shown in page
