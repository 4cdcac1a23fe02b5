"""scenario.md and policy.md, sentence by sentence, as an outside grader would test them.

Each table row names the rule it probes. Instants are chosen at the edges: one second before a
deadline, exactly at it, across weekends, month ends, DST changes and anywhere-on-earth.
2026-03-02 is a Monday; 2026-03-06 a Friday.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.engine.scenario_helpers import ev, rejected_events, run

ROOT = Path(__file__).resolve().parents[2]

Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

MON = "2026-03-02T09:00:00Z"
TUE = "2026-03-03T09:00:00Z"
WED = "2026-03-04T09:00:00Z"  # MON + 48 business hours
LATER = "2026-04-30T00:00:00Z"
SIX = {"alice": "maintainer", "bob": "maintainer", "carl": "maintainer", "dana": "maintainer",
       "erik": "maintainer", "frank": "maintainer", "carol": "contributor",
       "dave": "contributor", "erin": "emeritus"}
LLMD = {"alice": "maintainer", "bob": "maintainer", "carol": "contributor"}


def _charter(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "charter", *args], capture_output=True,
                          text=True, cwd=ROOT, check=False)


def shift(instant: str, **delta: float) -> str:
    """INSTANT moved by DELTA (timedelta keywords), printed as Charter prints instants."""
    moved = datetime.fromisoformat(instant.replace("Z", "+00:00")) + timedelta(**delta)
    return moved.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pick(state: Any, path: str) -> Any:
    """The value at a dotted PATH (list indices as numbers)."""
    for part in path.split("."):
        state = state[int(part)] if isinstance(state, list) else state[part]
    return state


def check(state: dict[str, Any], expect: dict[str, Any]) -> None:
    for path, want in expect.items():
        if path == "rejected":
            assert rejected_events(state) == want, state["rejected"]
        else:
            assert pick(state, path) == want, (path, json.dumps(state["decisions"], indent=1))


def lc(at: str, by: str = "carol", id: str = "P1", process: str = "lazy-consensus"
       ) -> dict[str, Any]:
    return ev(at, by, "propose", id=id, process=process, title="a change")


def obj(at: str, by: str = "bob", id: str = "P1") -> dict[str, Any]:
    return ev(at, by, "object", id=id, reason="no")


def vote(at: str, by: str, choice: str, id: str = "V1", **extra: Any) -> dict[str, Any]:
    return ev(at, by, "vote", id=id, choice=choice, **extra)


def nominate(at: str = MON, by: str = "alice", person: str = "dave", role: str = "maintainer",
             id: str = "N1") -> dict[str, Any]:
    return ev(at, by, "nominate", id=id, person=person, role=role)


def called(ballots: list[tuple[str, str]], process: str = "lazy-consensus",
           at: str = TUE) -> list[dict[str, Any]]:
    """A decision contested on Tuesday, its vote called at once, then BALLOTS."""
    return [lc(MON, process=process), obj(TUE), ev(TUE, "alice", "call-vote", id="P1", vote="V1"),
            *[vote(at, who, c) for who, c in ballots]]


# --- lazy-consensus windows ----------------------------------------------------------------------

AOE = {"extends": "llama-stack", "calendar": {"weekend_zone": "anywhere-on-earth"}}
NEW_YORK = {"extends": "llama-stack", "calendar": {"weekend_zone": "America/New_York"}}
BERLIN = {"extends": "llama-stack", "calendar": {"weekend_zone": "Europe/Berlin"}}
HOLIDAY = {"extends": "llama-stack", "calendar": {"holidays": ["2026-03-03"]}}


@pytest.mark.parametrize(
    ("opened", "policy", "process", "closes_at"),
    [
        pytest.param(MON, "llama-stack", "lazy-consensus", WED, id="weekday-48h"),
        pytest.param("2026-03-06T09:00:00Z", "llama-stack", "lazy-consensus",
                     "2026-03-10T09:00:00Z", id="friday-skips-weekend"),
        pytest.param("2026-03-06T23:59:59Z", "llama-stack", "lazy-consensus",
                     "2026-03-10T23:59:59Z", id="friday-last-second"),
        pytest.param("2026-03-07T12:00:00Z", "llama-stack", "lazy-consensus",
                     "2026-03-11T00:00:00Z", id="opened-on-saturday"),
        pytest.param("2026-03-08T23:59:59Z", "llama-stack", "lazy-consensus",
                     "2026-03-11T00:00:00Z", id="opened-sunday-last-second"),
        pytest.param("2026-03-09T00:00:00Z", "llama-stack", "lazy-consensus",
                     "2026-03-11T00:00:00Z", id="opened-monday-midnight"),
        pytest.param("2026-04-30T09:00:00Z", "llama-stack", "lazy-consensus",
                     "2026-05-04T09:00:00Z", id="across-month-end-and-weekend"),
        pytest.param("2026-12-30T12:00:00Z", "llama-stack", "lazy-consensus",
                     "2027-01-01T12:00:00Z", id="across-year-end"),
        pytest.param("2026-03-02T11:00:00+02:00", "llama-stack", "lazy-consensus", WED,
                     id="input-offset-printed-as-utc"),
        pytest.param(MON, HOLIDAY, "lazy-consensus", "2026-03-05T09:00:00Z",
                     id="holiday-excluded-like-weekend"),
        pytest.param("2026-03-06T17:00:00Z", NEW_YORK, "lazy-consensus",
                     "2026-03-10T16:00:00Z", id="new-york-weekend-spring-forward"),
        pytest.param("2026-10-23T10:00:00Z", BERLIN, "lazy-consensus",
                     "2026-10-27T11:00:00Z", id="berlin-weekend-fall-back"),
        pytest.param("2026-03-06T09:00:00Z", AOE, "lazy-consensus", "2026-03-11T11:00:00Z",
                     id="aoe-friday-one-hour-before-weekend"),
        pytest.param("2026-03-06T10:00:00Z", AOE, "lazy-consensus", "2026-03-11T12:00:00Z",
                     id="aoe-weekend-starts-friday-10z"),
        pytest.param("2026-03-09T11:59:59Z", AOE, "lazy-consensus", "2026-03-11T12:00:00Z",
                     id="aoe-weekend-ends-monday-12z"),
        pytest.param("2026-03-05T10:00:00Z", AOE, "lazy-consensus", "2026-03-10T12:00:00Z",
                     id="aoe-thursday"),
        pytest.param("2026-03-06T09:00:00Z", "llama-stack", "governance-change",
                     "2026-03-13T09:00:00Z", id="governance-change-7-calendar-days"),
        pytest.param("2026-02-26T09:00:00Z", "llama-stack", "governance-change",
                     "2026-03-05T09:00:00Z", id="governance-change-across-february-end"),
    ],
)
def test_lazy_window_accepts_exactly_at_closes_at(opened: str, policy: Any, process: str,
                                                 closes_at: str) -> None:
    before = run([lc(opened, process=process)], policy=policy, as_of=shift(closes_at, seconds=-1))
    p1 = before["decisions"]["P1"]
    assert (p1["status"], p1["closes_at"], p1["closed_at"]) == ("open", closes_at, None)
    at = run([lc(opened, process=process)], policy=policy, as_of=closes_at)["decisions"]["P1"]
    assert (at["status"], at["closed_at"]) == ("accepted", closes_at)


# --- objections, retractions, acceptance ---------------------------------------------------------

ONE_BEFORE = shift(WED, seconds=-1)
ONE_AFTER = shift(WED, seconds=1)

OBJECTION_CASES = [
    pytest.param([lc(MON), obj(TUE)], {"decisions.P1.status": "contested",
                                       "decisions.P1.closed_at": None,
                                       "decisions.P1.vote": None, "rejected": []},
                 LATER, id="objection-in-window-stands-forever-no-vote-by-itself"),
    pytest.param([lc(MON), obj(ONE_BEFORE)], {"decisions.P1.status": "contested"}, LATER,
                 id="objection-one-second-before-close"),
    pytest.param([lc(MON), obj(WED)], {"decisions.P1.status": "accepted",
                                       "decisions.P1.closed_at": WED, "rejected": [1]},
                 LATER, id="objection-exactly-at-close-too-late"),
    pytest.param([lc(MON), obj(TUE, by="carol")], {"decisions.P1.status": "contested"}, LATER,
                 id="proposer-may-object"),
    pytest.param([lc(MON), obj(TUE, by="dave")], {"decisions.P1.status": "contested"}, LATER,
                 id="contributor-objects"),
    pytest.param([lc(MON), obj(TUE, by="erin")], {"decisions.P1.status": "contested"}, LATER,
                 id="emeritus-objects-anyone-may"),
    pytest.param([lc(MON), obj(TUE), ev(TUE, "bob", "retract", id="P1")],
                 {"decisions.P1.status": "open", "decisions.P1.closed_at": None}, ONE_BEFORE,
                 id="retract-in-window-reopens"),
    pytest.param([lc(MON), obj(TUE), ev(TUE, "bob", "retract", id="P1")],
                 {"decisions.P1.status": "accepted", "decisions.P1.closed_at": WED}, LATER,
                 id="retract-in-window-accepted-at-closes-at"),
    pytest.param([lc(MON), obj(TUE), ev(WED, "bob", "retract", id="P1")],
                 {"decisions.P1.status": "accepted", "decisions.P1.closed_at": WED}, LATER,
                 id="retract-exactly-at-closes-at"),
    pytest.param([lc(MON), obj(TUE), ev(ONE_AFTER, "bob", "retract", id="P1")],
                 {"decisions.P1.status": "accepted", "decisions.P1.closed_at": ONE_AFTER},
                 LATER, id="retract-after-close-accepted-at-that-instant"),
    pytest.param([lc(MON), obj(TUE), obj(TUE, by="dave"),
                  ev("2026-03-05T09:00:00Z", "bob", "retract", id="P1")],
                 {"decisions.P1.status": "contested"}, LATER,
                 id="one-of-two-retracted-still-contested"),
    pytest.param([lc(MON), obj(TUE), obj(TUE, by="dave"),
                  ev("2026-03-05T09:00:00Z", "bob", "retract", id="P1"),
                  ev("2026-03-06T10:00:00Z", "dave", "retract", id="P1")],
                 {"decisions.P1.status": "accepted",
                  "decisions.P1.closed_at": "2026-03-06T10:00:00Z"}, LATER,
                 id="last-of-two-retracted-after-close"),
    pytest.param([lc(MON), obj(TUE), obj(TUE), ev(TUE, "bob", "retract", id="P1")],
                 {"decisions.P1.status": "accepted"}, LATER,
                 id="objecting-twice-is-one-objection"),
    pytest.param([lc(MON), obj(TUE), ev(TUE, "dave", "retract", id="P1")],
                 {"decisions.P1.status": "contested", "rejected": [2]}, LATER,
                 id="retract-by-non-objector-rejected"),
    pytest.param([lc(MON), obj(TUE), ev(TUE, "bob", "retract", id="P1"), obj(ONE_BEFORE)],
                 {"decisions.P1.status": "contested"}, LATER, id="object-again-after-retract"),
    pytest.param([lc(MON), ev(TUE, "carol", "withdraw", id="P1"), obj(TUE)],
                 {"decisions.P1.status": "withdrawn", "decisions.P1.closed_at": TUE,
                  "rejected": [2]}, LATER, id="objection-to-withdrawn-rejected"),
    pytest.param([lc(MON), lc(TUE)], {"decisions.P1.opened_at": MON, "rejected": [1]}, LATER,
                 id="id-reused-rejected"),
]


@pytest.mark.parametrize(("events", "expect", "as_of"), OBJECTION_CASES)
def test_objections_and_retractions(events: list[dict[str, Any]], expect: dict[str, Any],
                                    as_of: str) -> None:
    check(run(events, as_of=as_of), expect)


def test_objection_after_the_window_contests_a_proposal_still_waiting() -> None:
    """'contested from the moment an objection stands, inside the window or after it'."""
    people = {**LLMD, "dave": "contributor"}
    thu = "2026-03-05T09:00:00Z"
    events = [lc(MON, process="proposal"), obj(thu, by="dave"),
              ev(shift(thu, hours=1), "bob", "approve", id="P1")]
    state = run(events, people=people, policy="llm-d", as_of=LATER)
    assert state["decisions"]["P1"]["status"] == "contested"
    retract = ev(shift(thu, hours=2), "dave", "retract", id="P1")
    p1 = run([*events, retract], people=people, policy="llm-d", as_of=LATER)["decisions"]["P1"]
    assert (p1["status"], p1["closed_at"]) == ("accepted", shift(thu, hours=2))


# --- call-vote in each state ---------------------------------------------------------------------

CALL = "2026-03-05T12:00:00Z"


def cv(at: str = CALL, by: str = "alice", id: str = "P1", vote_id: str = "V1"
       ) -> dict[str, Any]:
    return ev(at, by, "call-vote", id=id, vote=vote_id)


CALL_VOTE_CASES = [
    pytest.param([lc(MON), cv(TUE)], {"rejected": [1], "decisions.P1.status": "open"},
                 id="open-not-contested"),
    pytest.param([lc(MON), obj(TUE), cv(TUE)],
                 {"rejected": [], "decisions.P1.vote": "V1", "decisions.P1.status": "contested",
                  "decisions.V1.process": "decision-vote", "decisions.V1.status": "open",
                  "decisions.V1.opened_at": TUE,
                  "decisions.V1.closes_at": "2026-03-10T09:00:00Z"},
                 id="contested-in-window"),
    pytest.param([lc(MON), obj(TUE), cv()],
                 {"rejected": [], "decisions.V1.closes_at": "2026-03-12T12:00:00Z"},
                 id="contested-after-window"),
    pytest.param([lc(MON), cv(CALL)], {"rejected": [1], "decisions.P1.status": "accepted"},
                 id="accepted"),
    pytest.param([lc(MON), obj(TUE), ev(TUE, "carol", "withdraw", id="P1"), cv()],
                 {"rejected": [3], "decisions.P1.status": "withdrawn"}, id="withdrawn"),
    pytest.param([lc(MON), obj(TUE), cv(TUE), cv(CALL, vote_id="V2")],
                 {"rejected": [3]}, id="already-called"),
    pytest.param([lc(MON), obj(TUE), cv(TUE), vote(TUE, "alice", "no"),
                  cv("2026-03-11T00:00:00Z", vote_id="V2")],
                 {"rejected": [4], "decisions.P1.status": "rejected"}, id="rejected-by-vote"),
    pytest.param([lc(MON), obj(TUE), cv(TUE, by="carol")], {"rejected": [2]},
                 id="by-contributor"),
    pytest.param([lc(MON), obj(TUE), cv(TUE, by="erin")], {"rejected": [2]},
                 id="by-emeritus"),
    pytest.param([lc(MON), obj(TUE), cv(TUE, vote_id="P1")], {"rejected": [2],
                                                               "decisions.P1.vote": None},
                 id="vote-id-already-used"),
    pytest.param([nominate(), cv(TUE, id="N1")], {"rejected": [1]}, id="on-a-nomination"),
    pytest.param([ev(MON, "carol", "rfc", id="R1", title="t"), cv(TUE, id="R1")],
                 {"rejected": [1]}, id="on-an-rfc"),
    pytest.param([cv(TUE, id="P9")], {"rejected": [0]}, id="unknown-id"),
    pytest.param([lc(MON, process="governance-change"), obj(TUE), cv(TUE)],
                 {"rejected": [], "decisions.V1.process": "governance-vote"},
                 id="governance-change-goes-to-governance-vote"),
    pytest.param([lc(MON), obj(TUE), cv(TUE), ev(TUE, "bob", "retract", id="P1")],
                 {"rejected": [3], "decisions.P1.status": "contested"},
                 id="retract-after-call-vote-the-vote-decides"),
]


@pytest.mark.parametrize(("events", "expect"), CALL_VOTE_CASES)
def test_call_vote_in_each_state(events: list[dict[str, Any]], expect: dict[str, Any]) -> None:
    check(run(events, as_of=shift(TUE, hours=1) if events[-1]["at"] == TUE else None), expect)


def test_call_vote_without_escalation_in_llm_d_is_rejected() -> None:
    state = run([lc(MON), obj(TUE, by="carol"), cv(TUE)], people=LLMD, policy="llm-d")
    assert rejected_events(state) == [2]
    assert state["decisions"]["P1"]["status"] == "contested"


# --- the decision follows the vote ---------------------------------------------------------------

V1_CLOSES = "2026-03-10T09:00:00Z"


@pytest.mark.parametrize(
    ("ballots", "v1", "p1", "yes", "no"),
    [
        pytest.param([("alice", "yes"), ("bob", "yes"), ("carl", "no")], "passed", "accepted",
                     2, 1, id="2-yes-1-no-passes"),
        pytest.param([("alice", "yes"), ("bob", "no")], "failed", "rejected", 1, 1,
                     id="exactly-half-of-cast-fails"),
        pytest.param([("alice", "yes"), ("bob", "abstain"), ("carl", "abstain")], "passed",
                     "accepted", 1, 0, id="abstentions-out-of-the-pool"),
        pytest.param([], "failed", "rejected", 0, 0, id="nobody-votes-fails"),
        pytest.param([("alice", "yes"), ("carol", "no"), ("dave", "no"), ("erin", "no")],
                     "passed", "accepted", 1, 0, id="advisory-ballots-do-not-count"),
        pytest.param([("alice", "no"), ("carol", "yes"), ("dave", "yes")], "failed",
                     "rejected", 0, 1, id="advisory-yes-cannot-carry-it"),
        pytest.param([("alice", "no"), ("alice", "yes")], "passed", "accepted", 1, 0,
                     id="re-vote-replaces"),
    ],
)
def test_decision_vote_settles_the_decision(ballots: list[tuple[str, str]], v1: str, p1: str,
                                            yes: int, no: int) -> None:
    state = run(called(ballots), as_of=LATER)
    d = state["decisions"]
    assert (d["V1"]["status"], d["P1"]["status"]) == (v1, p1)
    assert (d["V1"]["tally"]["yes"], d["V1"]["tally"]["no"]) == (yes, no)
    assert d["V1"]["closed_at"] == d["P1"]["closed_at"] == V1_CLOSES
    assert d["V1"]["tally"]["eligible"] == 5
    advisory = sum(1 for who, _ in ballots if who in ("carol", "dave", "erin"))
    assert sum(d["V1"]["tally"]["advisory"].values()) == advisory


@pytest.mark.parametrize(
    ("at", "counted"),
    [pytest.param(shift(V1_CLOSES, seconds=-1), True, id="one-second-before-close"),
     pytest.param(V1_CLOSES, False, id="exactly-at-close"),
     pytest.param(shift(V1_CLOSES, days=1), False, id="a-day-after")],
)
def test_ballot_at_or_after_closes_at_is_rejected(at: str, counted: bool) -> None:
    state = run([*called([("alice", "no")]), vote(at, "alice", "yes")], as_of=LATER)
    assert (rejected_events(state) == []) == counted
    assert state["decisions"]["V1"]["status"] == ("passed" if counted else "failed")


# --- governance vote: super-majority and quorum --------------------------------------------------

@pytest.mark.parametrize(
    ("people", "ballots", "quorum_met", "status"),
    [
        pytest.param(None, ["yes"] * 3, True, "passed", id="5-eligible-3-ballots-quorum-exact"),
        pytest.param(None, ["yes"] * 2, False, "failed", id="5-eligible-2-ballots-no-quorum"),
        pytest.param(None, ["yes", "yes", "abstain"], True, "passed",
                     id="abstain-counts-toward-quorum-not-pool"),
        pytest.param(None, ["yes", "yes", "no"], True, "passed", id="two-thirds"),
        pytest.param(None, ["yes", "yes", "yes", "no", "no"], True, "passed",
                     id="exactly-60-percent-passes"),
        pytest.param(None, ["yes", "yes", "no", "no", "abstain"], True, "failed",
                     id="50-percent-fails"),
        pytest.param(None, ["abstain"] * 3, True, "failed", id="all-abstain-empty-pool"),
        pytest.param(SIX, ["yes"] * 3, False, "failed", id="6-eligible-3-ballots-short"),
        pytest.param(SIX, ["yes", "yes", "yes", "abstain"], True, "passed",
                     id="6-eligible-4-ballots-quorum"),
        pytest.param(SIX, ["yes", "yes", "no", "no", "yes", "no"], True, "failed",
                     id="6-eligible-3-of-6-is-50-percent"),
    ],
)
def test_governance_vote(people: dict[str, str] | None, ballots: list[str], quorum_met: bool,
                         status: str) -> None:
    voters = ["alice", "bob", "carl", "dana", "erik", "frank"]
    state = run(called(list(zip(voters, ballots, strict=False)), process="governance-change"),
                people=people, as_of=LATER)
    v1 = state["decisions"]["V1"]
    assert (v1["tally"]["quorum_met"], v1["status"]) == (quorum_met, status)
    assert state["decisions"]["P1"]["status"] == ("accepted" if status == "passed"
                                                  else "rejected")


def test_advisory_ballots_do_not_make_a_quorum() -> None:
    state = run(called([("alice", "yes"), ("bob", "yes"), ("carol", "yes"), ("dave", "yes"),
                        ("erin", "yes")], process="governance-change"), as_of=LATER)
    tally = state["decisions"]["V1"]["tally"]
    assert (tally["quorum_met"], tally["advisory"]["yes"]) == (False, 3)
    assert state["decisions"]["V1"]["status"] == "failed"


# --- nominations ---------------------------------------------------------------------------------

N_CLOSES = "2026-03-09T09:00:00Z"  # MON + 7 calendar days


def nom(ballots: list[tuple[str, str]], *extra: dict[str, Any], role: str = "maintainer",
        person: str = "dave") -> list[dict[str, Any]]:
    return [nominate(person=person, role=role),
            *[vote(TUE, who, c, id="N1") for who, c in ballots], *extra]


NOMINATION_CASES = [
    pytest.param(nom([("alice", "yes"), ("bob", "yes"), ("carl", "yes")]),
                 {"decisions.N1.status": "passed", "decisions.N1.closes_at": N_CLOSES,
                  "decisions.N1.closed_at": N_CLOSES, "decisions.N1.tally.eligible": 5,
                  "people.dave.roles": ["contributor", "maintainer"],
                  "people.dave.status": "active"}, None, id="3-of-5-passes-role-added"),
    pytest.param(nom([("alice", "yes"), ("bob", "yes")]),
                 {"decisions.N1.status": "failed", "people.dave.roles": ["contributor"]}, None,
                 id="2-of-5-fails-silence-counts-against"),
    pytest.param(nom([("alice", "yes"), ("bob", "yes"), ("carl", "yes"), ("carl", "no")]),
                 {"decisions.N1.status": "failed", "decisions.N1.tally.yes": 2,
                  "decisions.N1.tally.no": 1}, None, id="re-vote-turns-yes-into-no"),
    pytest.param(nom([("alice", "yes"), ("bob", "yes"), ("carol", "yes"), ("erin", "yes")]),
                 {"decisions.N1.status": "failed", "decisions.N1.tally.advisory.yes": 2},
                 None, id="advisory-yes-from-contributor-and-emeritus"),
    pytest.param(nom([("alice", "yes"), ("bob", "yes"), ("carl", "yes")], role="triager"),
                 {"decisions.N1.status": "passed",
                  "people.dave.roles": ["contributor", "triager"]}, None, id="triager"),
    pytest.param(nom([("alice", "yes"), ("bob", "yes"), ("carl", "yes")], role="code-owner"),
                 {"people.dave.roles": ["contributor", "code-owner"]}, None, id="code-owner"),
    pytest.param(nom([("alice", "yes"), ("carl", "yes"), ("dana", "yes"), ("bob", "yes")],
                     role="code-owner", person="bob"),
                 {"decisions.N1.tally.eligible": 4, "decisions.N1.status": "passed",
                  "rejected": [4], "people.bob.roles": ["code-owner", "maintainer"]}, None,
                 id="maintainer-nominated-code-owner-is-not-on-roster-and-cannot-vote"),
    pytest.param(nom([("alice", "yes"), ("carl", "yes")], role="code-owner", person="bob"),
                 {"decisions.N1.tally.eligible": 4, "decisions.N1.status": "failed"}, None,
                 id="2-of-4-other-maintainers-is-not-more-than-half"),
    pytest.param(nom([("dave", "yes")]), {"rejected": [1], "decisions.N1.tally.ballots": 0},
                 TUE, id="nominee-ballot-rejected"),
    pytest.param(nom([("alice", "yes")]), {"rejected": [], "decisions.N1.tally.ballots": 1},
                 TUE, id="nominator-votes"),
    pytest.param([nominate(by="carol")], {"rejected": [0]}, None, id="contributor-nominates"),
    pytest.param([nominate(by="erin")], {"rejected": [0]}, None, id="emeritus-nominates"),
    pytest.param([nominate(role="emeritus")], {"rejected": [0]}, None, id="role-not-nominable"),
    pytest.param([nominate(role="contributor")], {"rejected": [0]}, None,
                 id="contributor-role-not-nominable"),
    pytest.param([nominate(person="bob")], {"rejected": [0]}, None, id="already-maintainer"),
    pytest.param([nominate(), nominate(id="N2", by="bob")], {"rejected": [1]}, None,
                 id="second-open-nomination-same-role"),
    pytest.param(nom([("alice", "yes")], vote(N_CLOSES, "bob", "yes", id="N1")),
                 {"rejected": [2], "decisions.N1.status": "failed"}, None,
                 id="ballot-at-closes-at-rejected"),
    pytest.param(nom([("alice", "yes"), ("bob", "yes")],
                     vote(shift(N_CLOSES, seconds=-1), "carl", "yes", id="N1")),
                 {"rejected": [], "decisions.N1.status": "passed"}, N_CLOSES,
                 id="ballot-one-second-before-close-counts"),
]


@pytest.mark.parametrize(("events", "expect", "as_of"), NOMINATION_CASES)
def test_nominations(events: list[dict[str, Any]], expect: dict[str, Any],
                     as_of: str | None) -> None:
    check(run(events, as_of=as_of or LATER), expect)


# --- frozen rosters ------------------------------------------------------------------------------

def test_roster_frozen_step_down_still_binding_reinstated_advisory() -> None:
    """'A vote's roster is frozen when it opens: the holders of the voting role at that instant'."""
    events = [ev(MON, "erin", "request-reinstatement", id="RI1"),
              nominate(at=TUE),
              ev(TUE, "bob", "step-down"),
              vote(WED, "bob", "yes", id="N1"),            # stepped down, still on the roster
              vote(WED, "erin", "yes", id="N1"),           # reinstated at WED, after it opened
              vote(WED, "alice", "yes", id="N1"),
              vote(WED, "carl", "yes", id="N1")]
    state = run(events, as_of=LATER)
    assert state["decisions"]["RI1"]["status"] == "accepted"
    assert state["people"]["erin"]["roles"] == ["maintainer"]
    assert state["people"]["bob"] == {**state["people"]["bob"], "roles": ["emeritus"],
                                      "status": "emeritus"}
    tally = state["decisions"]["N1"]["tally"]
    assert (tally["eligible"], tally["yes"], tally["advisory"]["yes"]) == (5, 3, 1)
    assert state["decisions"]["N1"]["status"] == "passed"


