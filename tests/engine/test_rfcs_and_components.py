"""RFCs, the quarterly roadmap, llm-d proposals and the component lifecycle."""

from __future__ import annotations

import pytest

from tests.engine.scenario_helpers import ev, rejected_events, run

T = "2026-03-02T09:00:00Z"


def rfcs(n: int) -> list[dict[str, str]]:
    out = []
    for i in range(1, n + 1):
        out += [ev(T, "carol", "rfc", id=f"R{i}", title=f"RFC {i}"),
                ev(T, "carol", "complete", id=f"R{i}"),
                ev(T, "alice", "approve", id=f"R{i}")]
    return out


def test_rfc_lifecycle_and_upvotes() -> None:
    state = run([
        ev(T, "carol", "rfc", id="R1", title="Streaming"),
        ev(T, "dave", "upvote", id="R1"),
        ev(T, "dave", "upvote", id="R1"),
        ev(T, "erin", "upvote", id="R1"),
        ev(T, "alice", "approve", id="R1"),
        ev(T, "dave", "complete", id="R1"),
        ev(T, "carol", "complete", id="R1"),
        ev(T, "dave", "approve", id="R1"),
        ev(T, "alice", "approve", id="R1"),
    ])
    r1 = state["decisions"]["R1"]
    assert (r1["process"], r1["status"], r1["upvotes"]) == ("rfc", "approved", 2)
    assert rejected_events(state) == [2, 4, 5, 7]
    assert "already counted" in state["rejected"][0]["reason"]


@pytest.mark.parametrize(
    ("items", "ok"),
    [(["R1", "R2"], False), (["R1", "R2", "R3"], True), (["R1", "R2", "R3", "R4", "R5"], True),
     (["R1", "R2", "R3", "R4", "R5", "R6"], False), (["R1", "R1", "R2"], False)],
    ids=["two-too-few", "three", "five", "six-too-many", "duplicate"],
)
def test_roadmap_takes_three_to_five_approved_rfcs(items: list[str], ok: bool) -> None:
    state = run([*rfcs(6), ev(T, "alice", "select-roadmap", id="2026Q2", items=items)])
    assert (state["roadmap"] == {"2026Q2": items}) is ok
    if ok:
        assert all(state["decisions"][i]["status"] == "selected" for i in items)


def test_roadmap_refuses_unapproved_and_non_maintainers_and_ranks_by_upvotes() -> None:
    state = run([
        *rfcs(3),
        ev(T, "carol", "rfc", id="R9", title="draft"),
        ev(T, "dave", "upvote", id="R3"),
        ev(T, "alice", "select-roadmap", id="2026Q2", items=["R1", "R2", "R9"]),
        ev(T, "carol", "select-roadmap", id="2026Q2", items=["R1", "R2", "R3"]),
    ])
    assert state["roadmap"] == {}
    assert state["rfc_ranking"] == ["R3", "R1", "R2"]
    assert len(state["rejected"]) == 2


LLMD = {"robert": "maintainer", "clay": "maintainer", "nili": "maintainer",
        "vita": "contributor", "tom": "contributor"}


def incubate(at: str = T, **extra: object) -> dict[str, object]:
    return ev(at, "clay", "incubate", id="kv", goals="routing", timeframe="6 months",
              criteria=["users", "tests"], maintainers=["clay", "nili"], **extra)


@pytest.mark.parametrize(
    ("events", "approved"),
    [
        ([ev("2026-03-02T10:00:00Z", "robert", "approve", id="P7")], False),
        ([ev("2026-03-02T10:00:00Z", "nili", "review", id="P7"),
          ev("2026-03-02T11:00:00Z", "robert", "approve", id="P7")], True),
        ([ev("2026-03-02T10:00:00Z", "nili", "approve", id="P7")], True),
        ([ev("2026-03-02T10:00:00Z", "vita", "approve", id="P7")], False),
    ],
    ids=["approval-without-component-review", "review-then-approval",
         "component-maintainer-approves", "author-cannot-approve"],
)
def test_proposal_needs_review_and_approval(events: list[dict[str, str]], approved: bool
                                            ) -> None:
    state = run([incubate(), ev(T, "vita", "propose", id="P7", process="proposal",
                                components=["kv"]), *events],
                people=LLMD, policy="llm-d", as_of="2026-03-10T00:00:00Z")
    p7 = state["decisions"]["P7"]
    assert p7["closes_at"] == "2026-03-04T09:00:00Z"
    assert p7["status"] == ("accepted" if approved else "open")
    if not approved:
        assert p7["missing"]


def test_proposal_approved_after_window_is_accepted_then() -> None:
    state = run([ev(T, "vita", "propose", id="P7", process="proposal"),
                 ev("2026-03-05T12:00:00Z", "robert", "approve", id="P7")],
                people=LLMD, policy="llm-d", as_of="2026-03-10T00:00:00Z")
    assert state["decisions"]["P7"]["closed_at"] == "2026-03-05T12:00:00Z"


def test_component_lifecycle() -> None:
    state = run([
        incubate(),
        ev("2026-03-03T09:00:00Z", "clay", "graduate", id="kv"),
        ev("2026-03-03T09:00:00Z", "clay", "meet", id="kv", criterion="users"),
        ev("2026-03-03T09:00:00Z", "clay", "meet", id="kv", criterion="Users"),
        ev("2026-03-03T09:00:00Z", "clay", "meet", id="kv", criterion="docs"),
        ev("2026-03-03T09:00:00Z", "vita", "meet", id="kv", criterion="tests"),
        ev("2026-03-04T09:00:00Z", "clay", "meet", id="kv", criterion="tests"),
        ev("2026-03-05T09:00:00Z", "clay", "graduate", id="kv"),
    ], people=LLMD, policy="llm-d")
    kv = state["components"]["kv"]
    assert kv["status"] == "core"
    assert kv["timeframe_ends"] == "2026-09-02T09:00:00Z"
    assert (kv["criteria_met"], kv["criteria"]) == (2, 2)
    assert rejected_events(state) == [1, 3, 4, 5]


@pytest.mark.parametrize(
    ("archived", "removed", "ok"),
    [
        ("2026-03-31T12:00:00Z", "2026-06-30T11:59:59Z", False),
        ("2026-03-31T12:00:00Z", "2026-06-30T12:00:00Z", True),
        ("2026-11-30T12:00:00Z", "2027-02-28T12:00:00Z", True),
        ("2026-11-30T12:00:00Z", "2027-02-28T11:59:59Z", False),
    ],
    ids=["month-end-one-second-before", "month-end-exactly", "into-february-exactly",
         "into-february-one-second-before"],
)
def test_removal_after_three_calendar_months_archived(archived: str, removed: str, ok: bool
                                                      ) -> None:
    state = run([incubate(), ev(archived, "clay", "archive", id="kv"),
                 ev(removed, "clay", "remove", id="kv")], people=LLMD, policy="llm-d")
    assert state["components"]["kv"]["status"] == ("removed" if ok else "archived")


def test_incubation_requires_criteria() -> None:
    state = run([ev(T, "clay", "incubate", id="kv", goals="g", timeframe="3 months",
                    criteria=[])], people=LLMD, policy="llm-d")
    assert "criteria" in state["rejected"][0]["reason"]
    assert state["components"] == {}
