"""Forms: CSRF on every post, commands through the engine, roles refused on the server, and
the secret ballot flow in the browser."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from charter.engine.state import RejectionKind
from charter.web.forms import command_of, refused_status, safe_next
from charter.worker.run import Worker, log_notice
from tests.web.conftest import DEMO, Demo

P = f"/projects/{DEMO}"
RECEIPT = re.compile(r'id="receipt-value">([0-9a-f]{32})<')


def test_a_post_without_its_csrf_token_is_refused(demo: Demo) -> None:
    ada = demo.visitor("ada")
    body = {"do": "upvote", "id": "RFC-4"}
    missing = ada.act(body, csrf=False)
    assert missing.status_code == 403 and "CSRF" in missing.text
    wrong = ada.http.post(f"{P}/act", data={**body, "csrf": "x" * 43})
    assert wrong.status_code == 403
    other = demo.visitor("hana").csrf()  # a real token, of another session
    assert ada.http.post(f"{P}/act", data={**body, "csrf": other}).status_code == 403
    upvotes = ada.get(f"/api/v1{P}/rfcs").json()["rfcs"]["RFC-4"]["upvotes"]
    assert upvotes == 1  # nothing was applied


@pytest.mark.parametrize("path", ["/signin", "/signout", f"{P}/act"])
def test_every_post_checks_csrf(demo: Demo, path: str) -> None:
    visitor = demo.visitor()
    visitor.get("/signin")  # has a session, but posts without its token
    assert visitor.http.post(path, data={"login": "ada", "password": "x"}).status_code == 403


def test_acting_needs_a_signed_in_person(demo: Demo) -> None:
    answer = demo.visitor().act({"do": "upvote", "id": "RFC-4"})
    assert answer.status_code == 401


def test_a_contributor_is_refused_a_maintainer_action(demo: Demo) -> None:
    hana = demo.visitor("hana")
    answer = hana.act({"do": "call-vote", "id": "LC-4", "vote": "DV-9"})
    assert answer.status_code == 403
    assert "only maintainer" in answer.text and "hana is a contributor" in answer.text
    json = hana.http.post(f"{P}/act", data={"do": "call-vote", "id": "LC-4", "vote": "DV-9",
                                             "csrf": hana.csrf()},
                          headers={"Accept": "application/json"})
    assert json.status_code == 403 and json.json()["error"]["code"] == "rejected"
    state = hana.get(f"/api/v1{P}/decisions/LC-4").json()
    assert state["status"] == "contested" and state["vote"] is None
    ada = demo.visitor("ada")
    called = ada.act({"do": "call-vote", "id": "LC-4", "vote": "DV-9", "next": f"{P}/rfcs"})
    assert called.status_code == 303 and called.headers["location"].startswith(f"{P}/rfcs?")
    assert ada.get(f"/api/v1{P}/decisions/LC-4").json()["vote"] == "DV-9"


def test_upvote_and_the_engine_reason_for_a_second_one(demo: Demo) -> None:
    jun_like = demo.visitor("gus")
    done = jun_like.act({"do": "upvote", "id": "RFC-4", "next": f"{P}/rfcs"})
    assert done.status_code == 303
    board = jun_like.get(f"{P}/rfcs").text
    row = re.search(r'id="rfc-RFC-4">(.*?)</tr>', board, re.S)
    assert row is not None and "<span data-upvotes>2</span>" in row[1] and "upvoted" in row[1]
    again = jun_like.act({"do": "upvote", "id": "RFC-4"})
    assert again.status_code == 409 and "already upvoted" in again.text


def test_propose_from_the_home_page(demo: Demo) -> None:
    kim = demo.visitor("hana")
    answer = kim.act({"do": "propose", "id": "LC-9", "process": "lazy-consensus",
                      "title": "Write the docs"})
    assert answer.status_code == 303
    assert "LC-9" in kim.get(P).text
    bad = kim.act({"do": "propose", "id": "LC-10", "process": "lazy-consensus",
                   "title": "x", "by": "ada"})
    assert bad.status_code == 422 and "set by the service" in bad.text


def test_roadmap_selection_follows_the_policy(demo: Demo) -> None:
    gov = demo.svc.gov
    for verb, by in (("rfc", "hana"), ("complete", "hana"), ("approve", "ada")):
        for n in (5, 6, 7):
            body = {"do": verb, "id": f"RFC-{n}"}
            assert gov.apply(DEMO, by, {**body, "title": f"R{n}"} if verb == "rfc"
                             else body).rejected is None
    hana, ada = demo.visitor("hana"), demo.visitor("ada")
    assert 'id="select-roadmap"' not in hana.get(f"{P}/roadmap").text
    page = ada.get(f"{P}/roadmap").text
    assert 'id="select-roadmap"' in page and 'value="RFC-5"' in page
    form = {"do": "select-roadmap", "id": "2026Q2", "items": ["RFC-5", "RFC-6", "RFC-7"]}
    assert hana.post(f"{P}/act", form, page="/signin").status_code == 403
    assert ada.post(f"{P}/act", {**form, "items": ["RFC-5"]}, page="/signin").status_code == 409
    assert ada.post(f"{P}/act", form, page="/signin").status_code == 303
    assert ada.get(f"/api/v1{P}/roadmap").json()["roadmap"]["2026Q2"] == form["items"]


def _close(demo: Demo, vote: str) -> None:
    """Move past VOTE's deadline and let the worker fire it (which counts sealed ballots)."""
    closes = demo.svc.gov.decision(DEMO, vote)["closes_at"]
    demo.clock.now = datetime.fromisoformat(closes.replace("Z", "+00:00")) + timedelta(hours=1)
    Worker(demo.svc.gov, {"notice": log_notice}, clock=demo.clock).fire_due()


