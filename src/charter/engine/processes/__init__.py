"""One module per process; each registers the verbs it handles with the engine."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from charter.engine.processes import components, lazy, membership, rfcs, votes
from charter.engine.state import Decision, LazyDecision, VoteDecision

if TYPE_CHECKING:
    from charter.engine.machine import Engine

__all__ = ["components", "lazy", "membership", "on_deadline", "rfcs", "votes"]


def on_deadline(engine: Engine, decision: Decision, when: datetime) -> None:
    """A decision's `closes_at` has come: close the vote or try to accept the decision."""
    if isinstance(decision, VoteDecision):
        votes.close(engine, decision, when)
    elif isinstance(decision, LazyDecision):
        lazy.try_accept(engine, decision, when)
