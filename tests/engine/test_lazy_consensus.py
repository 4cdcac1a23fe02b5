"""Lazy consensus, governance change and reinstatement: one table per rule, boundary instants."""

from __future__ import annotations

import pytest

from tests.engine.scenario_helpers import ev, rejected_events, run

# Monday 2026-03-02 09:00 UTC; +48 business hours = Wednesday 09:00.
MON = "2026-03-02T09:00:00Z"
FRI = "2026-03-06T15:00:00Z"  # Friday 15:00 -> Tuesday 15:00 (the weekend does not count)


@pytest.mark.parametrize(
    ("opened", "as_of", "status", "closes_at"),
    [
        (MON, "2026-03-04T08:59:59Z", "open", "2026-03-04T09:00:00Z"),
        (MON, "2026-03-04T09:00:00Z", "accepted", "2026-03-04T09:00:00Z"),
        (FRI, "2026-03-10T14:59:59Z", "open", "2026-03-10T15:00:00Z"),
        (FRI, "2026-03-10T15:00:00Z", "accepted", "2026-03-10T15:00:00Z"),
        ("2026-03-07T12:00:00Z", "2026-03-11T00:00:00Z", "accepted", "2026-03-11T00:00:00Z"),
    ],
    ids=["mon-one-second-before", "mon-exactly-at", "fri-across-weekend-before",
         "fri-across-weekend-at", "opened-on-saturday"],
)
def test_window_excludes_weekends(opened: str, as_of: str, status: str, closes_at: str) -> None:
    state = run([ev(opened, "carol", "propose", id="P1", process="lazy-consensus", title="x")],
                as_of=as_of)
    p1 = state["decisions"]["P1"]
    assert p1["status"] == status
    assert p1["closes_at"] == closes_at
    assert p1["closed_at"] == (closes_at if status == "accepted" else None)


@pytest.mark.parametrize(
    ("objection_at", "status", "rejected"),
    [
        ("2026-03-04T08:59:59Z", "contested", []),
        ("2026-03-04T09:00:00Z", "accepted", [1]),
    ],
    ids=["one-second-before-deadline", "exactly-at-deadline-too-late"],
)
def test_objection_at_the_boundary(objection_at: str, status: str, rejected: list[int]) -> None:
    state = run([
        ev(MON, "carol", "propose", id="P1", process="lazy-consensus"),
        ev(objection_at, "dave", "object", id="P1", reason="no"),
    ], as_of="2026-03-10T00:00:00Z")
    assert state["decisions"]["P1"]["status"] == status
    assert rejected_events(state) == rejected


def test_anyone_may_object_and_any_objection_blocks() -> None:
    state = run([
        ev(MON, "carol", "propose", id="P1", process="lazy-consensus"),
        ev("2026-03-03T09:00:00Z", "erin", "object", id="P1", reason="emeritus are people too"),
    ], as_of="2026-03-20T00:00:00Z")
    assert state["decisions"]["P1"]["status"] == "contested"
    assert state["rejected"] == []


@pytest.mark.parametrize(
    ("retract_at", "status", "closed_at"),
    [
        ("2026-03-03T12:00:00Z", "accepted", "2026-03-04T09:00:00Z"),
        ("2026-03-05T12:00:00Z", "accepted", "2026-03-05T12:00:00Z"),
    ],
    ids=["retracted-inside-window", "retracted-after-window-accepted-at-once"],
)
def test_retraction(retract_at: str, status: str, closed_at: str) -> None:
    state = run([
        ev(MON, "carol", "propose", id="P1", process="lazy-consensus"),
        ev("2026-03-03T09:00:00Z", "dave", "object", id="P1"),
        ev(retract_at, "dave", "retract", id="P1"),
    ], as_of="2026-03-20T00:00:00Z")
    assert state["decisions"]["P1"]["status"] == status
    assert state["decisions"]["P1"]["closed_at"] == closed_at


