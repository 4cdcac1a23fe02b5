"""Property tests for the engine: determinism, business time, tallies and secret ballots."""

from __future__ import annotations

import copy
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.engine.calendar import AOE, BusinessCalendar
from charter.engine.explain import explain
from charter.engine.machine import Engine
from charter.engine.replay import replay
from charter.engine.report import snapshot
from charter.engine.state import Command, Decision, LazyDecision, Rfc, VoteDecision
from charter.policy.loader import load_policy
from charter.policy.schema import Policy

POLICY: Policy = load_policy("llama-stack").policy
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
CHOICES = ("yes", "no", "abstain")
MAINTAINERS = [f"m{i}" for i in range(6)]
CONTRIBUTORS = [f"c{i}" for i in range(4)]
PEOPLE: dict[str, list[str]] = {
    **{m: ["maintainer"] for m in MAINTAINERS},
    **{c: ["contributor"] for c in CONTRIBUTORS},
    "e0": ["emeritus"],
}
LOGINS = list(PEOPLE)
ENGINE_SETTINGS = settings(max_examples=80, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])
CALENDAR_SETTINGS = settings(max_examples=150, deadline=None)


# --- 1. replay is a pure fold ------------------------------------------------------------

LAZY_IDS = ("P0", "P1", "P2", "E0")
VOTE_IDS = ("V0", "V1", "N0", "N1", "X0")
RFC_IDS = ("R0", "R1", "R2", "R3")
ALL_IDS = LAZY_IDS + VOTE_IDS + RFC_IDS
VERBS = ("propose", "object", "retract", "withdraw", "call-vote", "vote", "nominate",
         "decline", "request-explanations", "step-down", "request-reinstatement",
         "propose-removal", "rfc", "upvote", "complete", "approve", "select-roadmap")


def _args(verb: str, a: int, b: int, choice: str) -> dict[str, Any]:
    """Fields for VERB, drawn from small id pools so that commands refer to each other."""
    if verb == "propose":
        return {"id": LAZY_IDS[a % 3], "title": "t",
                "process": ("lazy-consensus", "governance-change")[b % 2]}
    if verb == "object":
        return {"id": LAZY_IDS[a % len(LAZY_IDS)], "reason": "no"}
    if verb in ("retract", "withdraw"):
        return {"id": ALL_IDS[a % len(ALL_IDS)]}
    if verb == "call-vote":
        return {"id": LAZY_IDS[a % len(LAZY_IDS)], "vote": VOTE_IDS[b % 2]}
    if verb == "vote":
        args: dict[str, Any] = {"id": VOTE_IDS[a % len(VOTE_IDS)], "choice": choice}
        if b % 3 == 0:
            args["explanation"] = f"reason {b}"
        return args
    if verb == "nominate":
        return {"id": ("N0", "N1")[a % 2], "person": LOGINS[b % len(LOGINS)],
                "role": ("maintainer", "triager", "code-owner")[a % 3]}
    if verb in ("decline", "request-explanations"):
        return {"id": ("N0", "N1")[a % 2]}
    if verb == "step-down":
        return {}
    if verb == "request-reinstatement":
        return {"id": "E0"}
    if verb == "propose-removal":
        return {"id": "X0", "person": LOGINS[b % len(LOGINS)]}
    if verb == "rfc":
        return {"id": RFC_IDS[a % len(RFC_IDS)], "title": "r"}
    if verb in ("upvote", "complete"):
        return {"id": RFC_IDS[a % len(RFC_IDS)]}
    if verb == "approve":
        return {"id": (RFC_IDS + LAZY_IDS)[a % 8]}
    assert verb == "select-roadmap"
    return {"id": f"2026Q{a % 4 + 1}", "items": list(RFC_IDS[: 3 + b % 2])}


@st.composite
def command_streams(draw: st.DrawFn) -> list[Command]:
    steps = draw(st.lists(st.tuples(st.integers(1, 4000), st.sampled_from(VERBS),
                                    st.integers(0, len(LOGINS) - 1), st.integers(0, 11),
                                    st.integers(0, 11), st.sampled_from(CHOICES)),
                          max_size=40))
    at, commands = T0, []
    for index, (gap, verb, who, a, b, choice) in enumerate(steps):
        at += timedelta(minutes=gap)
        commands.append(Command(index, at, LOGINS[who], verb, _args(verb, a, b, choice)))
    return commands


TARGETS: dict[str, type[Decision]] = {
    "object": LazyDecision, "retract": LazyDecision, "call-vote": LazyDecision,
    "vote": VoteDecision, "decline": VoteDecision, "request-explanations": VoteDecision,
    "upvote": Rfc, "complete": Rfc, "approve": Rfc,
}
OPENERS: dict[type[Decision], str] = {LazyDecision: "propose", VoteDecision: "nominate",
                                      Rfc: "rfc"}