def test_secret_ballot_receipt_revote_and_count(demo: Demo) -> None:
    ballot = f"{P}/decisions/NOM-2/ballot"
    ada, chen, hana = demo.visitor("ada"), demo.visitor("chen"), demo.visitor("hana")
    assert 'id="ballot-form"' in ada.get(ballot).text
    assert 'id="ballot-form"' not in hana.get(ballot).text
    assert "not on this vote's roster" in hana.get(ballot).text
    assert 'id="ballot-form"' not in demo.visitor().get(ballot).text
    refused = hana.post(f"{P}/act", {"do": "vote", "id": "NOM-2", "choice": "yes"}, page="/signin")
    assert refused.status_code == 403

    assert 'id="has-voted"' not in ada.get(ballot).text
    first = ada.post(f"{P}/act", {"do": "vote", "id": "NOM-2", "choice": "yes"}, page=ballot)
    assert 'id="has-voted"' in ada.get(ballot).text
    assert first.status_code == 201
    found = RECEIPT.search(first.text)
    assert found is not None
    second = ada.post(f"{P}/act", {"do": "vote", "id": "NOM-2", "choice": "no",
                                   "explanation": "not yet"}, page=ballot)
    replaced = RECEIPT.search(second.text)
    assert replaced is not None and replaced[1] != found[1]
    chen_cast = chen.post(f"{P}/act", {"do": "vote", "id": "NOM-2", "choice": "yes"},
                          page=ballot)
    chen_receipt = RECEIPT.search(chen_cast.text)
    assert chen_receipt is not None
    during = hana.get(ballot).text
    assert "4 ballot(s) cast of 7 eligible" in during  # bram, dara, ada (once), chen
    assert "Yes against the threshold" not in during and 'id="receipts"' not in during

    before_count = re.search(r'<div id="ballot-results"([^>]*)>', during)
    assert before_count is not None and 'hx-select="#ballot-results"' in before_count[1]
    _close(demo, "NOM-2")
    after = hana.get(ballot).text
    # The block the page polls holds the results, and stops polling once the vote is closed.
    results = re.search(r'<div id="ballot-results"([^>]*)>(.*?)<section aria-labelledby='
                        r'"roster-h">', after, re.S)
    assert results is not None and "hx-get" not in results[1]
    receipts = re.search(r'id="receipts"[^>]*>(.*?)</ul>', results[2], re.S)
    assert receipts is not None
    listed = re.findall(r"<li>([0-9a-f]{32})</li>", receipts[1])
    assert replaced[1] in listed and chen_receipt[1] in listed and found[1] not in listed
    assert len(listed) == 4
    assert "Yes against the threshold" in after


def test_the_nominee_requests_the_anonymous_explanations(demo: Demo) -> None:
    ballot = f"{P}/decisions/NOM-2/ballot"
    chen = demo.visitor("chen")
    chen.post(f"{P}/act", {"do": "vote", "id": "NOM-2", "choice": "no",
                           "explanation": "more reviews first"}, page=ballot)
    _close(demo, "NOM-2")
    gus, ada = demo.visitor("gus"), demo.visitor("ada")
    assert "Request the anonymous explanations" not in ada.get(ballot).text
    assert "Request the anonymous explanations" in gus.get(ballot).text
    assert ada.post(f"{P}/act", {"do": "request-explanations", "id": "NOM-2"},
                    page=ballot).status_code == 403
    done = gus.post(f"{P}/act", {"do": "request-explanations", "id": "NOM-2",
                                 "next": ballot}, page=ballot)
    assert done.status_code == 303
    page = gus.get(ballot).text
    assert 'id="explanations"' in page and "more reviews first" in page


