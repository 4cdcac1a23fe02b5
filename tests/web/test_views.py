"""What pages take from the engine: the rule behind a deadline, pages of lists, tally bars."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from charter.engine.calendar import BusinessCalendar
from charter.engine.machine import Engine
from charter.engine.state import VoteDecision
from charter.policy.durations import parse_duration
from charter.policy.loader import load_policy
from charter.web import views


@pytest.mark.parametrize(("calendar", "duration", "expected"), [
    (BusinessCalendar(), "72 business hours",
     "72 business hours, weekends (Sat, Sun) skipped (UTC)"),
    (BusinessCalendar(zone="Europe/Paris", holidays=frozenset({date(2026, 12, 25)})),
     "2 business days", "2 business days, weekends (Sat, Sun) and public holidays skipped "
                        "(Europe/Paris)"),
    (BusinessCalendar(weekend=frozenset({4, 5})), "1 business hour",
     "1 business hour, weekends (Fri, Sat) skipped (UTC)"),
    (BusinessCalendar(), "7 days", "7 days, counted in calendar time"),
])
def test_the_rule_behind_a_deadline(calendar: BusinessCalendar, duration: str,
                                    expected: str) -> None:
    assert views.calendar_rule(calendar, parse_duration(duration)) == expected


@pytest.mark.parametrize(("count", "number", "expected"), [
    (0, 1, ([], 1, 1)), (2, 1, ([0, 1], 1, 1)), (3, 2, ([2], 2, 2)), (5, 2, ([2, 3], 2, 3)),
    (5, 3, ([4], 3, 3)), (5, 99, ([4], 3, 3)), (5, 0, ([0, 1], 1, 3)),
])
def test_paginate(count: int, number: int, expected: tuple[list[int], int, int]) -> None:
    assert views.paginate(list(range(count)), number, per_page=2) == expected


def _engine() -> Engine:
    policy = load_policy("llama-stack").policy
    return Engine(policy, {"a": ["maintainer"], "b": ["maintainer"], "c": ["maintainer"],
                           "d": ["maintainer"]})


@pytest.mark.parametrize(("tally", "labels", "first"), [
    ({"yes": 2, "no": 1, "abstain": 1, "eligible": 4}, ["Yes against the threshold"],
     "2 yes of 3; passes with more than 50% of votes cast"),
    ({"ballots": 2}, [], None),
])
def test_bars(tally: dict[str, int], labels: list[str], first: str | None) -> None:
    engine = _engine()
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    from charter.scenario import parse_command

    policy = load_policy("llama-stack")
    for i, body in enumerate([{"do": "propose", "id": "P", "process": "lazy-consensus",
                               "by": "a"},
                              {"do": "object", "id": "P", "by": "b", "reason": "no"},
                              {"do": "call-vote", "id": "P", "vote": "V", "by": "a"}]):
        assert engine.apply(parse_command({**body, "at": at}, policy, i)) is None
    vote = engine.decisions["V"]
    assert isinstance(vote, VoteDecision)
    found = views.bars(engine, vote, tally)
    assert [b["label"] for b in found] == labels
    if first is not None:
        assert found[0]["text"].startswith(first)