@st.composite
def guided_streams(draw: st.DrawFn) -> list[Command]:
    """Commands chosen against a live engine, so that most of them are accepted."""
    engine = Engine(POLICY, {login: list(roles) for login, roles in PEOPLE.items()})
    at, commands = T0, []
    for index in range(draw(st.integers(0, 40))):
        at += timedelta(minutes=draw(st.integers(1, 4000)))
        engine.advance(at)
        maintainers = engine.roster.holders(("maintainer",)) or LOGINS
        verb = draw(st.sampled_from(VERBS))
        kind = TARGETS.get(verb, Decision)
        live = [d for d in engine.decisions.values() if isinstance(d, kind)
                and d.status in ("open", "contested", "draft", "complete", "passed")]
        approved = [d.id for d in engine.decisions.values() if d.status == "approved"]
        if (verb in TARGETS and not live) or (verb == "select-roadmap" and len(approved) < 3):
            verb = OPENERS.get(kind, "rfc")  # nothing to act on yet: open something instead
        target = draw(st.sampled_from(live)) if live else None
        by = draw(st.sampled_from(LOGINS))
        args = _args(verb, draw(st.integers(0, 11)), draw(st.integers(0, 11)),
                     draw(st.sampled_from(CHOICES)))
        if verb in ("propose", "rfc", "nominate", "propose-removal", "request-reinstatement"):
            args["id"] = f"{verb[:3]}{index}"
        elif target is not None and verb != "select-roadmap":
            args["id"] = target.id
            if verb in ("retract", "withdraw", "complete", "decline", "request-explanations"):
                objectors = list(getattr(target, "objections", {}))
                by = draw(st.sampled_from(objectors)) if verb == "retract" and objectors \
                    else getattr(target, "subject", None) or target.by
        if verb == "call-vote":
            args["vote"] = f"V{index}"
        if verb in ("call-vote", "nominate", "propose-removal", "step-down", "approve",
                    "select-roadmap"):
            by = draw(st.sampled_from(maintainers))
        if verb == "request-reinstatement":
            by = draw(st.sampled_from(engine.roster.holders(("emeritus",)) or LOGINS))
        if verb == "select-roadmap":
            args["items"] = approved[:5]
        if verb == "propose-removal":
            args["person"] = draw(st.sampled_from(maintainers))
        command = Command(index, at, by, verb, args)
        engine.apply(command)
        commands.append(command)
    return commands


def _recreated(commands: list[Command]) -> list[Command]:
    return [Command(c.index, c.at, c.by, c.verb, copy.deepcopy(c.args)) for c in commands]


@ENGINE_SETTINGS
@given(commands=st.one_of(command_streams(), guided_streams()), extra=st.integers(0, 30 * 24))
def test_replay_is_deterministic(commands: list[Command], extra: int) -> None:
    as_of = (commands[-1].at if commands else T0) + timedelta(hours=extra)
    first_engine, first_end = replay(POLICY, PEOPLE, commands, as_of)
    first = snapshot(first_engine, first_end)
    again_engine, again_end = replay(POLICY, PEOPLE, commands, as_of)
    assert snapshot(again_engine, again_end) == first

    fresh = Engine(POLICY, {login: list(roles) for login, roles in PEOPLE.items()})
    for command in _recreated(commands):
        fresh.apply(command)
    fresh.advance(as_of)
    assert snapshot(fresh, as_of) == first


# --- 2. business time --------------------------------------------------------------------

ZONES = ("UTC", "America/New_York", "Asia/Kolkata", AOE)
WEEKENDS: tuple[frozenset[int], ...] = (frozenset({5, 6}), frozenset(), frozenset({4, 5}),
                                         frozenset({6}))

calendars = st.builds(
    BusinessCalendar,
    weekend=st.sampled_from(WEEKENDS),
    zone=st.sampled_from(ZONES),
    holidays=st.one_of(st.just(frozenset[date]()),
                       st.frozensets(st.dates(date(2025, 12, 20), date(2027, 3, 1)),
                                     max_size=25)),
)
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31),
                        timezones=st.sampled_from([UTC, ZoneInfo("America/New_York")]))
business_seconds = st.integers(0, 40 * 86400)


def _local_date(cal: BusinessCalendar, instant: datetime) -> date:
    if cal.zone == AOE:
        return (instant.astimezone(UTC) - timedelta(hours=12)).date()
    return instant.astimezone(ZoneInfo(cal.zone)).date()