@pytest.mark.parametrize(("fields", "expected"), [
    ({"do": ["vote"], "id": ["X"], "csrf": ["t"], "next": ["/"]}, {"do": "vote", "id": "X"}),
    ({"do": ["select-roadmap"], "items": ["A", " B ", ""]},
     {"do": "select-roadmap", "items": ["A", "B"]}),
    ({"do": ["object"], "reason": ["  "]}, {"do": "object"}),
])
def test_command_of_a_form(fields: dict[str, list[str]], expected: dict[str, object]) -> None:
    class Form(dict[str, list[str]]):
        def getlist(self, key: str) -> list[str]:
            return self[key]

    assert command_of(Form(fields)) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("/projects/a/b", "/projects/a/b"), ("//evil.example/", "/"), ("https://evil/", "/"),
    ("/\\evil", "/"), (None, "/"), ("/" + "a" * 600, "/"),
])
def test_next_stays_on_this_site(value: object, expected: str) -> None:
    assert safe_next(value, "/") == expected


def _past_deadline(demo: Demo, vote: str) -> None:
    """Move past VOTE's deadline without the worker: its sealed ballots are not counted yet."""
    closes = demo.svc.gov.decision(DEMO, vote)["closes_at"]
    demo.clock.now = datetime.fromisoformat(closes.replace("Z", "+00:00")) + timedelta(hours=1)


#: Refusals on the dashboard: (who, command, what happens first, status, words of the reason).
#: The status follows the engine's kind of refusal, never the reason's wording.
REFUSALS: list[tuple[str, dict[str, str], Callable[[Demo], object], int, str]] = [
    ("hana", {"do": "call-vote", "id": "LC-4", "vote": "DV-9"}, lambda d: None, 403,
     "only maintainer"),
    ("hana", {"do": "vote", "id": "NOM-2", "choice": "yes"}, lambda d: None, 403,
     "not on NOM-2's frozen roster"),
    ("gus", {"do": "vote", "id": "NOM-2", "choice": "yes"}, lambda d: None, 403,
     "is the subject of NOM-2"),
    ("ada", {"do": "request-explanations", "id": "NOM-2"}, lambda d: None, 403,
     "only the nominee"),
    ("ada", {"do": "vote", "id": "NOM-2", "choice": "yes"}, lambda d: _close(d, "NOM-2"), 409,
     "ballots are no longer accepted"),
    ("ada", {"do": "vote", "id": "NOM-2", "choice": "yes"},
     lambda d: _past_deadline(d, "NOM-2"), 409, "closed at"),
    ("gus", {"do": "request-explanations", "id": "NOM-2"}, lambda d: None, 409,
     "still open"),
    ("ada", {"do": "upvote", "id": "RFC-4"},
     lambda d: d.svc.gov.apply(DEMO, "ada", {"do": "upvote", "id": "RFC-4"}), 409,
     "already upvoted"),
    ("ada", {"do": "vote", "id": "NOPE-1", "choice": "yes"}, lambda d: None, 409,
     "there is no decision NOPE-1"),
]


@pytest.mark.parametrize(("who", "body", "before", "status", "words"), REFUSALS)
def test_refusals_are_403_for_who_and_409_for_state_or_time(
        demo: Demo, who: str, body: dict[str, str], before: Callable[[Demo], object],
        status: int, words: str) -> None:
    before(demo)
    visitor = demo.visitor(who)
    answer = visitor.post(f"{P}/act", body, page="/signin")
    shown = html.unescape(answer.text)
    assert answer.status_code == status and words in shown
    assert ("Refused" if status == 403 else "Rejected") in shown
    # The log keeps the engine's reason unchanged, whatever the page's status.
    # (The service's own events, such as a count, may follow it.)
    last = [e for e in demo.svc.gov.events_after(DEMO) if e.command["by"] == who][-1]
    assert last.command["do"] == body["do"]
    assert last.rejected is not None and words in last.rejected


@pytest.mark.parametrize(("kind", "status"), [("forbidden", 403), ("conflict", 409),
                                              (None, 409)])
def test_the_status_follows_the_kind(kind: RejectionKind | None, status: int) -> None:
    assert refused_status(kind) == status