def test_a_vote_opened_after_step_down_excludes_the_emeritus() -> None:
    state = run([ev(MON, "bob", "step-down"), nominate(at=TUE),
                 vote(WED, "bob", "yes", id="N1")], as_of=LATER)
    tally = state["decisions"]["N1"]["tally"]
    assert (tally["eligible"], tally["yes"], tally["advisory"]["yes"]) == (4, 0, 1)


# --- decline -------------------------------------------------------------------------------------

PASSING = [("alice", "yes"), ("bob", "yes"), ("carl", "yes")]

DECLINE_CASES = [
    pytest.param(nom(PASSING, ev(WED, "dave", "decline", id="N1")),
                 {"decisions.N1.status": "declined", "decisions.N1.closed_at": WED,
                  "people.dave.roles": ["contributor"], "rejected": []},
                 id="while-open"),
    pytest.param(nom(PASSING, ev(shift(N_CLOSES, seconds=-1), "dave", "decline", id="N1")),
                 {"decisions.N1.status": "declined", "people.dave.roles": ["contributor"]},
                 id="one-second-before-close"),
    pytest.param(nom(PASSING, ev(N_CLOSES, "dave", "decline", id="N1")),
                 {"decisions.N1.status": "declined", "people.dave.roles": ["contributor"],
                  "decisions.N1.closed_at": N_CLOSES}, id="exactly-at-close-after-pass"),
    pytest.param(nom(PASSING, ev("2026-03-20T09:00:00Z", "dave", "decline", id="N1")),
                 {"decisions.N1.status": "declined", "people.dave.roles": ["contributor"],
                  "people.dave.status": "active"}, id="after-pass-role-taken-back"),
    pytest.param(nom([("alice", "no")], ev("2026-03-20T09:00:00Z", "dave", "decline", id="N1")),
                 {"decisions.N1.status": "failed", "rejected": [2]}, id="after-fail-rejected"),
    pytest.param(nom(PASSING, ev(WED, "alice", "decline", id="N1")),
                 {"decisions.N1.status": "passed", "rejected": [4]}, id="by-nominator-rejected"),
    pytest.param(nom(PASSING, ev(WED, "dave", "decline", id="N1"),
                     ev("2026-03-20T09:00:00Z", "dave", "decline", id="N1")),
                 {"rejected": [5]}, id="twice"),
    pytest.param(nom(PASSING, ev(WED, "alice", "withdraw", id="N1"),
                     ev("2026-03-20T09:00:00Z", "dave", "decline", id="N1")),
                 {"decisions.N1.status": "withdrawn", "rejected": [5]}, id="after-withdraw"),
    pytest.param([ev(MON, "alice", "propose-removal", id="RM1", person="bob"),
                  ev(TUE, "bob", "decline", id="RM1")], {"rejected": [1]},
                 id="a-removal-cannot-be-declined"),
    pytest.param(nom(PASSING, ev(WED, "dave", "decline", id="N1"),
                     vote(WED, "dana", "yes", id="N1")), {"rejected": [5]},
                 id="ballot-after-decline-rejected"),
]