def _inside_exclusion(cal: BusinessCalendar, instant: datetime) -> bool:
    """True when excluded time lies on both sides of INSTANT (checked day by day)."""
    left = right = False
    middle = _local_date(cal, instant)
    for offset in range(-3, 4):
        day = middle + timedelta(days=offset)
        if not cal.is_excluded_day(day):
            continue
        start, end = cal.day_interval(day)
        left = left or start < instant <= end
        right = right or start <= instant < end
    return left and right


@CALENDAR_SETTINGS
@given(cal=calendars, start=instants, s1=business_seconds, s2=business_seconds)
def test_add_is_monotonic_in_seconds(cal: BusinessCalendar, start: datetime, s1: int,
                                     s2: int) -> None:
    s1, s2 = sorted((s1, s2))
    assert cal.add(start, s1) <= cal.add(start, s2)


@CALENDAR_SETTINGS
@given(cal=calendars, t1=instants, t2=instants, s=business_seconds)
def test_add_is_monotonic_in_start(cal: BusinessCalendar, t1: datetime, t2: datetime,
                                   s: int) -> None:
    t1, t2 = sorted((t1, t2))
    assert cal.add(t1, s) <= cal.add(t2, s)


@CALENDAR_SETTINGS
@given(cal=calendars, start=instants, s=st.integers(1, 40 * 86400))
def test_add_never_ends_inside_an_exclusion(cal: BusinessCalendar, start: datetime,
                                            s: int) -> None:
    end = cal.add(start, s)
    # Elapsed time, not wall-clock time: Python adds to an aware datetime on its local clock.
    assert end >= start.astimezone(UTC) + timedelta(seconds=s)
    assert not _inside_exclusion(cal, end), f"{end.isoformat()} is inside excluded time"
    for ex_start, ex_end in cal.excluded(start):
        if ex_start > end:
            break
        assert not ex_start < end < ex_end, (ex_start, ex_end)


@CALENDAR_SETTINGS
@given(cal=calendars, start=instants, s=business_seconds)
def test_business_seconds_inverts_add(cal: BusinessCalendar, start: datetime, s: int) -> None:
    assert cal.business_seconds(start, cal.add(start, s)) == s


# --- 3. each voter counts once -----------------------------------------------------------

KINDS = ("nomination", "removal", "decision-vote")
# A step: (minutes since the previous one, who, what); what is a choice, "step-down" or
# "decline" (the nominee declining).
steps = st.lists(st.tuples(st.integers(1, 1500), st.sampled_from(LOGINS),
                           st.sampled_from((*CHOICES, *CHOICES, "step-down", "decline"))),
                 max_size=40)


def _open(kind: str) -> tuple[list[Command], str, str | None]:
    """Commands opening a vote of KIND at T0: (commands, vote id, subject)."""
    if kind == "nomination":
        return [Command(0, T0, "m0", "nominate",
                        {"id": "N1", "person": "c0", "role": "maintainer"})], "N1", "c0"
    if kind == "removal":
        return [Command(0, T0, "m0", "propose-removal", {"id": "X1", "person": "m5"})], \
            "X1", "m5"
    return [Command(0, T0 - timedelta(hours=2), "c1", "propose",
                    {"id": "P1", "process": "lazy-consensus", "title": "t"}),
            Command(1, T0 - timedelta(hours=1), "c2", "object", {"id": "P1", "reason": "r"}),
            Command(2, T0, "m0", "call-vote", {"id": "P1", "vote": "V1"})], "V1", None


def _run_vote(kind: str, script: list[tuple[int, str, str]]) -> tuple[
        Engine, VoteDecision, dict[str, str], dict[str, str], str | None, datetime]:
    """Open a vote of KIND, play SCRIPT; return the last accepted choice of every voter."""
    opening, vote_id, subject = _open(kind)
    engine = Engine(POLICY, {login: list(roles) for login, roles in PEOPLE.items()})
    for command in opening:
        assert engine.apply(command) is None
    vote = engine.decisions[vote_id]
    assert isinstance(vote, VoteDecision)
    roster = [m for m in MAINTAINERS if m != subject]
    assert list(vote.box.roster) == roster
    binding: dict[str, str] = {}
    advisory: dict[str, str] = {}
    at = T0
    for index, (gap, who, what) in enumerate(script, start=len(opening)):
        at += timedelta(minutes=gap)
        if what == "step-down":
            engine.apply(Command(index, at, who, "step-down", {}))
            continue
        if what == "decline":
            engine.apply(Command(index, at, subject or who, "decline", {"id": vote_id}))
            continue
        args = {"id": vote_id, "choice": what, "explanation": "because"}
        rejected = engine.apply(Command(index, at, who, "vote", args))
        assert vote.closes_at is not None
        closed = at >= vote.closes_at or vote.closed_at is not None
        if who == subject or closed:
            assert rejected is not None, f"{who}'s ballot at {at} should be rejected"
        else:
            assert rejected is None, rejected.reason
        if rejected is None:
            (binding if who in roster else advisory)[who] = what
    end = at + timedelta(days=8)
    engine.advance(end)
    return engine, vote, binding, advisory, subject, end


