"""Every page of the dashboard for the demo project, as HTML and as the API's JSON."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.web.conftest import DEMO, Demo

P = f"/projects/{DEMO}"

# (page, text it must show)
PAGES = [
    ("/", DEMO),
    (P, "Open decisions"),
    (f"{P}/decisions/LC-4", "self-hosted runners need upkeep"),
    (f"{P}/decisions/DV-1", "Yes against the threshold"),
    (f"{P}/decisions/NOM-2", "ballot(s) cast"),
    (f"{P}/decisions/NOM-2/ballot", "Eligible voters"),
    (f"{P}/decisions/NOM-1/ballot", "Receipts counted"),
    (f"{P}/decisions/RFC-4", "Safety shields as middleware"),
    (f"{P}/rfcs", "Streaming tool calls"),
    (f"{P}/roadmap", "RFC-3"),
    (f"{P}/people", "initial roster"),
    (f"{P}/components", "Prefix-cache aware routing"),
    (f"{P}/triage", "needs-triage"),
    (f"{P}/audit", "Audit log"),
    (f"{P}/audit/verification", "Verified"),
    (f"{P}/pulls/7", "No gate run yet"),
    (f"{P}/rows/LC-5", "LC-5"),
    ("/signin", "Password"),
]

# (page, the API route with the same body)
SAME_AS_API = [
    ("/", "/api/v1/projects"),
    (P, f"/api/v1{P}/state"),
    (f"{P}/decisions/LC-4", f"/api/v1{P}/decisions/LC-4"),
    (f"{P}/decisions/NOM-1/ballot", f"/api/v1{P}/decisions/NOM-1"),
    (f"{P}/rfcs", f"/api/v1{P}/rfcs"),
    (f"{P}/roadmap", f"/api/v1{P}/roadmap"),
    (f"{P}/people", f"/api/v1{P}/people"),
    (f"{P}/components", f"/api/v1{P}/components"),
    (f"{P}/triage", f"/api/v1{P}/triage"),
]


@pytest.mark.parametrize(("path", "text"), PAGES)
def test_each_page_renders(demo: Demo, path: str, text: str) -> None:
    answer = demo.visitor().get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert text in answer.text


@pytest.mark.parametrize(("path", "api"), SAME_AS_API)
def test_json_is_the_api_body(demo: Demo, path: str, api: str) -> None:
    visitor = demo.visitor()
    page = visitor.get(path, headers={"Accept": "application/json"})
    assert page.headers["content-type"].startswith("application/json")
    assert page.json() == visitor.get(api).json()


def test_other_pages_answer_json(demo: Demo) -> None:
    visitor = demo.visitor()
    json = {"Accept": "application/json"}
    assert visitor.get(f"{P}/triage", headers=json).json() == {"issues": []}
    assert visitor.get(f"{P}/pulls/7", headers=json).json() == {"pull": 7, "gate": None}
    audit = visitor.get(f"{P}/audit", headers=json).json()
    assert audit["verification"]["ok"] is True
    assert [e["seq"] for e in audit["events"]] == list(range(1, len(audit["events"]) + 1))


def test_home_lists_open_decisions_with_their_rule(demo: Demo) -> None:
    page = demo.visitor().get(P).text
    opened = re.search(r'id="open-decisions">(.*?)</ul>\s*(?:<nav|</section)', page, re.S)
    assert opened is not None
    assert "LC-5" in opened[1] and "NOM-2" in opened[1] and "LC-1" not in opened[1]
    assert "48 business hours, weekends (Sat, Sun) skipped (UTC)" in opened[1]
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" data-countdown>',
                     opened[1])
    contested = re.search(r'id="contested-decisions">(.*?)</ul>\s*</section', page, re.S)
    assert contested is not None and "hana objected: self-hosted runners need upkeep" \
        in contested[1]


def test_a_row_re_reads_the_state_when_its_deadline_passes(demo: Demo) -> None:
    visitor = demo.visitor()
    before = visitor.get(f"{P}/rows/LC-5").text
    assert "data-status>open<" in before and 'hx-trigger="load delay:' in before
    closes = visitor.get(f"/api/v1{P}/decisions/LC-5").json()["closes_at"]
    demo.clock.now = demo.clock.now.fromisoformat(closes.replace("Z", "+00:00")) - \
        timedelta(minutes=5)
    near = visitor.get(f"{P}/rows/LC-5").text
    assert 'hx-trigger="every 5s"' in near
    demo.clock.advance(minutes=6)
    after = visitor.get(f"{P}/rows/LC-5").text
    assert "data-status>accepted<" in after and "hx-trigger" not in after
    status = visitor.get(f"{P}/decisions/LC-5/status").text
    assert "data-status>accepted<" in status


@pytest.mark.parametrize("path", [f"{P}/decisions/NOPE", "/projects/no/such",
                                  f"{P}/decisions/NOPE/ballot", f"{P}/rows/NOPE"])
def test_unknown_things_are_404(demo: Demo, path: str) -> None:
    visitor = demo.visitor()
    assert visitor.get(path).status_code == 404
    answer = visitor.get(path, headers={"Accept": "application/json"})
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not-found"


def test_audit_pages_through_the_log(demo: Demo) -> None:
    visitor = demo.visitor()
    first = visitor.get(f"{P}/audit").text
    assert "<td>1</td>" in first
    later = visitor.get(f"{P}/audit?after=40").text
    assert "<td>1</td>" not in later and "<td>41</td>" in later


def test_the_triage_queue_lists_what_the_app_has_seen(demo: Demo) -> None:
    from charter.store import items
    from charter.store.db import writing

    gov = demo.svc.gov
    project = gov.project(DEMO)
    with writing(gov.db) as conn:
        items.seen(conn, project.id, 12, pull_request=False, title="Crash on start",
                   author="kim", at=demo.clock.now)
        items.update(conn, project.id, 12, needs_triage=True, open=True)
    page = demo.visitor().get(f"{P}/triage").text
    assert "<td>#12</td><td>Crash on start</td><td>kim</td>" in page
    assert 'id="triage-empty"' not in page