@pytest.mark.parametrize(("events", "expect"), DECLINE_CASES)
def test_decline(events: list[dict[str, Any]], expect: dict[str, Any]) -> None:
    state = run(events, as_of=LATER)
    check(state, expect)
    n1 = state["decisions"].get("N1")
    if n1 is not None and n1["status"] == "declined":
        assert {"yes", "no", "abstain", "eligible", "quorum_met", "advisory"} <= set(n1["tally"])


# --- explanations --------------------------------------------------------------------------------

EXPLAINED = [vote(TUE, "alice", "no", id="N1", explanation="zeta: more reviews"),
             vote(TUE, "bob", "no", id="N1", explanation="Alpha: bob says so"),
             vote(TUE, "carl", "yes", id="N1", explanation="yes voters are not released"),
             vote(TUE, "dana", "no", id="N1"),
             vote(TUE, "carol", "no", id="N1", explanation="advisory voice")]


@pytest.mark.parametrize(
    ("request_at", "accepted"),
    [pytest.param(TUE, False, id="while-open"),
     pytest.param(shift(N_CLOSES, seconds=-1), False, id="one-second-before-close"),
     pytest.param(N_CLOSES, True, id="exactly-at-close"),
     pytest.param(LATER, True, id="long-after")],
)
def test_request_explanations_only_after_close(request_at: str, accepted: bool) -> None:
    events = [nominate(), *EXPLAINED, ev(request_at, "dave", "request-explanations", id="N1")]
    state = run(events, as_of=LATER)
    n1 = state["decisions"]["N1"]
    if not accepted:
        assert rejected_events(state) == [6] and "explanations" not in n1
        return
    assert rejected_events(state) == []
    assert n1["explanations"] == sorted(["zeta: more reviews", "Alpha: bob says so"])
    assert all(isinstance(text, str) for text in n1["explanations"])


