"""Triage on the real service: a new issue gets the policy's triage label and waits in the
triage queue until a triager labels it; labels from others leave it waiting."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from charter.forge.triage import triage_queue
from tests.forge.conftest import REPO, Hub, fixture

PEOPLE = {"tina": "triager", "alice": "maintainer", "dave": "contributor"}


def issue_event(action: str, number: int, sender: str, label: str | None = None,
                sender_type: str = "User") -> dict[str, Any]:
    data = copy.deepcopy(fixture(f"issues.{action}"))
    data["issue"]["number"] = number
    data["issue"]["title"] = f"Issue {number}"
    data["sender"]["login"] = sender
    data["sender"]["type"] = sender_type
    if label is not None:
        data["label"]["name"] = label
    return data


@pytest.fixture
def triaging(hub: Hub) -> Hub:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    assert hub.send("installation", fixture("installation.created")).status_code == 202
    hub.work()
    return hub


def labels(hub: Hub, number: int) -> list[str]:
    return hub.github.labels.get((REPO, number), [])


@pytest.mark.parametrize(("sender", "label", "sender_type", "waiting"), [
    ("tina", "bug", "User", False),            # a triager's label triages it
    ("alice", "enhancement", "User", False),   # so does a maintainer's (notices.triagers)
    ("dave", "bug", "User", True),             # a contributor's label does not
    ("tina", "needs-triage", "User", True),    # nor the triage label itself
    ("charter[bot]", "bug", "Bot", True),      # nor a bot's
])
def test_the_triage_label_stays_until_a_triager_labels(triaging: Hub, sender: str, label: str,
                                                       sender_type: str,
                                                       waiting: bool) -> None:
    hub = triaging
    assert hub.send("issues", issue_event("opened", 5, "dave")).status_code == 202
    hub.work()
    assert labels(hub, 5) == ["needs-triage"]
    assert [i["number"] for i in triage_queue(hub.gov, REPO)] == [5]
    hub.send("issues", issue_event("labeled", 5, sender, label, sender_type))
    hub.work()
    assert ("needs-triage" in labels(hub, 5)) is waiting
    assert bool(triage_queue(hub.gov, REPO)) is waiting


def test_the_queue_lists_open_untriaged_issues_oldest_first(triaging: Hub) -> None:
    hub = triaging
    for number in (3, 4, 6):
        hub.send("issues", issue_event("opened", number, "dave"))
        hub.work()
        hub.clock.advance(minutes=1)
    delivery = "same-delivery"
    for _ in range(3):  # a redelivery labels nothing twice
        hub.send("issues", issue_event("labeled", 4, "tina", "bug"), guid=delivery)
    hub.work()
    # Removed by hand: it leaves the queue too.
    hub.send("issues", issue_event("unlabeled", 6, "dave", "needs-triage"))
    hub.work()
    queue = triage_queue(hub.gov, REPO)
    assert [i["number"] for i in queue] == [3]
    assert queue[0]["title"] == "Issue 3" and queue[0]["needs_triage"] is True
    shown = hub.http.get(f"/api/v1/projects/{REPO}/triage")
    assert shown.status_code == 200 and shown.json()["issues"] == queue
    assert hub.http.get("/api/v1/projects/no/such/triage").status_code == 404
    removals = [r for r in hub.github.requests if r.method == "DELETE"]
    assert [r.path for r in removals] == [f"/repos/{REPO}/issues/4/labels/needs-triage"]


def test_without_a_triage_label_in_the_policy_nothing_is_labeled(hub: Hub) -> None:
    hub.gov.create_project(REPO, "llm-d", {"alice": "maintainer"})
    hub.send("installation", fixture("installation.created"))
    hub.send("issues", issue_event("opened", 5, "dave"))
    hub.work()
    assert labels(hub, 5) == [] and triage_queue(hub.gov, REPO) == []
