"""Nominations, removals and governance votes: rosters, thresholds, quorum, secrecy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.engine.scenario_helpers import ev, rejected_events, run

OPEN = "2026-03-02T09:00:00Z"
CLOSE = "2026-03-09T09:00:00Z"  # 7 calendar days later
AFTER = "2026-03-20T00:00:00Z"
FIVE = {"alice": "maintainer", "bob": "maintainer", "carl": "maintainer", "dana": "maintainer",
        "erik": "maintainer", "frank": "maintainer", "carol": "contributor",
        "dave": "contributor", "erin": "emeritus"}


def nomination(ballots: list[tuple[str, str]], people: dict[str, str] | None = None,
               extra: list[dict[str, str]] | None = None, as_of: str = AFTER) -> dict[str, Any]:
    events = [ev(OPEN, "alice", "nominate", id="N1", person="dave", role="maintainer"),
              *[ev("2026-03-03T09:00:00Z", who, "vote", id="N1", choice=c)
                for who, c in ballots], *(extra or [])]
    return run(events, people=people, as_of=as_of)


@pytest.mark.parametrize(
    ("ballots", "status", "yes", "eligible"),
    [
        ([("alice", "yes"), ("bob", "yes"), ("carl", "yes")], "passed", 3, 5),
        ([("alice", "yes"), ("bob", "yes"), ("carl", "no"), ("dana", "no")], "failed", 2, 5),
        ([("alice", "yes"), ("bob", "yes")], "failed", 2, 5),
        ([("alice", "yes"), ("bob", "yes"), ("carl", "abstain"), ("dana", "abstain"),
          ("erik", "abstain")], "failed", 2, 5),
    ],
    ids=["3-of-5-passes", "2-of-5-fails", "silence-counts-against", "abstain-counts-against"],
)
def test_nomination_needs_more_than_half_of_eligible(
        ballots: list[tuple[str, str]], status: str, yes: int, eligible: int) -> None:
    state = nomination(ballots)
    n1 = state["decisions"]["N1"]
    assert (n1["status"], n1["tally"]["yes"], n1["tally"]["eligible"]) == (status, yes, eligible)
    assert n1["closes_at"] == CLOSE
    roles = state["people"]["dave"]["roles"]
    assert ("maintainer" in roles) == (status == "passed")


def test_exactly_half_of_an_even_roster_fails() -> None:
    people = {"alice": "maintainer", "bob": "maintainer", "carl": "maintainer",
              "dana": "maintainer", "erik": "maintainer", "dave": "contributor"}
    state = nomination([("alice", "yes"), ("bob", "yes")], people=people)
    assert state["decisions"]["N1"]["tally"]["eligible"] == 5
    people["frank"] = "maintainer"
    state = nomination([("alice", "yes"), ("bob", "yes"), ("carl", "yes")], people=people)
    assert state["decisions"]["N1"]["tally"]["eligible"] == 6
    assert state["decisions"]["N1"]["status"] == "failed"  # 3 of 6 is not more than 50%


@pytest.mark.parametrize(
    ("at", "counted"),
    [("2026-03-09T08:59:59Z", True), ("2026-03-09T09:00:00Z", False)],
    ids=["one-second-before-close", "exactly-at-close-rejected"],
)
def test_ballot_at_the_closing_instant(at: str, counted: bool) -> None:
    state = nomination([("alice", "yes"), ("bob", "yes")],
                       extra=[ev(at, "carl", "vote", id="N1", choice="yes")])
    n1 = state["decisions"]["N1"]
    assert n1["tally"]["yes"] == (3 if counted else 2)
    assert n1["status"] == ("passed" if counted else "failed")
    assert rejected_events(state) == ([] if counted else [3])


def test_roster_is_frozen_when_the_vote_opens() -> None:
    events = [
        ev(OPEN, "alice", "nominate", id="N0", person="carol", role="maintainer"),
        ev("2026-03-02T10:00:00Z", "bob", "nominate", id="N1", person="dave", role="triager"),
        ev("2026-03-03T09:00:00Z", "alice", "vote", id="N0", choice="yes"),
        ev("2026-03-03T09:00:00Z", "bob", "vote", id="N0", choice="yes"),
        ev("2026-03-03T09:00:00Z", "carl", "vote", id="N0", choice="yes"),
        ev("2026-03-03T09:00:00Z", "dana", "vote", id="N0", choice="yes"),
        ev("2026-03-04T09:00:00Z", "erik", "step-down"),
        # carol becomes maintainer at N0's close, after N1 opened: her ballot is advisory.
        ev("2026-03-09T09:30:00Z", "carol", "vote", id="N1", choice="yes"),
        # erik stepped down after N1 opened: still on N1's frozen roster.
        ev("2026-03-09T09:30:00Z", "erik", "vote", id="N1", choice="yes"),
    ]
    state = run(events, people=FIVE, as_of=AFTER)
    n1 = state["decisions"]["N1"]
    assert state["people"]["carol"]["roles"] == ["contributor", "maintainer"]
    assert n1["roster"] == ["alice", "bob", "carl", "dana", "erik", "frank"]
    assert n1["tally"]["yes"] == 1
    assert n1["tally"]["advisory"]["yes"] == 1


def test_subject_cannot_vote_nominator_can_and_revotes_replace() -> None:
    state = nomination([("alice", "no"), ("dave", "yes"), ("alice", "yes"), ("bob", "yes"),
                        ("carl", "yes"), ("carol", "yes"), ("carol", "no")])
    n1 = state["decisions"]["N1"]
    assert n1["tally"]["yes"] == 3 and n1["tally"]["no"] == 0
    assert n1["tally"]["advisory"] == {"yes": 0, "no": 1, "abstain": 0}
    assert rejected_events(state) == [2]
    assert "subject" in state["rejected"][0]["reason"]


def test_secret_ballot_shows_only_a_count_while_open() -> None:
    state = nomination([("alice", "yes"), ("bob", "no"), ("carol", "yes")],
                       as_of="2026-03-05T00:00:00Z")
    n1 = state["decisions"]["N1"]
    assert n1["status"] == "open"
    assert n1["tally"] == {"ballots": 2}
    text = json.dumps(state)
    assert '"alice": "yes"' not in text and '"bob": "no"' not in text


def test_explanations_released_after_close_sorted_without_voters() -> None:
    extra = [
        ev("2026-03-04T09:00:00Z", "dave", "request-explanations", id="N1"),
        ev("2026-03-10T09:00:00Z", "dave", "request-explanations", id="N1"),
        ev("2026-03-10T10:00:00Z", "carol", "request-explanations", id="N1"),
    ]
    state = run([
        ev(OPEN, "alice", "nominate", id="N1", person="dave", role="maintainer"),
        ev("2026-03-03T09:00:00Z", "bob", "vote", id="N1", choice="no",
           explanation="Zero reviews so far"),
        ev("2026-03-03T09:00:00Z", "carl", "vote", id="N1", choice="no",
           explanation="Also: design docs"),
        ev("2026-03-03T09:00:00Z", "dana", "vote", id="N1", choice="yes", explanation="great"),
        *extra,
    ], as_of=AFTER)
    n1 = state["decisions"]["N1"]
    assert n1["explanations"] == ["Also: design docs", "Zero reviews so far"]
    assert rejected_events(state) == [4, 6]


@pytest.mark.parametrize(
    ("decline_at", "status", "granted", "rejected"),
    [
        ("2026-03-04T09:00:00Z", "declined", False, []),
        ("2026-03-12T09:00:00Z", "declined", False, []),
    ],
    ids=["declined-while-open", "declined-after-passing-role-taken-back"],
)
def test_decline(decline_at: str, status: str, granted: bool, rejected: list[int]) -> None:
    state = nomination([("alice", "yes"), ("bob", "yes"), ("carl", "yes")],
                       extra=[ev(decline_at, "dave", "decline", id="N1")])
    assert state["decisions"]["N1"]["status"] == status
    assert ("maintainer" in state["people"]["dave"]["roles"]) is granted
    assert rejected_events(state) == rejected


def test_decline_after_failure_and_by_others_is_rejected() -> None:
    state = nomination([("alice", "yes")], extra=[
        ev("2026-03-12T09:00:00Z", "alice", "decline", id="N1"),
        ev("2026-03-12T10:00:00Z", "dave", "decline", id="N1"),
    ])
    assert state["decisions"]["N1"]["status"] == "failed"
    assert rejected_events(state) == [2, 3]


@pytest.mark.parametrize(
    ("events", "reason_part"),
    [
        ([ev(OPEN, "carol", "nominate", id="N1", person="dave", role="maintainer")],
         "only maintainers"),
        ([ev(OPEN, "alice", "nominate", id="N1", person="dave", role="emeritus")],
         "nominations are for"),
        ([ev(OPEN, "alice", "nominate", id="N1", person="bob", role="maintainer")],
         "already is a maintainer"),
        ([ev(OPEN, "erin", "nominate", id="N1", person="dave", role="maintainer")],
         "only maintainers"),
    ],
    ids=["contributor-nominates", "not-a-nominable-role", "already-holds", "emeritus-nominates"],
)
def test_who_may_nominate(events: list[dict[str, str]], reason_part: str) -> None:
    state = run(events, people=FIVE, as_of=AFTER)
    assert "N1" not in state["decisions"]
    assert reason_part in state["rejected"][0]["reason"]


def governance(ballots: list[tuple[str, str]]) -> dict[str, Any]:
    return run([
        ev(OPEN, "carol", "propose", id="G1", process="governance-change"),
        ev("2026-03-03T09:00:00Z", "dave", "object", id="G1"),
        ev("2026-03-03T10:00:00Z", "alice", "call-vote", id="G1", vote="GV"),
        *[ev("2026-03-04T09:00:00Z", who, "vote", id="GV", choice=c) for who, c in ballots],
    ], people={k: v for k, v in FIVE.items() if k != "frank"}, as_of=AFTER)


@pytest.mark.parametrize(
    ("ballots", "status", "quorum_met"),
    [
        ([("alice", "yes"), ("bob", "yes"), ("carl", "no")], "passed", True),
        ([("alice", "yes"), ("bob", "yes")], "failed", False),
        ([("alice", "yes"), ("bob", "yes"), ("carl", "abstain")], "passed", True),
        ([("alice", "yes"), ("bob", "abstain"), ("carl", "abstain")], "passed", True),
        ([("alice", "yes"), ("bob", "yes"), ("carl", "no"), ("dana", "no")], "failed", True),
        ([("alice", "yes"), ("bob", "yes"), ("carl", "yes"), ("dana", "no"), ("erik", "no")],
         "passed", True),
        ([("alice", "yes"), ("carol", "yes"), ("dave", "yes")], "failed", False),
    ],
    ids=["quorum-exactly-60pct", "below-quorum", "abstain-counts-for-quorum",
         "abstain-not-in-pool", "50pct-below-supermajority", "threshold-exactly-60pct",
         "advisory-not-in-quorum"],
)
def test_governance_vote_supermajority_and_quorum(
        ballots: list[tuple[str, str]], status: str, quorum_met: bool) -> None:
    state = governance(ballots)
    gv = state["decisions"]["GV"]
    assert gv["tally"]["eligible"] == 5
    assert gv["tally"]["quorum_met"] is quorum_met
    assert gv["status"] == status
    assert state["decisions"]["G1"]["status"] == ("accepted" if status == "passed" else
                                                  "rejected")


def test_emeritus_is_not_on_the_roster() -> None:
    state = governance([("erin", "yes")])
    assert "erin" not in state["decisions"]["GV"]["roster"]
    assert state["decisions"]["GV"]["tally"]["advisory"]["yes"] == 1


@pytest.mark.parametrize(
    ("ballots", "status", "removed"),
    [
        ([("alice", "yes"), ("carl", "yes"), ("dana", "yes")], "passed", True),
        ([("alice", "yes"), ("carl", "yes"), ("bob", "yes")], "failed", False),
    ],
    ids=["three-of-five-others-remove", "subject-ballot-rejected"],
)
def test_removal(ballots: list[tuple[str, str]], status: str, removed: bool) -> None:
    state = run([
        ev(OPEN, "alice", "propose-removal", id="RM", person="bob"),
        *[ev("2026-03-03T09:00:00Z", who, "vote", id="RM", choice=c) for who, c in ballots],
    ], people=FIVE, as_of=AFTER)
    rm = state["decisions"]["RM"]
    assert rm["tally"]["eligible"] == 5
    assert rm["status"] == status
    bob = {k: state["people"]["bob"][k] for k in ("roles", "status")}
    assert bob == ({"roles": [], "status": "removed"} if removed else
                   {"roles": ["maintainer"], "status": "active"})


def test_removal_of_self_or_non_maintainer_rejected() -> None:
    state = run([
        ev(OPEN, "alice", "propose-removal", id="RM", person="alice"),
        ev(OPEN, "alice", "propose-removal", id="RM2", person="carol"),
        ev(OPEN, "carol", "propose-removal", id="RM3", person="alice"),
    ], people=FIVE, as_of=AFTER)
    assert rejected_events(state) == [0, 1, 2]


def test_an_emeritus_nominated_back_to_maintainer_is_no_longer_emeritus() -> None:
    state = run([
        ev(OPEN, "alice", "nominate", id="N1", person="erin", role="maintainer"),
        *[ev("2026-03-03T09:00:00Z", who, "vote", id="N1", choice="yes")
          for who in ("alice", "bob", "carl", "dana")],
    ], people=FIVE, as_of=AFTER)
    erin = state["people"]["erin"]
    assert (erin["roles"], erin["status"]) == (["maintainer"], "active")


def test_explanations_sort_as_people_read() -> None:
    state = run([
        ev(OPEN, "alice", "nominate", id="N1", person="dave", role="maintainer"),
        ev("2026-03-03T09:00:00Z", "bob", "vote", id="N1", choice="no", explanation="more docs"),
        ev("2026-03-03T09:00:00Z", "carl", "vote", id="N1", choice="no",
           explanation="Needs reviews"),
        ev("2026-03-12T09:00:00Z", "dave", "request-explanations", id="N1"),
    ], people=FIVE, as_of=AFTER)
    assert state["decisions"]["N1"]["explanations"] == ["more docs", "Needs reviews"]