@pytest.mark.parametrize(
    "extra",
    [pytest.param([ev(WED, "dave", "decline", id="N1")], id="after-decline-while-open"),
     pytest.param([ev(WED, "alice", "withdraw", id="N1")], id="after-withdraw")],
)
def test_explanations_after_other_closings(extra: list[dict[str, Any]]) -> None:
    events = [nominate(), *EXPLAINED, *extra,
              ev(shift(WED, hours=1), "dave", "request-explanations", id="N1")]
    state = run(events, as_of=shift(WED, hours=2))
    assert rejected_events(state) == []
    assert state["decisions"]["N1"]["explanations"] == ["Alpha: bob says so",
                                                        "zeta: more reviews"]


def test_explanations_by_someone_else_rejected() -> None:
    state = run([nominate(), *EXPLAINED, ev(LATER, "alice", "request-explanations", id="N1")])
    assert rejected_events(state) == [6]
    assert "explanations" not in state["decisions"]["N1"]


# --- secrecy -------------------------------------------------------------------------------------

def _where(value: Any, needle: str, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [hit for k, v in value.items()
                for hit in ([(*path, k)] if needle in str(k) else []) + _where(v, needle,
                                                                              (*path, k))]
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in _where(v, needle, (*path, i))]
    return [path] if isinstance(value, str) and re.search(rf"\b{needle}\b", value) else []


SECRET_EVENTS = [nominate(), vote(TUE, "alice", "yes", id="N1"),
                 vote(TUE, "bob", "no", id="N1", explanation="needs more reviews"),
                 vote(TUE, "carl", "abstain", id="N1"),
                 vote(WED, "bob", "yes", id="N1"),
                 vote(WED, "dana", "no", id="N1", explanation="too early"),
                 vote(WED, "carol", "yes", id="N1"),
                 vote(N_CLOSES, "erik", "no", id="N1"),
                 ev("2026-03-10T09:00:00Z", "dave", "request-explanations", id="N1")]


@pytest.mark.parametrize(
    ("as_of", "ballots"),
    [pytest.param(MON, 0, id="open-no-ballots"),
     pytest.param(TUE, 3, id="open-after-three"),
     pytest.param(shift(N_CLOSES, seconds=-1), 4, id="open-last-second"),
     pytest.param(N_CLOSES, None, id="closed"),
     pytest.param(LATER, None, id="closed-explanations-released")],
)
def test_secret_vote_never_ties_a_voter_to_a_choice(as_of: str, ballots: int | None) -> None:
    state = run(SECRET_EVENTS, as_of=as_of)
    n1 = state["decisions"]["N1"]
    if ballots is not None:
        assert n1["status"] == "open"
        assert n1["tally"] == {"ballots": ballots}
    else:
        assert n1["status"] == "failed"
        assert {"yes": 2, "no": 1, "abstain": 1, "eligible": 5}.items() <= n1["tally"].items()
    for voter in ("alice", "bob", "carl", "dana", "erik", "carol"):
        for path in _where(state, voter):
            assert path[0] == "people" or path[:3] == ("decisions", "N1", "roster"), \
                (voter, path, pick(state, ".".join(map(str, path))))


def test_secret_vote_text_and_explain_outputs_name_no_choice(tmp_path: Path) -> None:
    import yaml

    file = tmp_path / "secret.yaml"
    file.write_text(yaml.safe_dump({"policy": "llama-stack", "as_of": TUE,
                                    "people": {"alice": "maintainer", "bob": "maintainer",
                                               "carl": "maintainer", "dave": "contributor"},
                                    "events": SECRET_EVENTS[:4]}))
    for args in (["simulate", str(file)], ["explain", str(file), "N1"],
                 ["explain", str(file), "N1", "--json"]):
        out = _charter(*args)
        assert out.returncode == 0, out.stderr
        for voter in ("alice", "bob", "carl"):
            for line in out.stdout.splitlines():
                if voter in line:
                    assert not re.search(r"\b(yes|no|abstain)\b", line.replace(voter, "")), line


# --- step-down, reinstatement, removal -----------------------------------------------------------

RI_CLOSES = WED

MEMBERSHIP_CASES = [
    pytest.param([ev(MON, "bob", "step-down")],
                 {"people.bob.roles": ["emeritus"], "people.bob.status": "emeritus"}, MON,
                 id="step-down-at-once"),
    pytest.param([ev(MON, "carol", "step-down")],
                 {"rejected": [0], "people.carol.roles": ["contributor"]}, None,
                 id="step-down-by-contributor"),
    pytest.param([ev(MON, "erin", "step-down")], {"rejected": [0]}, None,
                 id="step-down-by-emeritus"),
    pytest.param([ev(MON, "bob", "step-down"), ev(TUE, "bob", "nominate", id="N1",
                                                   person="dave", role="triager")],
                 {"rejected": [1]}, None, id="emeritus-cannot-nominate"),
    pytest.param([ev(MON, "erin", "request-reinstatement", id="RI1")],
                 {"decisions.RI1.status": "open", "decisions.RI1.closes_at": RI_CLOSES,
                  "people.erin.roles": ["emeritus"]}, shift(WED, seconds=-1),
                 id="reinstatement-open-until-48-business-hours"),
    pytest.param([ev(MON, "erin", "request-reinstatement", id="RI1")],
                 {"decisions.RI1.status": "accepted", "people.erin.roles": ["maintainer"],
                  "people.erin.status": "active"}, WED, id="reinstated-at-closes-at"),
    pytest.param([ev(MON, "erin", "request-reinstatement", id="RI1"),
                  obj(TUE, by="carol", id="RI1"), obj(TUE, by="dave", id="RI1"),
                  obj(TUE, by="erin", id="RI1")],
                 {"decisions.RI1.status": "accepted", "rejected": [1, 2, 3],
                  "people.erin.roles": ["maintainer"]}, None,
                 id="non-maintainer-objections-do-not-count"),
    pytest.param([ev(MON, "bob", "step-down"), ev(MON, "erin", "request-reinstatement", id="RI1"),
                  obj(TUE, by="bob", id="RI1")],
                 {"decisions.RI1.status": "accepted", "rejected": [2]}, None,
                 id="emeritus-objection-does-not-count"),
    pytest.param([ev(MON, "erin", "request-reinstatement", id="RI1"),
                  obj(TUE, by="bob", id="RI1")],
                 {"decisions.RI1.status": "contested", "people.erin.roles": ["emeritus"]},
                 None, id="maintainer-objection-contests"),
    pytest.param([ev(MON, "erin", "request-reinstatement", id="RI1"),
                  obj(TUE, by="bob", id="RI1"), cv(TUE, id="RI1"),
                  *[vote(TUE, who, "yes") for who in ("alice", "carl", "dana")]],
                 {"decisions.RI1.status": "accepted", "people.erin.roles": ["maintainer"],
                  "decisions.RI1.closed_at": "2026-03-10T09:00:00Z"}, None,
                 id="contested-reinstatement-settled-by-vote"),
    pytest.param([ev(MON, "erin", "request-reinstatement", id="RI1"),
                  ev(TUE, "erin", "withdraw", id="RI1")],
                 {"decisions.RI1.status": "withdrawn", "people.erin.roles": ["emeritus"]},
                 None, id="reinstatement-withdrawn"),
    pytest.param([ev(MON, "carol", "request-reinstatement", id="RI1")], {"rejected": [0]},
                 None, id="reinstatement-by-contributor"),
    pytest.param([ev(MON, "alice", "request-reinstatement", id="RI1")], {"rejected": [0]},
                 None, id="reinstatement-by-maintainer"),
    pytest.param([ev(MON, "erin", "request-reinstatement", id="RI1"),
                  ev(MON, "erin", "request-reinstatement", id="RI2")], {"rejected": [1]},
                 None, id="second-reinstatement-request-while-open"),
]