def test_one_retraction_of_two_objections_keeps_it_contested() -> None:
    state = run([
        ev(MON, "carol", "propose", id="P1", process="lazy-consensus"),
        ev("2026-03-03T09:00:00Z", "dave", "object", id="P1"),
        ev("2026-03-03T10:00:00Z", "bob", "object", id="P1"),
        ev("2026-03-03T11:00:00Z", "dave", "retract", id="P1"),
        ev("2026-03-03T12:00:00Z", "carol", "retract", id="P1"),
    ], as_of="2026-03-20T00:00:00Z")
    assert state["decisions"]["P1"]["status"] == "contested"
    assert rejected_events(state) == [4]


@pytest.mark.parametrize(
    ("events", "rejected"),
    [
        ([ev("2026-03-03T09:00:00Z", "alice", "call-vote", id="P1", vote="V1")], [1]),
        ([ev("2026-03-03T09:00:00Z", "dave", "object", id="P1"),
          ev("2026-03-03T10:00:00Z", "carol", "call-vote", id="P1", vote="V1")], [2]),
        ([ev("2026-03-03T09:00:00Z", "dave", "object", id="P1"),
          ev("2026-03-03T10:00:00Z", "alice", "call-vote", id="P1", vote="V1"),
          ev("2026-03-03T11:00:00Z", "bob", "call-vote", id="P1", vote="V2")], [3]),
        ([ev("2026-03-03T09:00:00Z", "dave", "withdraw", id="P1")], [1]),
    ],
    ids=["not-contested", "contributor-cannot-call", "second-call", "not-the-proposer"],
)
def test_forbidden_lazy_consensus_events(events: list[dict[str, str]], rejected: list[int]
                                         ) -> None:
    state = run([ev(MON, "carol", "propose", id="P1", process="lazy-consensus"), *events],
                as_of="2026-03-03T12:00:00Z")
    assert rejected_events(state) == rejected
    assert all(r["reason"] for r in state["rejected"])


@pytest.mark.parametrize(
    ("ballots", "p1", "v1"),
    [
        ([("alice", "yes"), ("bob", "yes"), ("carl", "no")], "accepted", "passed"),
        ([("alice", "yes"), ("bob", "no")], "rejected", "failed"),
        ([("alice", "yes"), ("bob", "no"), ("carl", "abstain")], "rejected", "failed"),
        ([("alice", "yes"), ("carl", "abstain"), ("dana", "abstain")], "accepted", "passed"),
        ([("carol", "yes"), ("dave", "yes"), ("alice", "no")], "rejected", "failed"),
    ],
    ids=["majority-yes", "tie-fails", "abstain-excluded-tie", "abstain-excluded-pass",
         "advisory-does-not-bind"],
)
def test_decision_vote_settles_the_decision(ballots: list[tuple[str, str]], p1: str, v1: str
                                            ) -> None:
    events = [
        ev(MON, "carol", "propose", id="P1", process="lazy-consensus"),
        ev("2026-03-03T09:00:00Z", "dave", "object", id="P1"),
        ev("2026-03-03T10:00:00Z", "alice", "call-vote", id="P1", vote="V1"),
        *[ev("2026-03-04T10:00:00Z", who, "vote", id="V1", choice=c) for who, c in ballots],
    ]
    state = run(events, as_of="2026-03-20T00:00:00Z")
    assert state["decisions"]["V1"]["status"] == v1
    assert state["decisions"]["V1"]["closes_at"] == "2026-03-10T10:00:00Z"  # 7 calendar days
    assert state["decisions"]["P1"]["status"] == p1
    assert state["decisions"]["P1"]["closed_at"] == "2026-03-10T10:00:00Z"