@ENGINE_SETTINGS
@given(kind=st.sampled_from(KINDS), script=steps)
def test_no_voter_counted_twice(kind: str, script: list[tuple[int, str, str]]) -> None:
    engine, vote, binding, advisory, subject, end = _run_vote(kind, script)
    assert vote.status != "open" and vote.result is not None
    result = vote.result
    roster = [m for m in MAINTAINERS if m != subject]
    assert subject not in binding and subject not in advisory
    assert result.eligible == len(roster) == len(vote.box.roster)
    assert result.yes + result.no + result.abstain <= result.eligible
    assert result.yes + result.no + result.abstain == len(binding)
    counted = Counter(binding.values())
    assert (result.yes, result.no, result.abstain) == tuple(counted[c] for c in CHOICES)
    assert sum(result.advisory.values()) == len(advisory)
    assert result.advisory == {c: Counter(advisory.values())[c] for c in CHOICES}
    shown = snapshot(engine, end)["decisions"][vote.id]["tally"]
    assert (shown["yes"], shown["no"], shown["abstain"], shown["eligible"]) == \
        (result.yes, result.no, result.abstain, len(roster))
    assert shown["advisory"] == result.advisory


# --- 4. secret ballots stay secret -------------------------------------------------------

WORD = re.compile(r"\b(yes|no|abstain)\b")


def _leaks(node: Any, voters: set[str]) -> list[str]:
    """Places in NODE where a voter's login sits next to a choice."""
    found: list[str] = []

    def scalars(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for k, v in value.items() for s in (str(k), *scalars(v))]
        if isinstance(value, list | tuple):
            return [s for v in value for s in scalars(v)]
        return [str(value)]

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            atoms = {str(k) for k in value} | {v for v in value.values() if isinstance(v, str)}
            for key, item in value.items():
                if key in voters and set(scalars(item)) & set(CHOICES):
                    found.append(f"{path}.{key} maps a voter to a choice")
                walk(item, f"{path}.{key}")
        elif isinstance(value, list | tuple):
            atoms = {v for v in value if isinstance(v, str)}
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")
        else:
            if isinstance(value, str) and WORD.search(value) and any(
                    re.search(rf"\b{re.escape(v)}\b", value) for v in voters):
                found.append(f"{path} = {value!r}")
            return
        if atoms & voters and atoms & set(CHOICES):
            found.append(f"{path} holds both a voter and a choice")

    walk(node, "$")
    return found


@ENGINE_SETTINGS
@given(script=st.lists(st.tuples(st.integers(1, 900), st.sampled_from(LOGINS),
                                 st.sampled_from(CHOICES), st.booleans()),
                       min_size=1, max_size=30),
       peek=st.integers(0, 30), explanations=st.booleans())
def test_secret_vote_never_shows_who_chose_what(script: list[tuple[int, str, str, bool]],
                                                peek: int, explanations: bool) -> None:
    engine = Engine(POLICY, {login: list(roles) for login, roles in PEOPLE.items()})
    assert engine.apply(Command(0, T0, "m0", "nominate",
                                {"id": "N1", "person": "c0", "role": "maintainer"})) is None
    vote = engine.decisions["N1"]
    assert isinstance(vote, VoteDecision) and vote.closes_at is not None
    voters: set[str] = set()
    at = T0
    for i, (gap, who, choice, explain_it) in enumerate(script, start=1):
        at += timedelta(minutes=gap)
        args: dict[str, Any] = {"id": "N1", "choice": choice}
        if explain_it:
            args["explanation"] = f"not ready, point {i}"
        if engine.apply(Command(i, at, who, "vote", args)) is None:
            voters.add(who)
        if i == peek and at < vote.closes_at:
            assert vote.status == "open"
            entry = snapshot(engine, at)["decisions"]["N1"]
            assert entry["tally"] == {"ballots": len(voters & set(vote.box.roster))}
            assert not _leaks(entry, voters)
            assert not _leaks(explain(engine, "N1", at), voters)
    end = vote.closes_at + timedelta(hours=1)
    if explanations:
        engine.apply(Command(len(script) + 1, end, "c0", "request-explanations", {"id": "N1"}))
    engine.advance(end)
    entry = snapshot(engine, end)["decisions"]["N1"]
    assert vote.status in ("passed", "failed")
    assert set(entry["tally"]) <= {"yes", "no", "abstain", "eligible", "quorum_met",
                                   "advisory", "passed"}
    assert not _leaks(entry, voters), _leaks(entry, voters)
    assert not _leaks(explain(engine, "N1", end), voters)