@pytest.mark.parametrize(("events", "expect", "as_of"), MEMBERSHIP_CASES)
def test_membership(events: list[dict[str, Any]], expect: dict[str, Any],
                    as_of: str | None) -> None:
    check(run(events, as_of=as_of or LATER), expect)


def rm(person: str = "bob", by: str = "alice") -> dict[str, Any]:
    return ev(MON, by, "propose-removal", id="RM1", person=person)


REMOVAL_CASES = [
    pytest.param([rm(), *[vote(TUE, w, "yes", id="RM1") for w in ("alice", "carl", "dana")]],
                 None, {"decisions.RM1.status": "passed", "decisions.RM1.tally.eligible": 4,
                        "decisions.RM1.subject": "bob", "decisions.RM1.closed_at": N_CLOSES,
                        "people.bob.roles": [], "people.bob.status": "removed"},
                 id="3-of-4-others-removes"),
    pytest.param([rm(), *[vote(TUE, w, "yes", id="RM1") for w in ("alice", "carl")]], None,
                 {"decisions.RM1.status": "failed", "people.bob.roles": ["maintainer"],
                  "people.bob.status": "active"}, id="2-of-4-is-not-more-than-half"),
    pytest.param([rm(), vote(TUE, "bob", "no", id="RM1")], None,
                 {"rejected": [1]}, id="subject-ballot-rejected"),
    pytest.param([rm(), *[vote(TUE, w, "yes", id="RM1") for w in ("alice", "carl", "dana")]],
                 {**SIX, "bob": ["code-owner", "maintainer"]},
                 {"decisions.RM1.status": "passed", "decisions.RM1.tally.eligible": 5,
                  "people.bob.roles": ["code-owner"], "people.bob.status": "removed"},
                 id="3-of-5-others-not-enough-other-roles-kept"),
    pytest.param([rm(by="carol")], None, {"rejected": [0]}, id="by-contributor"),
    pytest.param([rm(person="alice")], None, {"rejected": [0]}, id="own-removal"),
    pytest.param([rm(person="erin")], None, {"rejected": [0]}, id="of-an-emeritus"),
    pytest.param([rm(), ev(TUE, "alice", "withdraw", id="RM1")], None,
                 {"decisions.RM1.status": "withdrawn", "people.bob.status": "active"},
                 id="withdrawn-by-proposer"),
    pytest.param([rm(), ev(TUE, "carl", "withdraw", id="RM1")], None,
                 {"decisions.RM1.status": "failed", "rejected": [1]}, id="withdraw-by-other"),
]


@pytest.mark.parametrize(("events", "people", "expect"), REMOVAL_CASES)
def test_removal(events: list[dict[str, Any]], people: dict[str, Any] | None,
                 expect: dict[str, Any]) -> None:
    check(run(events, people=people, as_of=LATER), expect)


# --- withdraw of each kind -----------------------------------------------------------------------

WITHDRAW_CASES = [
    pytest.param([lc(MON), ev(TUE, "carol", "withdraw", id="P1")],
                 {"decisions.P1.status": "withdrawn", "decisions.P1.closed_at": TUE},
                 id="open-lazy-decision"),
    pytest.param([lc(MON), obj(TUE), ev(TUE, "carol", "withdraw", id="P1")],
                 {"decisions.P1.status": "withdrawn"}, id="contested-lazy-decision"),
    pytest.param([lc(MON), obj(TUE), cv(TUE), ev(WED, "carol", "withdraw", id="P1")],
                 {"decisions.P1.status": "withdrawn", "decisions.V1.status": "withdrawn",
                  "decisions.V1.closed_at": WED}, id="contested-with-vote-takes-the-vote"),
    pytest.param([lc(MON), ev(TUE, "bob", "withdraw", id="P1")],
                 {"decisions.P1.status": "accepted", "rejected": [1]}, id="not-the-proposer"),
    pytest.param([lc(MON), ev(WED, "carol", "withdraw", id="P1")],
                 {"decisions.P1.status": "accepted", "rejected": [1]},
                 id="at-closes-at-already-accepted"),
    pytest.param([lc(MON), ev(ONE_BEFORE, "carol", "withdraw", id="P1")],
                 {"decisions.P1.status": "withdrawn"}, id="one-second-before-close"),
    pytest.param([nominate(), ev(TUE, "alice", "withdraw", id="N1")],
                 {"decisions.N1.status": "withdrawn", "decisions.N1.closed_at": TUE},
                 id="nomination-by-nominator"),
    pytest.param([nominate(), ev(TUE, "dave", "withdraw", id="N1")],
                 {"decisions.N1.status": "open", "rejected": [1]}, id="nomination-by-nominee"),
    pytest.param(nom(PASSING, ev(LATER, "alice", "withdraw", id="N1")),
                 {"decisions.N1.status": "passed", "rejected": [4],
                  "people.dave.roles": ["contributor", "maintainer"]},
                 id="passed-nomination-cannot-be-withdrawn"),
    pytest.param([nominate(), ev(TUE, "alice", "withdraw", id="N1"),
                  nominate(at=WED, id="N2")],
                 {"decisions.N2.status": "open", "rejected": []},
                 id="renominate-after-withdraw"),
    pytest.param([ev(MON, "carol", "rfc", id="R1", title="t"),
                  ev(TUE, "carol", "withdraw", id="R1")], {"decisions.R1.status": "draft"},
                 id="rfc-is-not-withdrawn"),
]


@pytest.mark.parametrize(("events", "expect"), WITHDRAW_CASES)
def test_withdraw(events: list[dict[str, Any]], expect: dict[str, Any]) -> None:
    check(run(events, as_of=LATER if events[-1]["at"] == LATER else shift(WED, hours=1)),
          expect)


@pytest.mark.parametrize(
    "events",
    [pytest.param([nominate(), vote(TUE, "alice", "yes", id="N1"),
                   ev(WED, "alice", "withdraw", id="N1")], id="secret-nomination"),
     pytest.param([rm(), vote(TUE, "alice", "yes", id="RM1"),
                   ev(WED, "alice", "withdraw", id="RM1")], id="public-removal"),
     pytest.param([*called([("alice", "yes")]), ev(WED, "carol", "withdraw", id="P1")],
                  id="called-decision-vote")],
)
def test_a_withdrawn_vote_is_closed_and_shows_its_tally(events: list[dict[str, Any]]) -> None:
    """'`tally` appears on every vote once it is closed.'"""
    state = run(events, as_of=LATER)
    vid = events[0]["id"] if events[0]["do"] != "propose" else "V1"
    v = state["decisions"][vid]
    assert (v["status"], v["closed_at"]) == ("withdrawn", WED)
    assert {"yes": 1, "no": 0, "abstain": 0}.items() <= v["tally"].items()
    assert {"eligible", "quorum_met", "advisory"} <= set(v["tally"])


# --- RFCs and the roadmap ------------------------------------------------------------------------

def rfc(id: str, by: str = "carol", at: str = MON) -> dict[str, Any]:
    return ev(at, by, "rfc", id=id, title=f"RFC {id}")


def approved(*ids: str, author: str = "carol") -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for rid in ids:
        out += [rfc(rid, by=author), ev(MON, author, "complete", id=rid),
                ev(MON, "alice", "approve", id=rid)]
    return out


def roadmap(*items: str, by: str = "alice", quarter: str = "2026Q2") -> dict[str, Any]:
    return ev(TUE, by, "select-roadmap", id=quarter, items=list(items))


FIVE_RFCS = approved("R1", "R2", "R3", "R4", "R5", "R6")

