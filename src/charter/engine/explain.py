"""Why one decision is where it is: its rule, charter sentence, numbers and what would change it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from charter.engine.calendar import iso
from charter.engine.machine import Engine
from charter.engine.processes.lazy import lazy_process, missing
from charter.engine.processes.votes import vote_process
from charter.engine.report import not_applied, not_applied_reason, reason
from charter.engine.state import HistoryEntry, LazyDecision, Rejected, Rfc, VoteDecision
from charter.engine.tally import tally


def explain(engine: Engine, decision_id: str, now: datetime,
            history: Sequence[HistoryEntry] | None = None) -> dict[str, Any]:
    """A full account of DECISION_ID as of NOW; raises Rejected for an unknown id. HISTORY:
    the decision's entries when the caller keeps an index (else the whole log is scanned)."""
    decision = engine.decisions.get(decision_id)
    if decision is None and decision_id in engine.components:
        return {**_component(engine, decision_id), "not_applied": not_applied(engine)}
    if decision is None:
        raise Rejected(_unknown(engine, decision_id))
    proc = engine.policy_of(decision).processes[decision.process]
    rule: list[str] = []
    would_change: list[str] = []
    if isinstance(decision, LazyDecision):
        lazy = lazy_process(engine, decision)
        rule.append(f"{decision.process}: lazy consensus over {lazy.window}; objections count "
                    f"from {', '.join(lazy.objectors)}")
        if lazy.on_objection is not None:
            rule.append(f"on objection: a {', '.join(lazy.on_objection.called_by)} "
                        f"{'must' if lazy.on_objection.required else 'may'} call "
                        f"{lazy.on_objection.vote}")
        if decision.status == "open":
            would_change.append(f"an objection before {iso(decision.closes_at)} contests it")
            would_change.extend(f"still needs {need}" for need in missing(engine, decision))
            would_change.append(f"{decision.by} may withdraw it")
        elif decision.status == "contested" and decision.vote is None:
            would_change.append("every objector retracting re-opens it (accepted at once if "
                                "the window has passed)")
            if lazy.on_objection is not None:
                would_change.append(f"a {', '.join(lazy.on_objection.called_by)} may call "
                                    f"{lazy.on_objection.vote} with call-vote")
        elif decision.status == "contested" and decision.vote is not None:
            would_change.append(f"the result of vote {decision.vote} settles it")
    elif isinstance(decision, VoteDecision):
        vote = vote_process(engine, decision)
        rule.append(f"{decision.process}: passes with {vote.pass_.describe()}")
        rule.append(f"quorum: {vote.quorum.describe()}" if vote.quorum else "no quorum required")
        rule.append(f"open at least {vote.min_open}; roster frozen at opening "
                    f"({len(decision.box.roster)} eligible)")
        if vote.secret:
            rule.append("secret ballot: no output ties a choice to a voter")
        if vote.veto:
            rule.append("any binding no vetoes it")
        if decision.status == "open":
            now_tally = tally(decision.box, vote.pass_, vote.quorum, vote.veto)
            would_change.append(f"closes {iso(decision.closes_at)}; ballots after that are "
                                "rejected")
            if not vote.secret:
                would_change.append("if it closed now: " + "; ".join(now_tally.reasons))
                waiting = decision.box.waiting_on()
                if waiting:
                    would_change.append(f"not yet voted: {', '.join(waiting)}")
            else:
                would_change.append(f"{decision.box.ballots} of "
                                    f"{len(decision.box.roster)} eligible have voted")
    elif isinstance(decision, Rfc):
        rule.append("RFC: drafted, upvoted, completed by its author, approved by a maintainer, "
                    "selected for a quarter's roadmap")
        if decision.status == "draft":
            would_change.append(f"{decision.by} completes it")
        elif decision.status == "complete":
            would_change.append("a maintainer approves it")
        elif decision.status == "approved":
            would_change.append("maintainers select it for a quarter's roadmap")
    return {
        "id": decision.id,
        "process": decision.process,
        "policy": engine.policies[decision.policy].id,
        "status": decision.status,
        "reason": reason(engine, decision, now),
        "rule": rule,
        "source": getattr(proc, "source", None),
        "preset_choice": getattr(proc, "preset_choice", None),
        "opened_at": iso(decision.opened_at),
        "deadline": iso(decision.closes_at),
        "closed_at": iso(decision.closed_at),
        "would_change": would_change,
        "history": [{"at": iso(h.at), "what": h.what}
                    for h in (engine.history if history is None else history)
                    if h.decision == decision.id],
        "not_applied": not_applied(engine),
    }


def _unknown(engine: Engine, decision_id: str) -> str:
    """Why there is no DECISION_ID: never opened, or opened by an event after as_of."""
    known = ", ".join([*engine.decisions, *engine.components]) or "none"
    later = next((c for c in engine.not_applied
                  if decision_id in (c.get("id"), c.get("vote"))), None)
    if later is not None:
        return (f"there is no decision {decision_id} as of {iso(engine.now)}: event "
                f"{later.index} ({later.verb} at {iso(later.at)}) names it, but "
                f"{not_applied_reason(engine)}; set as_of later, or remove it, to include it")
    message = f"there is no decision {decision_id}; the decisions are {known}"
    skipped = not_applied_reason(engine)
    return f"{message}; note: {skipped}" if skipped else message


def _component(engine: Engine, component_id: str) -> dict[str, Any]:
    """A component's place in its lifecycle, and what would move it on."""
    from charter.policy.schema import ComponentProcess

    component = engine.components[component_id]
    lifecycle = next((p for _, p in engine.policy_of(component)
                      .processes_of(ComponentProcess)), None)
    unmet = [c for c in component.criteria if c not in component.met]
    would_change: list[str] = []
    if component.status == "incubating":
        would_change.append("graduates to core once every criterion is met: " +
                            ("all met" if not unmet else "unmet: " + "; ".join(unmet)))
        would_change.append("a maintainer may archive it if it is not graduating")
    elif component.status == "archived":
        would_change.append(f"can be removed from {iso(component.removable_at)}")
    reason = {"incubating": f"incubating since {iso(component.since)}; "
                            f"{len(component.met)} of {len(component.criteria)} criteria met",
              "core": "core" + (f" since {iso(component.graduated_at)}"
                                if component.graduated_at else ""),
              "archived": f"archived {iso(component.archived_at)}",
              "removed": f"removed {iso(component.removed_at)}"}.get(component.status,
                                                                     component.status)
    return {
        "id": component_id,
        "process": "component-lifecycle",
        "policy": engine.policies[component.policy].id,
        "status": component.status,
        "reason": reason,
        "rule": [f"incubating components need: {', '.join(lifecycle.requires)}; archived at "
                 f"least {lifecycle.archive_before_removal} before removal"] if lifecycle else [],
        "source": lifecycle.source if lifecycle else None,
        "preset_choice": lifecycle.preset_choice if lifecycle else None,
        "opened_at": iso(component.since),
        "deadline": iso(component.timeframe_ends),
        "closed_at": iso(component.removed_at),
        "would_change": would_change,
        "history": [{"at": iso(h.at), "what": h.what} for h in engine.history
                    if h.decision == component_id],
    }