def test_withdraw_takes_the_called_vote_with_it() -> None:
    state = run([
        ev(MON, "carol", "propose", id="P1", process="lazy-consensus"),
        ev("2026-03-03T09:00:00Z", "dave", "object", id="P1"),
        ev("2026-03-03T10:00:00Z", "alice", "call-vote", id="P1", vote="V1"),
        ev("2026-03-04T10:00:00Z", "carol", "withdraw", id="P1"),
    ], as_of="2026-03-20T00:00:00Z")
    assert state["decisions"]["P1"]["status"] == "withdrawn"
    assert state["decisions"]["V1"]["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2026-03-09T08:59:59Z", "open"), ("2026-03-09T09:00:00Z", "accepted")],
    ids=["one-second-before-7-days", "exactly-7-calendar-days"],
)
def test_governance_change_is_public_seven_calendar_days(as_of: str, status: str) -> None:
    state = run([ev(MON, "carol", "propose", id="G1", process="governance-change")],
                as_of=as_of)
    assert state["decisions"]["G1"]["status"] == status
    assert state["decisions"]["G1"]["closes_at"] == "2026-03-09T09:00:00Z"


def test_governance_change_objection_goes_to_governance_vote() -> None:
    state = run([
        ev(MON, "carol", "propose", id="G1", process="governance-change"),
        ev("2026-03-05T09:00:00Z", "dave", "object", id="G1"),
        ev("2026-03-05T10:00:00Z", "alice", "call-vote", id="G1", vote="GV"),
    ], as_of="2026-03-06T00:00:00Z")
    assert state["decisions"]["GV"]["process"] == "governance-vote"
    assert state["decisions"]["G1"]["vote"] == "GV"


@pytest.mark.parametrize(
    ("objector", "status", "rejected", "erin_roles"),
    [
        ("dave", "accepted", [1], ["maintainer"]),
        ("alice", "contested", [], ["emeritus"]),
    ],
    ids=["contributor-objection-does-not-count", "maintainer-objection-blocks"],
)
def test_reinstatement_only_active_maintainers_object(
        objector: str, status: str, rejected: list[int], erin_roles: list[str]) -> None:
    state = run([
        ev(MON, "erin", "request-reinstatement", id="R1"),
        ev("2026-03-03T09:00:00Z", objector, "object", id="R1"),
    ], as_of="2026-03-20T00:00:00Z")
    assert state["decisions"]["R1"]["status"] == status
    assert state["decisions"]["R1"]["closes_at"] == "2026-03-04T09:00:00Z"
    assert rejected_events(state) == rejected
    erin = state["people"]["erin"]
    assert {"roles": erin["roles"], "status": erin["status"]} == {
        "roles": erin_roles, "status": "active" if erin_roles == ["maintainer"] else "emeritus"}


def test_step_down_then_reinstatement_by_a_non_emeritus_is_rejected() -> None:
    state = run([
        ev(MON, "bob", "step-down"),
        ev("2026-03-02T10:00:00Z", "carol", "step-down"),
        ev("2026-03-02T11:00:00Z", "alice", "request-reinstatement", id="R1"),
        ev("2026-03-02T12:00:00Z", "bob", "request-reinstatement", id="R2"),
    ], as_of="2026-03-05T00:00:00Z")
    bob = state["people"]["bob"]
    assert (bob["roles"], bob["status"]) == (["maintainer"], "active")
    assert [(h["role"], h["by"], h["ended_by"]) for h in bob["history"]] == [
        ("maintainer", "initial roster", "step-down (event 0)"),
        ("emeritus", "step-down (event 0)", "R2"),
        ("maintainer", "R2", None),
    ]
    assert rejected_events(state) == [1, 2]


def test_as_of_before_the_last_event_reports_the_state_then() -> None:
    state = run([
        ev(MON, "carol", "propose", id="P1", process="lazy-consensus"),
        ev("2026-03-05T09:00:00Z", "dave", "propose", id="P2", process="lazy-consensus"),
    ], as_of="2026-03-03T00:00:00Z")
    assert list(state["decisions"]) == ["P1"]
    assert state["decisions"]["P1"]["status"] == "open"