RFC_CASES = [
    pytest.param([rfc("R1")], {"decisions.R1.status": "draft", "decisions.R1.process": "rfc",
                               "decisions.R1.upvotes": 0, "decisions.R1.closes_at": None},
                 id="draft"),
    pytest.param([rfc("R1"), *[ev(TUE, w, "upvote", id="R1")
                               for w in ("carol", "dave", "erin", "alice")]],
                 {"decisions.R1.upvotes": 4, "rejected": []},
                 id="anyone-upvotes-author-emeritus-maintainer"),
    pytest.param([rfc("R1"), ev(TUE, "dave", "upvote", id="R1"),
                  ev(WED, "dave", "upvote", id="R1"), ev(WED, "bob", "upvote", id="R1")],
                 {"decisions.R1.upvotes": 2, "rejected": [2]},
                 id="second-upvote-same-person-rejected"),
    pytest.param([rfc("R1"), ev(TUE, "dave", "complete", id="R1")],
                 {"decisions.R1.status": "draft", "rejected": [1]}, id="complete-by-non-author"),
    pytest.param([rfc("R1"), ev(TUE, "carol", "complete", id="R1")],
                 {"decisions.R1.status": "complete"}, id="complete-by-author"),
    pytest.param([rfc("R1"), ev(TUE, "alice", "approve", id="R1")],
                 {"decisions.R1.status": "draft", "rejected": [1]}, id="approve-draft"),
    pytest.param([rfc("R1"), ev(TUE, "carol", "complete", id="R1"),
                  ev(TUE, "carol", "approve", id="R1")],
                 {"decisions.R1.status": "complete", "rejected": [2]},
                 id="approve-by-contributor"),
    pytest.param([rfc("R1"), ev(TUE, "carol", "complete", id="R1"),
                  ev(TUE, "erin", "approve", id="R1")],
                 {"decisions.R1.status": "complete", "rejected": [2]}, id="approve-by-emeritus"),
    pytest.param([*approved("R1"), ev(TUE, "bob", "approve", id="R1")],
                 {"decisions.R1.status": "approved", "rejected": [3]}, id="approve-twice"),
    pytest.param([*approved("R1"), ev(TUE, "carol", "complete", id="R1")],
                 {"decisions.R1.status": "approved", "rejected": [3]},
                 id="complete-after-approval"),
    pytest.param([ev(MON, "dave", "upvote", id="R9")], {"rejected": [0]}, id="upvote-unknown"),
    pytest.param([lc(MON), ev(TUE, "dave", "upvote", id="P1")], {"rejected": [1]},
                 id="upvote-a-lazy-decision"),
    pytest.param([*FIVE_RFCS[:9], roadmap("R1", "R2", "R3")],
                 {"roadmap.2026Q2": ["R1", "R2", "R3"], "decisions.R1.status": "selected",
                  "decisions.R3.status": "selected", "rejected": []}, id="roadmap-of-3"),
    pytest.param([*FIVE_RFCS[:15], roadmap("R5", "R4", "R3", "R2", "R1")],
                 {"roadmap.2026Q2": ["R5", "R4", "R3", "R2", "R1"], "rejected": []},
                 id="roadmap-of-5-keeps-order"),
    pytest.param([*FIVE_RFCS[:12], roadmap("R1", "R2", "R3", "R4")],
                 {"roadmap.2026Q2": ["R1", "R2", "R3", "R4"]}, id="roadmap-of-4"),
    pytest.param([*FIVE_RFCS[:6], roadmap("R1", "R2")],
                 {"roadmap": {}, "decisions.R1.status": "approved", "rejected": [6]},
                 id="roadmap-of-2"),
    pytest.param([*FIVE_RFCS, roadmap("R1", "R2", "R3", "R4", "R5", "R6")],
                 {"roadmap": {}, "rejected": [18]}, id="roadmap-of-6"),
    pytest.param([*FIVE_RFCS[:6], rfc("R3"), ev(MON, "carol", "complete", id="R3"),
                  roadmap("R1", "R2", "R3")],
                 {"roadmap": {}, "decisions.R1.status": "approved", "rejected": [8]},
                 id="roadmap-with-a-complete-not-approved-rfc"),
    pytest.param([*FIVE_RFCS[:6], rfc("R3"), roadmap("R1", "R2", "R3")],
                 {"roadmap": {}, "rejected": [7]}, id="roadmap-with-a-draft"),
    pytest.param([*FIVE_RFCS[:6], lc(MON), roadmap("R1", "R2", "P1")],
                 {"roadmap": {}, "rejected": [7]}, id="roadmap-with-a-non-rfc"),
    pytest.param([*FIVE_RFCS[:6], roadmap("R1", "R2", "R9")],
                 {"roadmap": {}, "rejected": [6]}, id="roadmap-with-unknown-id"),
    pytest.param([*FIVE_RFCS[:9], roadmap("R1", "R2", "R2")],
                 {"roadmap": {}, "rejected": [9]}, id="roadmap-listing-one-rfc-twice"),
    pytest.param([*FIVE_RFCS[:9], roadmap("R1", "R2", "R3", by="carol")],
                 {"roadmap": {}, "rejected": [9]}, id="roadmap-by-contributor"),
    pytest.param([*FIVE_RFCS, roadmap("R1", "R2", "R3"),
                  roadmap("R1", "R4", "R5", quarter="2026Q3")],
                 {"roadmap": {"2026Q2": ["R1", "R2", "R3"]}, "rejected": [19]},
                 id="selected-rfc-not-selectable-again"),
    pytest.param([*FIVE_RFCS, roadmap("R1", "R2", "R3"),
                  roadmap("R4", "R5", "R6", quarter="2026Q3")],
                 {"roadmap.2026Q3": ["R4", "R5", "R6"], "rejected": []}, id="next-quarter"),
]


@pytest.mark.parametrize(("events", "expect"), RFC_CASES)
def test_rfcs_and_roadmap(events: list[dict[str, Any]], expect: dict[str, Any]) -> None:
    check(run(events, as_of=LATER), expect)


def test_rfc_upvotes_count_distinct_people_and_rank_the_roadmap() -> None:
    events = [*approved("R1", "R2", "R3"),
              *[ev(TUE, w, "upvote", id="R2") for w in ("carol", "dave", "erin")],
              ev(TUE, "dave", "upvote", id="R2"), ev(TUE, "dave", "upvote", id="R3")]
    state = run(events, as_of=LATER)
    assert [state["decisions"][r]["upvotes"] for r in ("R1", "R2", "R3")] == [0, 3, 1]
    assert state["rfc_ranking"] == ["R2", "R3", "R1"]


# --- components (llm-d) --------------------------------------------------------------------------

def incubate(at: str = MON, timeframe: str = "6 months", id: str = "kv",
             criteria: list[str] | None = None, by: str = "alice") -> dict[str, Any]:
    return ev(at, by, "incubate", id=id, goals="cache", timeframe=timeframe,
              criteria=criteria if criteria is not None else ["benchmarks", "docs", "users"])


def comp(at: str, verb: str, by: str = "alice", id: str = "kv", **fields: Any
         ) -> dict[str, Any]:
    return ev(at, by, verb, id=id, **fields)


ARCHIVED_JAN31 = "2026-01-31T12:00:00Z"

COMPONENT_CASES = [
    pytest.param([incubate()], {"components.kv": {
        **run([incubate()], people=LLMD, policy="llm-d")["components"]["kv"],
        "status": "incubating", "since": MON, "timeframe_ends": "2026-09-02T09:00:00Z",
        "criteria_met": 0, "criteria": 3}}, None, id="incubating-shape"),
    pytest.param([incubate("2026-08-31T09:00:00Z")],
                 {"components.kv.timeframe_ends": "2027-02-28T09:00:00Z"}, None,
                 id="timeframe-months-clamp-to-month-end"),
    pytest.param([incubate("2027-08-31T09:00:00Z")],
                 {"components.kv.timeframe_ends": "2028-02-29T09:00:00Z"}, None,
                 id="timeframe-leap-february"),
    pytest.param([incubate(timeframe="2 weeks")],
                 {"components.kv.timeframe_ends": "2026-03-16T09:00:00Z"}, None,
                 id="timeframe-weeks"),
    pytest.param([incubate(by="carol")], {"rejected": [0], "components": {}}, None,
                 id="incubate-by-contributor"),
    pytest.param([incubate(), incubate(at=TUE)], {"rejected": [1]}, None, id="incubate-twice"),
    pytest.param([incubate(criteria=[])], {"rejected": [0], "components": {}}, None,
                 id="incubate-without-criteria"),
    pytest.param([incubate(), comp(TUE, "meet", criterion="docs"),
                  comp(TUE, "meet", criterion=1)],
                 {"components.kv.criteria_met": 2, "rejected": []}, None,
                 id="meet-by-text-and-by-number"),
    pytest.param([incubate(), comp(TUE, "meet", criterion="docs"),
                  comp(TUE, "meet", criterion="docs")],
                 {"components.kv.criteria_met": 1, "rejected": [2]}, None, id="meet-twice"),
    pytest.param([incubate(), comp(TUE, "meet", criterion="speed")],
                 {"rejected": [1]}, None, id="meet-unknown-criterion"),
    pytest.param([incubate(), comp(TUE, "meet", criterion="docs"),
                  comp(TUE, "meet", criterion="users"), comp(WED, "graduate")],
                 {"components.kv.status": "incubating", "rejected": [3]}, None,
                 id="graduate-with-one-unmet-refused"),
    pytest.param([incubate(), *[comp(TUE, "meet", criterion=c)
                                for c in ("docs", "users", "benchmarks")],
                  comp(WED, "graduate")],
                 {"components.kv.status": "core", "components.kv.criteria_met": 3,
                  "rejected": []}, None, id="graduate-when-all-met"),
    pytest.param([incubate(), *[comp(TUE, "meet", criterion=c)
                                for c in ("docs", "users", "benchmarks")],
                  comp(WED, "graduate", by="carol")],
                 {"components.kv.status": "incubating", "rejected": [4]}, None,
                 id="graduate-by-contributor"),
    pytest.param([incubate(), *[comp(TUE, "meet", criterion=c)
                                for c in ("docs", "users", "benchmarks")],
                  comp(WED, "graduate"), comp(LATER, "archive")],
                 {"components.kv.status": "core", "rejected": [5]}, None,
                 id="core-cannot-be-archived"),
    pytest.param([incubate(), comp(TUE, "archive"), comp(WED, "graduate")],
                 {"components.kv.status": "archived", "rejected": [2]}, None,
                 id="archived-cannot-graduate"),
    pytest.param([incubate(), comp(TUE, "archive"), comp(WED, "meet", criterion="docs")],
                 {"rejected": [2]}, None, id="archived-cannot-meet"),
    pytest.param([incubate(), comp(TUE, "remove")],
                 {"components.kv.status": "incubating", "rejected": [1]}, None,
                 id="remove-incubating-refused"),
    pytest.param([incubate("2025-12-01T09:00:00Z"), comp(ARCHIVED_JAN31, "archive"),
                  comp("2026-04-30T11:59:59Z", "remove")],
                 {"components.kv.status": "archived", "rejected": [2]}, None,
                 id="remove-one-second-before-3-months-from-jan-31"),
    pytest.param([incubate("2025-12-01T09:00:00Z"), comp(ARCHIVED_JAN31, "archive"),
                  comp("2026-04-30T12:00:00Z", "remove")],
                 {"components.kv.status": "removed", "rejected": []}, None,
                 id="remove-exactly-3-months-after-jan-31-is-apr-30"),
    pytest.param([incubate("2026-10-01T09:00:00Z"), comp("2026-11-30T12:00:00Z", "archive"),
                  comp("2027-02-28T12:00:00Z", "remove")],
                 {"components.kv.status": "removed"}, None, id="nov-30-to-feb-28"),
    pytest.param([incubate("2027-10-01T09:00:00Z"), comp("2027-11-30T12:00:00Z", "archive"),
                  comp("2028-02-28T12:00:00Z", "remove")],
                 {"components.kv.status": "archived", "rejected": [2]}, None,
                 id="nov-30-to-feb-29-in-a-leap-year"),
    pytest.param([incubate("2026-10-01T09:00:00Z"), comp("2026-12-31T12:00:00Z", "archive"),
                  comp("2027-03-30T12:00:00Z", "remove"), comp("2027-03-31T12:00:00Z", "remove")],
                 {"components.kv.status": "removed", "rejected": [2]}, None,
                 id="dec-31-to-mar-31"),
    pytest.param([incubate("2026-02-01T09:00:00Z"), comp("2026-02-28T12:00:00Z", "archive"),
                  comp("2026-05-28T11:59:59Z", "remove"), comp("2026-05-28T12:00:00Z", "remove")],
                 {"components.kv.status": "removed", "rejected": [2]}, None,
                 id="feb-28-to-may-28-same-day-not-month-end"),
    pytest.param([incubate("2025-12-01T09:00:00Z"), comp(ARCHIVED_JAN31, "archive"),
                  comp("2026-05-01T12:00:00Z", "remove", by="carol")],
                 {"components.kv.status": "archived", "rejected": [2]}, None,
                 id="remove-by-contributor"),
    pytest.param([comp(MON, "archive", id="nope")], {"rejected": [0]}, None,
                 id="unknown-component"),
]


