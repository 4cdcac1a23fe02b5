"""Domain events: what one command (or one deadline) changed, as structured records.

A service keeps a `Watch` over an engine and, after each step, asks it what changed: decisions
opened, moved to another status, objected to, given ballots, closed with their tally; roles
granted or ended; components moved. Timers, notices and read models are derived from these,
never from the words of the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from charter.engine.calendar import iso
from charter.engine.machine import Engine
from charter.engine.state import Decision, LazyDecision, Rfc, VoteDecision


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """One change: KIND (`decision-opened`, `status-changed`, `objection`, `ballot-counted`,
    `vote-closed`, `deadline-moved`, `role-granted`, `role-ended`, `component-moved`)."""

    kind: str
    subject: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**self.data, "kind": self.kind, "subject": self.subject}


# (status, closes_at, objectors, ballots, upvotes)
_Facts = tuple[str, datetime | None, frozenset[str], int, int]


def _facts(decision: Decision) -> _Facts:
    objectors: frozenset[str] = frozenset()
    ballots = upvotes = 0
    if isinstance(decision, LazyDecision):
        objectors = frozenset(decision.objections)
    if isinstance(decision, VoteDecision):
        ballots = decision.box.ballots + len(decision.box.advisory)
    if isinstance(decision, Rfc):
        upvotes = len(decision.upvoters)
    return decision.status, decision.closes_at, objectors, ballots, upvotes


class Watch:
    """Remembers what it last saw of an engine, to say what a step changed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._history = len(engine.history)
        self._roles = len(engine.roster.changes)
        self._scheduled = len(engine.scheduled)
        self._seen: dict[str, _Facts] = {d.id: _facts(d) for d in engine.decisions.values()}
        self._components = {c.id: c.status for c in engine.components.values()}

    def new_deadlines(self) -> list[tuple[datetime, str]]:
        """Deadlines scheduled since the last call: (instant, decision id)."""
        fresh = self.engine.scheduled[self._scheduled:]
        self._scheduled = len(self.engine.scheduled)
        return fresh

    def changes(self) -> list[DomainEvent]:
        """Everything that changed since the last call, in a stable order."""
        engine = self.engine
        touched = list(dict.fromkeys(h.decision for h in engine.history[self._history:]))
        self._history = len(engine.history)
        out: list[DomainEvent] = []
        for decision_id in touched:
            decision = engine.decisions.get(decision_id)
            if decision is None:
                continue
            out += self._decision(decision)
        for login, role, what, at, because in engine.roster.changes[self._roles:]:
            out.append(DomainEvent(f"role-{what}", login,
                                   {"role": role, "at": iso(at), "because": because}))
        self._roles = len(engine.roster.changes)
        for component in engine.components.values():
            before = self._components.get(component.id)
            if before != component.status:
                out.append(DomainEvent("component-moved", component.id,
                                       {"from": before, "to": component.status}))
                self._components[component.id] = component.status
        return out

    def _decision(self, decision: Decision) -> list[DomainEvent]:
        now = _facts(decision)
        before = self._seen.get(decision.id)
        self._seen[decision.id] = now
        status, closes_at, objectors, ballots, upvotes = now
        out: list[DomainEvent] = []
        if before is None:
            data: dict[str, Any] = {"process": decision.process, "status": status,
                                    "by": decision.by, "title": decision.title,
                                    "closes_at": iso(closes_at)}
            if isinstance(decision, VoteDecision):
                data["roster"] = list(decision.box.roster)
                data["person"] = decision.subject
                data["role"] = decision.role
                data["decides"] = decision.decides
            return [DomainEvent("decision-opened", decision.id, data)]
        old_status, old_closes, old_objectors, old_ballots, old_upvotes = before
        for login in sorted(objectors - old_objectors):
            out.append(DomainEvent("objection", decision.id, {"by": login}))
        if ballots != old_ballots:
            out.append(DomainEvent("ballot-counted", decision.id, {"ballots": ballots}))
        if upvotes != old_upvotes:
            out.append(DomainEvent("upvoted", decision.id, {"upvotes": upvotes}))
        if closes_at != old_closes:
            out.append(DomainEvent("deadline-moved", decision.id, {"closes_at": iso(closes_at)}))
        if status != old_status:
            out.append(status_event(decision, **{"from": old_status}))
        return out


def status_event(decision: Decision, **data: Any) -> DomainEvent:
    """DECISION's new status as a change: `vote-closed` with its tally, else `status-changed`."""
    data = {**data, "to": decision.status, "process": decision.process}
    if isinstance(decision, VoteDecision) and decision.result is not None:
        return DomainEvent("vote-closed", decision.id, {**data, "tally": decision.result.to_json()})
    return DomainEvent("status-changed", decision.id, data)
