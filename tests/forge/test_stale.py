"""Stale pull requests on the real service: idle past the policy's window (business days) a
pull request gets a nudge, a further window later the stale label; activity starts over."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.forge.conftest import REPO, Hub, comment_payload, fixture

PEOPLE = {"alice": "maintainer", "dave": "contributor"}
POLICY = {"extends": "llama-stack", "notices": {"stale": {
    "nudge_after": "3 business days", "label_after": "2 business days", "label": "stale"}}}
FRIDAY = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
NUMBER = 9


def pull_event(action: str, sender: str = "dave") -> dict[str, Any]:
    data = copy.deepcopy(fixture(f"pull_request.{action}"))
    data["number"] = data["pull_request"]["number"] = NUMBER
    data["pull_request"]["user"]["login"] = "dave"
    data["sender"]["login"] = sender
    return data


def pr_comment(body: str, author: str) -> dict[str, Any]:
    data = comment_payload(body, author, NUMBER)
    data["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{REPO}/pulls/9"}
    return data


@pytest.fixture
def idle(hub: Hub) -> Hub:
    hub.gov.create_project(REPO, POLICY, PEOPLE)
    hub.send("installation", fixture("installation.created"))
    hub.clock.now = FRIDAY
    assert hub.send("pull_request", pull_event("opened")).status_code == 202
    hub.work()
    return hub


def nudges(hub: Hub) -> list[str]:
    return [b for b in hub.github.posted(REPO, NUMBER) if "no activity" in b]


def at(hub: Hub, when: datetime) -> None:
    hub.clock.now = when
    hub.work()


def test_an_idle_pull_request_is_nudged_then_labeled(idle: Hub) -> None:
    hub = idle
    # Three business days from Friday 16:00 is Wednesday 16:00 (the weekend does not count).
    nudge = FRIDAY + timedelta(days=5)
    at(hub, nudge - timedelta(seconds=1))
    assert nudges(hub) == []
    at(hub, nudge)
    said = nudges(hub)
    assert len(said) == 1 and said[0].startswith("@dave ") and "3 business days" in said[0]
    # Two business days after the nudge: Friday 16:00.
    at(hub, nudge + timedelta(days=2) - timedelta(seconds=1))
    assert hub.github.labels.get((REPO, NUMBER)) is None
    at(hub, nudge + timedelta(days=2))
    assert hub.github.labels[(REPO, NUMBER)] == ["stale"]
    at(hub, nudge + timedelta(days=30))
    assert len(nudges(hub)) == 1  # once

    # Activity takes the label off and starts the wait again.
    hub.send("issue_comment", pr_comment("rebased, PTAL", "dave"))
    hub.work()
    assert hub.github.labels[(REPO, NUMBER)] == []
    at(hub, hub.clock.now + timedelta(days=7))
    assert len(nudges(hub)) == 2


@pytest.mark.parametrize(("event", "payload"), [
    ("issue_comment", lambda: pr_comment("still on it", "dave")),
    ("pull_request", lambda: pull_event("synchronize")),
])
def test_activity_before_the_nudge_postpones_it(idle: Hub, event: str, payload: Any) -> None:
    hub = idle
    at(hub, FRIDAY + timedelta(days=4))  # Tuesday 16:00: one business day left
    assert hub.send(event, payload()).status_code == 202
    hub.work()
    at(hub, FRIDAY + timedelta(days=5))  # the first wait's instant: nothing
    assert nudges(hub) == []
    at(hub, FRIDAY + timedelta(days=7))  # Friday: three business days after Tuesday
    assert len(nudges(hub)) == 1


def test_a_closed_pull_request_is_never_nudged(idle: Hub) -> None:
    hub = idle
    hub.send("pull_request", pull_event("closed"))
    hub.work()
    at(hub, FRIDAY + timedelta(days=30))
    assert nudges(hub) == [] and hub.github.labels.get((REPO, NUMBER)) is None