@pytest.mark.parametrize(("events", "expect", "as_of"), COMPONENT_CASES)
def test_component_lifecycle(events: list[dict[str, Any]], expect: dict[str, Any],
                             as_of: str | None) -> None:
    check(run(events, people=LLMD, policy="llm-d", as_of=as_of), expect)


def test_llama_stack_has_no_component_process() -> None:
    state = run([incubate()])
    assert rejected_events(state) == [0] and state["components"] == {}


# --- people and roles ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("given", "roles", "status"),
    [pytest.param(["maintainer", "contributor"], ["contributor", "maintainer"], "active",
                  id="policy-order-not-input-order"),
     pytest.param("emeritus", ["emeritus"], "emeritus", id="emeritus-status"),
     pytest.param(["code-owner", "triager"], ["triager", "code-owner"], "active",
                  id="triager-before-code-owner"),
     pytest.param([], [], "active", id="no-roles")],
)
def test_roles_listed_in_policy_order(given: Any, roles: list[str], status: str) -> None:
    state = run([], people={"alice": "maintainer", "zoe": given}, as_of=MON)
    assert (state["people"]["zoe"]["roles"], state["people"]["zoe"]["status"]) == (roles, status)


def test_step_down_keeps_other_roles_in_order() -> None:
    state = run([ev(MON, "zoe", "step-down")],
                people={"alice": "maintainer", "zoe": ["maintainer", "code-owner", "triager"]})
    assert state["people"]["zoe"]["roles"] == ["triager", "code-owner", "emeritus"]
    assert state["people"]["zoe"]["status"] == "emeritus"


# --- scenario files: YAML 1.1 booleans, time order, static errors (exit 2, file:line) ------------

HEAD = ("policy: llama-stack\n"
        "people: {alice: maintainer, bob: maintainer, carl: maintainer, dave: contributor}\n"
        "events:\n"
        "  - {at: 2026-03-02T09:00:00Z, by: alice, do: nominate, id: N1, person: dave, "
        "role: triager}\n")


def simulate(tmp_path: Path, body: str, head: str = HEAD) -> subprocess.CompletedProcess[str]:
    file = tmp_path / "scenario.yaml"
    file.write_text(head + body)
    return _charter("simulate", str(file), "--json")


@pytest.mark.parametrize(
    ("choice", "read_as"),
    [pytest.param("yes", "yes", id="yes"), pytest.param("no", "no", id="no"),
     pytest.param("Yes", "yes", id="Yes"), pytest.param("NO", "no", id="NO"),
     pytest.param("true", "yes", id="true"), pytest.param("False", "no", id="False"),
     pytest.param("on", "yes", id="on"), pytest.param("Off", "no", id="Off"),
     pytest.param("y", "yes", id="y"), pytest.param("N", "no", id="N"),
     pytest.param("'yes'", "yes", id="quoted-yes"), pytest.param("abstain", "abstain",
                                                                  id="abstain")],
)
def test_yaml_1_1_booleans_are_read_as_yes_and_no(tmp_path: Path, choice: str,
                                                  read_as: str) -> None:
    body = "".join(f"  - {{at: 2026-03-03T09:00:00Z, by: {who}, do: vote, id: N1, "
                   f"choice: {choice}}}\n" for who in ("alice", "bob", "carl"))
    result = simulate(tmp_path, body)
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    assert state["rejected"] == []
    n1 = state["decisions"]["N1"]
    assert n1["tally"] == {"ballots": 3}  # still open, secret
    file = tmp_path / "scenario.yaml"
    file.write_text(file.read_text().replace("policy: llama-stack\n",
                                             "policy: llama-stack\nas_of: 2026-04-01T00:00:00Z\n"))
    closed = json.loads(_charter("simulate", str(file), "--json").stdout)["decisions"]["N1"]
    assert closed["tally"][read_as] == 3


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: alice, do: vote, id: N1, choice: yes}\n"
                     "  - {at: 2026-03-03T08:59:59Z, by: bob, do: vote, id: N1, choice: no}\n"
                     "  - {at: 2026-03-01T00:00:00Z, by: carl, do: vote, id: N1, choice: no}\n",
                     6, "event 2", id="out-of-order-names-the-first-offender"),
        pytest.param("  - {at: 2026-03-02T10:00:00+02:00, by: alice, do: vote, id: N1, "
                     "choice: yes}\n", 5, "event 1", id="out-of-order-once-offset-applied"),
        pytest.param("  - {by: alice, do: vote, id: N1, choice: yes}\n", 5, "'at'",
                     id="missing-at"),
        pytest.param("  - {at: yesterday, by: alice, do: vote, id: N1, choice: yes}\n", 5,
                     "ISO 8601", id="time-not-iso"),
        pytest.param("  - {at: 2026-03-03, by: alice, do: vote, id: N1, choice: yes}\n", 5,
                     "is a date", id="date-without-time"),
        pytest.param("  - {at: 2026-03-03T09:00:00, by: alice, do: vote, id: N1, choice: yes}\n",
                     5, "no zone", id="time-without-zone"),
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: alice, do: vote, id: N1}\n", 5,
                     "'choice'", id="vote-without-choice"),
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: alice, do: vote, id: N1, "
                     "choice: maybe}\n", 5, "yes, no or abstain", id="choice-maybe"),
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: alice, do: vote, id: N1, "
                     "choice: yes, reason: x}\n", 5, "no field 'reason'", id="unknown-field"),
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: mallory, do: vote, id: N1, "
                     "choice: yes}\n", 5, "unknown person 'mallory'", id="unknown-voter"),
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: alice, do: propose-removal, id: X1, "
                     "person: zed}\n", 5, "unknown person 'zed'",
                     id="unknown-removal-subject"),
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: alice, do: nominate, id: N2, "
                     "person: dave, role: king}\n", 5, "unknown role 'king'",
                     id="unknown-role"),
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: alice, do: incubate, id: kv, "
                     "goals: g, timeframe: soon, criteria: [a]}\n", 5, "duration",
                     id="bad-duration"),
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: alice, do: tally, id: N1}\n", 5,
                     "unknown verb 'tally'", id="unknown-verb"),
        pytest.param("  - {at: 2026-03-03T09:00:00Z, by: alice, do: propose, id: P1, "
                     "process: lazy, title: t}\n", 5, "unknown process 'lazy'",
                     id="unknown-process"),
        pytest.param("  - just a string\n", 5, "event mapping", id="event-not-a-mapping"),
    ],
)
def test_bad_input_exits_2_naming_file_and_line(tmp_path: Path, body: str, line: int,
                                                words: str) -> None:
    result = simulate(tmp_path, body)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"scenario.yaml:{line}" in result.stderr and words in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("head", "line", "words"),
    [
        pytest.param("policy: llama-stack\npeople: {alice: king}\nevents: []\n", 2,
                     "unknown role 'king'", id="people-unknown-role"),
        pytest.param("policy: llama-stack\nas_of: soon\npeople: {alice: maintainer}\n"
                     "events: []\n", 2, "ISO 8601", id="bad-as-of"),
        pytest.param("policy: llama-stack\npeople: {alice: maintainer}\nevent: []\n", 3,
                     "unknown key 'event'", id="unknown-top-key"),
        pytest.param("policy: llama-stack\npeople: {alice: maintainer}\nevents: {a: 1}\n", 3,
                     "list of events", id="events-not-a-list"),
    ],
)
def test_bad_top_level_exits_2_naming_file_and_line(tmp_path: Path, head: str, line: int,
                                                    words: str) -> None:
    result = simulate(tmp_path, "", head=head)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"scenario.yaml:{line}" in result.stderr and words in result.stderr, result.stderr


def test_unknown_preset_exits_2(tmp_path: Path) -> None:
    result = simulate(tmp_path, "", head="policy: lama-stack\npeople: {}\nevents: []\n")
    assert result.returncode == 2 and "lama-stack" in result.stderr, result.stderr


def test_rejected_events_never_abort_and_exit_0(tmp_path: Path) -> None:
    body = ("  - {at: 2026-03-03T09:00:00Z, by: dave, do: vote, id: N1, choice: yes}\n"
            "  - {at: 2026-03-03T09:00:00Z, by: dave, do: nominate, id: N2, person: alice, "
            "role: triager}\n"
            "  - {at: 2026-03-03T09:00:00Z, by: alice, do: vote, id: N1, choice: yes}\n")
    result = simulate(tmp_path, body)
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    assert [r["event"] for r in state["rejected"]] == [1, 2]
    assert all(isinstance(r["reason"], str) and r["reason"] for r in state["rejected"])
    assert state["decisions"]["N1"]["tally"] == {"ballots": 1}
    assert "N2" not in state["decisions"]


