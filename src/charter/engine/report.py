"""The state as JSON (the `simulate --json` contract) and each decision's reason in words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from charter.engine.calendar import iso
from charter.engine.machine import Engine
from charter.engine.processes.components import component_view
from charter.engine.processes.lazy import lazy_process, lazy_view, missing
from charter.engine.processes.rfcs import ranking, rfc_view
from charter.engine.processes.votes import vote_process, vote_view
from charter.engine.replay import collector_paused
from charter.engine.state import Decision, LazyDecision, Rfc, VoteDecision


def snapshot(engine: Engine, as_of: datetime | None) -> dict[str, Any]:
    """Everything the replay decided, as of AS_OF, in the documented JSON shape.

    AS_OF is None only for a history with no events, where nothing has happened yet.
    """
    with collector_paused():
        return _snapshot(engine, as_of)


def decision_view(engine: Engine, decision: Decision, as_of: datetime | None) -> dict[str, Any]:
    """One decision as `simulate --json` shows it under `decisions`."""
    entry: dict[str, Any] = {
        "process": decision.process,
        "status": decision.status,
        "opened_at": iso(decision.opened_at),
        "closes_at": iso(decision.closes_at),
        "closed_at": iso(decision.closed_at),
        "policy": engine.policies[decision.policy].id,
    }
    if isinstance(decision, LazyDecision):
        entry.update(lazy_view(engine, decision))
    elif isinstance(decision, VoteDecision):
        entry.update(vote_view(engine, decision))
    elif isinstance(decision, Rfc):
        entry.update(rfc_view(decision))
    entry["reason"] = reason(engine, decision, as_of or decision.opened_at)
    return entry


def _snapshot(engine: Engine, as_of: datetime | None) -> dict[str, Any]:
    decisions = {d.id: decision_view(engine, d, as_of) for d in engine.decisions.values()}
    return {
        "as_of": iso(as_of),
        "decisions": decisions,
        "people": {login: {"roles": engine.roster.roles(login),
                           "status": engine.roster.status(login),
                           "history": [{"role": span.role, "from": iso(span.start),
                                        "until": iso(span.end), "by": span.granted_by,
                                        "ended_by": span.ended_by}
                                       for span in engine.roster.person(login).history]}
                   for login in engine.roster.logins()},
        "roadmap": {quarter: list(items) for quarter, items in engine.roadmap.items()},
        "rfc_ranking": ranking(engine),
        "components": {cid: {**component_view(c), "policy": engine.policies[c.policy].id}
                       for cid, c in engine.components.items()},
        "rejected": [{"event": r.event, "reason": r.reason} for r in engine.rejected],
        "not_applied": not_applied(engine),
        "policies": [{"id": v.id, "hash": v.digest or None, "since": iso(v.since), "by": v.by}
                     for v in engine.policies],
    }


def not_applied(engine: Engine) -> dict[str, Any]:
    """The events after the instant reported, which the state does not include."""
    skipped = engine.not_applied
    return {"events": len(skipped), "first_event": skipped[0].index if skipped else None,
            "reason": not_applied_reason(engine)}


def not_applied_reason(engine: Engine) -> str | None:
    """'2 events after as_of (...) were not applied (events 12 to 13, ...)', or None."""
    skipped = engine.not_applied
    if not skipped:
        return None
    if len(skipped) == 1:
        return (f"1 event after as_of ({iso(engine.now)}) was not applied (event "
                f"{skipped[0].index}, at {iso(skipped[0].at)})")
    return (f"{len(skipped)} events after as_of ({iso(engine.now)}) were not applied (events "
            f"{skipped[0].index} to {skipped[-1].index}, from {iso(skipped[0].at)})")


def reason(engine: Engine, decision: Decision, now: datetime) -> str:
    """One or two sentences: which rule put DECISION where it is, with the numbers."""
    if isinstance(decision, LazyDecision):
        return _lazy_reason(engine, decision, now)
    if isinstance(decision, VoteDecision):
        return _vote_reason(engine, decision)
    if isinstance(decision, Rfc):
        return _rfc_reason(decision)
    return decision.status


def _lazy_reason(engine: Engine, decision: LazyDecision, now: datetime) -> str:
    proc = lazy_process(engine, decision)
    window = f"{proc.window} window"
    if decision.status == "withdrawn":
        return f"withdrawn by {decision.by} at {iso(decision.closed_at)}"
    if decision.vote is not None and decision.status in ("accepted", "rejected"):
        vote = engine.decisions[decision.vote]
        return f"{decision.status}: vote {vote.id} {vote.status} at {iso(vote.closed_at)}"
    if decision.status == "accepted":
        approved = f"; approved by {', '.join(decision.approvals)}" if decision.approvals else ""
        return (f"accepted at {iso(decision.closed_at)}: the {window} passed with no standing "
                f"objection{approved}")
    if decision.status == "contested":
        who = ", ".join(decision.objections)
        if decision.vote is not None:
            vote = engine.decisions[decision.vote]
            return f"contested ({who} object); vote {vote.id} decides, closing " \
                   f"{iso(vote.closes_at)}"
        call = ""
        if proc.on_objection is not None:
            need = "must" if proc.on_objection.required else "may"
            call = (f"; a {' or '.join(proc.on_objection.called_by)} {need} call a "
                    f"{proc.on_objection.vote}, or the objectors may retract")
        return f"contested: objection(s) standing from {who}{call}"
    needs = missing(engine, decision)
    if decision.closes_at is not None and now < decision.closes_at:
        tail = f"; also needs {', '.join(needs)}" if needs else ""
        return (f"open: the {window} ends {iso(decision.closes_at)}; accepted then if no "
                f"objection stands{tail}")
    return f"open: window passed; waiting for {', '.join(needs)}" if needs else "open"


def _vote_reason(engine: Engine, vote: VoteDecision) -> str:
    proc = vote_process(engine, vote)
    rule = proc.pass_.describe()
    if proc.quorum is not None:
        rule += f"; quorum {proc.quorum.describe()}"
    if vote.status == "withdrawn":
        return f"withdrawn by {vote.by} at {iso(vote.closed_at)}"
    if vote.status == "open":
        ballots = vote.box.ballots
        return (f"open until {iso(vote.closes_at)}: {ballots} of {len(vote.box.roster)} "
                f"eligible have voted; passes with {rule}")
    result = vote.result
    assert result is not None
    numbers = "; ".join(result.reasons)
    if vote.status == "declined":
        return f"declined by {vote.subject}; no role granted ({numbers})"
    return f"{vote.status}: {numbers}"


def _rfc_reason(rfc: Rfc) -> str:
    upvotes = f"{len(rfc.upvoters)} upvote(s)"
    if rfc.status == "draft":
        return f"draft by {rfc.by} ({upvotes}); its author completes it when ready"
    if rfc.status == "complete":
        return f"complete ({upvotes}); waiting for a maintainer's approval"
    if rfc.status == "approved":
        return f"approved by {rfc.approved_by} ({upvotes}); a candidate for the roadmap"
    return f"selected for {rfc.selected_in} ({upvotes})"