# --- the JSON output -----------------------------------------------------------------------------

STATUSES = {"lazy": {"open", "contested", "accepted", "rejected", "withdrawn"},
            "vote": {"open", "passed", "failed", "declined", "withdrawn"},
            "rfc": {"draft", "complete", "approved", "selected"},
            "component": {"incubating", "core", "archived", "removed"},
            "person": {"active", "emeritus", "removed"}}
LAZY_PROCESSES = {"lazy-consensus", "governance-change", "reinstatement", "proposal"}
VOTE_PROCESSES = {"decision-vote", "governance-vote", "nomination", "removal"}
TALLY_KEYS = {"yes", "no", "abstain", "eligible", "quorum_met", "advisory"}

YEAR = [
    lc("2026-03-02T11:00:00+02:00"), lc(MON, id="P2"), obj(TUE, id="P2"),
    lc(MON, id="P3"), obj(TUE, id="P3"), cv(TUE, id="P3", vote_id="V3"),
    lc(MON, id="P4", process="governance-change"), obj(TUE, id="P4"),
    cv(TUE, id="P4", vote_id="V4"), *[vote(WED, w, "yes", id="V4") for w in ("alice", "bob")],
    lc(MON, id="P5"), ev(TUE, "carol", "withdraw", id="P5"),
    nominate(id="N1"), nominate(id="N2", person="carol", role="triager"),
    nominate(id="N3", person="erin", role="code-owner"),
    nominate(at=TUE, id="N4", person="dave", role="triager"),
    *[vote(WED, w, "yes", id=n) for w in ("alice", "bob", "carl") for n in ("N1", "N2")],
    vote(WED, "dana", "no", id="N1", explanation="not yet"),
    vote(WED, "alice", "yes", id="N4"), vote(WED, "carol", "yes", id="N1"),
    ev(WED, "carol", "decline", id="N2"), ev(WED, "alice", "withdraw", id="N3"),
    ev(MON, "dana", "propose-removal", id="RM1", person="erik"),
    ev(MON, "erin", "request-reinstatement", id="RI1"),
    ev(TUE, "bob", "step-down"),
    *approved("R1", "R2", "R3", "R4"), rfc("R5"), rfc("R6"),
    ev(TUE, "carol", "complete", id="R6"), ev(TUE, "dave", "upvote", id="R1"),
    roadmap("R1", "R2", "R3"),
    ev("2026-03-10T09:00:00Z", "dave", "request-explanations", id="N1"),
]


def _year_state(as_of: str) -> dict[str, Any]:
    events = sorted(YEAR, key=lambda e: datetime.fromisoformat(e["at"].replace("Z", "+00:00")))
    return run(events, as_of=as_of)


def _walk_strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in _walk_strings(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in _walk_strings(v, f"{path}.{i}")]
    return [(path, value)] if isinstance(value, str) else []


@pytest.mark.parametrize("as_of", [pytest.param(TUE, id="early"),
                                   pytest.param("2026-03-06T00:00:00Z", id="mid"),
                                   pytest.param(LATER, id="late")])
def test_json_shape(as_of: str) -> None:
    state = _year_state(as_of)
    assert {"as_of", "decisions", "people", "roadmap", "components", "rejected"} <= set(state)
    assert state["as_of"] == as_of
    for path, text in _walk_strings(state):
        if re.match(r"^\d{4}-\d\d-\d\d[T ]", text):
            assert Z.match(text), (path, text)
    for did, d in state["decisions"].items():
        assert {"process", "status", "opened_at", "closes_at", "closed_at"} <= set(d), did
        assert Z.match(d["opened_at"])
        assert (d["closed_at"] is None) == (d["status"] in {"open", "contested", "draft",
                                                            "complete"}) or d["process"] == "rfc"
        if d["process"] in LAZY_PROCESSES:
            assert d["status"] in STATUSES["lazy"], did
        elif d["process"] in VOTE_PROCESSES:
            assert d["status"] in STATUSES["vote"], did
            if d["status"] == "open":
                secret = d["process"] == "nomination"
                assert not secret or d["tally"] == {"ballots": d["tally"]["ballots"]}
            else:
                assert set(d["tally"]) >= TALLY_KEYS, did
                assert set(d["tally"]["advisory"]) == {"yes", "no", "abstain"}
                assert all(isinstance(d["tally"][k], int) for k in ("yes", "no", "abstain",
                                                                     "eligible"))
                assert isinstance(d["tally"]["quorum_met"], bool)
            if d["process"] in {"nomination", "removal"}:
                assert {"subject", "role"} <= set(d)
        else:
            assert d["process"] == "rfc" and d["status"] in STATUSES["rfc"], did
            assert isinstance(d["upvotes"], int)
    for login, p in state["people"].items():
        assert isinstance(p["roles"], list) and p["status"] in STATUSES["person"], login
    for quarter, items in state["roadmap"].items():
        assert isinstance(items, list) and all(isinstance(i, str) for i in items), quarter
    for r in state["rejected"]:
        assert isinstance(r["event"], int) and r["reason"]
    assert state["rejected"] == [], state["rejected"]


def test_json_values_late() -> None:
    state = _year_state(LATER)
    d = state["decisions"]
    assert d["P1"]["opened_at"] == MON and d["P1"]["status"] == "accepted"
    assert (d["P2"]["status"], d["P3"]["status"], d["P5"]["status"]) == \
        ("contested", "rejected", "withdrawn")
    assert (d["V4"]["status"], d["V4"]["tally"]["quorum_met"]) == ("failed", False)
    assert (d["N1"]["status"], d["N1"]["subject"], d["N1"]["role"]) == \
        ("passed", "dave", "maintainer")
    assert {k: d["N1"]["tally"][k] for k in ("yes", "no", "abstain", "eligible")} == \
        {"yes": 3, "no": 1, "abstain": 0, "eligible": 5}
    assert d["N1"]["tally"]["advisory"] == {"yes": 1, "no": 0, "abstain": 0}
    assert d["N1"]["explanations"] == ["not yet"]
    assert d["N2"]["status"] == "declined" and d["N3"]["status"] == "withdrawn"
    assert d["N4"]["status"] == "failed"
    assert d["RM1"]["status"] == "failed" and d["RI1"]["status"] == "accepted"
    assert [d[r]["status"] for r in ("R1", "R4", "R5", "R6")] == \
        ["selected", "approved", "draft", "complete"]
    assert d["R1"]["upvotes"] == 1
    assert state["roadmap"] == {"2026Q2": ["R1", "R2", "R3"]}
    people = state["people"]
    assert people["dave"] == {**people["dave"], "roles": ["contributor", "maintainer"],
                              "status": "active"}
    assert people["carol"]["roles"] == ["contributor"]
    assert people["bob"]["status"] == "emeritus" and people["erin"]["roles"] == ["maintainer"]


def test_as_of_defaults_to_the_last_event_in_utc() -> None:
    state = run([lc("2026-03-02T11:00:00+02:00"), obj("2026-03-03T10:30:00+01:00")])
    assert state["as_of"] == "2026-03-03T09:30:00Z"
    assert state["decisions"]["P1"]["objections"][0]["at"] == "2026-03-03T09:30:00Z"


def test_events_at_the_same_instant_are_in_order() -> None:
    state = run([lc(MON), obj(MON), ev(MON, "bob", "retract", id="P1")], as_of=WED)
    assert state["decisions"]["P1"]["status"] == "accepted"


# --- rejected events: wrong person, wrong state, too late ----------------------------------------

MISC_REJECTIONS = [
    pytest.param([rfc("R1"), ev(TUE, "dave", "upvote", id="R1"),
                  ev(WED, "dave", "upvote", id="R1")], 2, "already counted",
                 id="second-upvote-says-already-counted"),
    pytest.param([lc(MON), vote(TUE, "alice", "yes", id="P1")], 1, "P1",
                 id="vote-on-a-lazy-decision"),
    pytest.param([vote(TUE, "alice", "yes", id="V9")], 0, "V9", id="vote-on-unknown-id"),
    pytest.param([ev(MON, "alice", "propose", id="P1", process="nomination", title="t")], 0,
                 "nomination", id="propose-under-a-nomination-process"),
    pytest.param([ev(MON, "erin", "propose", id="P1", process="reinstatement", title="t")], 0,
                 "request-reinstatement", id="propose-a-reinstatement"),
    pytest.param([nominate(), ev(TUE, "dave", "request-explanations", id="N1")], 1, "open",
                 id="explanations-while-open-says-when"),
    pytest.param([nominate(), ev(TUE, "alice", "decline", id="N1")], 1, "dave",
                 id="decline-names-the-nominee"),
    pytest.param([lc(MON), ev(TUE, "bob", "withdraw", id="P1")], 1, "carol",
                 id="withdraw-names-the-proposer"),
]


@pytest.mark.parametrize(("events", "index", "words"), MISC_REJECTIONS)
def test_rejections_say_why(events: list[dict[str, Any]], index: int, words: str) -> None:
    state = run(events, as_of=LATER)
    assert rejected_events(state) == [index]
    assert words in state["rejected"][0]["reason"], state["rejected"][0]["reason"]


def test_a_rejected_event_changes_nothing() -> None:
    base = [nominate(), vote(TUE, "alice", "yes", id="N1")]
    noisy = [nominate(), ev(MON, "carol", "nominate", id="N2", person="dave", role="triager"),
             vote(TUE, "dave", "yes", id="N1"), vote(TUE, "alice", "yes", id="N1"),
             ev(TUE, "bob", "decline", id="N1"), ev(TUE, "carol", "withdraw", id="N1"),
             ev(TUE, "carol", "step-down")]
    a, b = run(base, as_of=LATER), run(noisy, as_of=LATER)
    assert rejected_events(b) == [1, 2, 4, 5, 6]
    assert a["decisions"]["N1"] == b["decisions"]["N1"]
    assert a["people"] == b["people"]
