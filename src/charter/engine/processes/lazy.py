"""Lazy consensus (and proposals built on it): silence within the window means yes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from charter.engine.calendar import iso
from charter.engine.machine import Engine, handles, on_deadline, settles
from charter.engine.processes.votes import count, open_vote, withdraw_vote
from charter.engine.state import FORBIDDEN, Command, LazyDecision, Objection, Rejected, VoteDecision
from charter.policy.schema import (
    LAZY_TYPES,
    LazyConsensus,
    ProposalProcess,
    ReinstatementProcess,
    VoteProcess,
)

LazyProcess = LazyConsensus | ProposalProcess | ReinstatementProcess


def lazy_process(engine: Engine, decision: LazyDecision) -> LazyProcess:
    proc = engine.policy_of(decision).processes[decision.process]
    assert isinstance(proc, LAZY_TYPES)
    return proc


def open_decision(engine: Engine, cmd: Command, name: str, proc: LazyProcess,
                  subject: str | None = None) -> LazyDecision:
    """Open a lazy-consensus decision at the command's instant and schedule its deadline."""
    decision_id = engine.new_id(cmd.get("id"))
    decision = LazyDecision(decision_id, name, "open", cmd.by, cmd.at, title=cmd.get("title"),
                            closes_at=engine.calendar.after(cmd.at, proc.window),
                            subject=subject, components=tuple(cmd.get("components") or ()),
                            policy=engine.version)
    engine.decisions[decision_id] = decision
    if subject is not None:
        engine.about.setdefault(subject, []).append(decision)
    engine.schedule(decision)
    engine.log(cmd.at, decision_id, f"opened by {cmd.by} under {name} ({proc.window} window); "
                                    f"can be accepted from {iso(decision.closes_at)}")
    return decision


@handles("propose")
def propose(engine: Engine, cmd: Command) -> None:
    name = cmd.get("process")
    proc = engine.policy.processes.get(name)
    if isinstance(proc, VoteProcess):
        if proc.opened_by is None:
            raise Rejected(f"{name} is a vote; it opens only when a maintainer calls it on a "
                           "contested decision (call-vote)")
        engine.require(cmd.by, proc.opened_by, f"open a {name}")
        open_vote(engine, cmd, engine.new_id(cmd.get("id")), name, proc)
        return
    if isinstance(proc, ReinstatementProcess):
        raise Rejected(f"{name} is opened by the emeritus member with request-reinstatement")
    if not isinstance(proc, LazyConsensus | ProposalProcess):
        kind = getattr(proc, "type", "unknown")
        raise Rejected(f"{name} is a {kind} process; propose opens lazy-consensus decisions "
                       "and proposals")
    engine.require(cmd.by, proc.proposers, f"propose under {name}")
    if isinstance(proc, ProposalProcess):
        for component in cmd.get("components") or ():
            if component not in engine.components:
                raise Rejected(f"unknown component {component!r}; the components are "
                               f"{', '.join(engine.components) or 'none yet'}")
    open_decision(engine, cmd, name, proc)


@handles("object")
def object_(engine: Engine, cmd: Command) -> None:
    decision = engine.get(cmd.get("id"), LazyDecision, "object")
    proc = lazy_process(engine, decision)
    _still_open(decision, "object to")
    if decision.vote is not None:
        raise Rejected(f"{decision.id} went to vote {decision.vote}; vote there instead")
    if not engine.allowed(cmd.by, proc.objectors):
        roles = ", ".join(proc.objectors)
        raise Rejected(f"only active {roles}s' objections count in {decision.process}; "
                       f"{cmd.by} may comment, but the objection is not counted", FORBIDDEN)
    replaced = cmd.by in decision.objections
    decision.objections[cmd.by] = Objection(cmd.by, cmd.at, cmd.get("reason"))
    decision.status = "contested"
    engine.log(cmd.at, decision.id, f"{'objection updated' if replaced else 'objection'} by "
                                    f"{cmd.by}: {cmd.get('reason') or 'no reason given'}")


@handles("retract")
def retract(engine: Engine, cmd: Command) -> None:
    decision = engine.get(cmd.get("id"), LazyDecision, "retract")
    _still_open(decision, "retract an objection to")
    if cmd.by not in decision.objections:
        standing = ", ".join(decision.objections) or "nobody"
        raise Rejected(f"{cmd.by} has no standing objection to {decision.id} (objecting: "
                       f"{standing})")
    if decision.vote is not None:
        raise Rejected(f"{decision.id} went to vote {decision.vote}; the vote decides now")
    del decision.objections[cmd.by]
    engine.log(cmd.at, decision.id, f"{cmd.by} retracted their objection")
    if not decision.objections:
        decision.status = "open"
        try_accept(engine, decision, cmd.at)


@handles("withdraw")
def withdraw(engine: Engine, cmd: Command) -> None:
    decision = engine.decisions.get(str(cmd.get("id")))
    if isinstance(decision, VoteDecision) and decision.subject is not None:
        withdraw_vote(engine, decision, cmd)
        return
    decision = engine.get(cmd.get("id"), LazyDecision, "withdraw")
    if cmd.by != decision.by:
        raise Rejected(f"only the proposer ({decision.by}) may withdraw {decision.id}", FORBIDDEN)
    _still_open(decision, "withdraw")
    decision.status = "withdrawn"
    decision.closed_at = cmd.at
    engine.log(cmd.at, decision.id, f"withdrawn by {cmd.by}")
    if decision.vote is not None:
        vote = engine.decisions[decision.vote]
        if isinstance(vote, VoteDecision) and vote.status == "open":
            vote.status = "withdrawn"
            count(engine, vote, cmd.at)
            engine.log(cmd.at, vote.id, f"withdrawn with {decision.id}")


@handles("call-vote")
def call_vote(engine: Engine, cmd: Command) -> None:
    decision = engine.get(cmd.get("id"), LazyDecision, "call-vote")
    proc = lazy_process(engine, decision)
    if proc.on_objection is None:
        raise Rejected(f"{decision.process} has no vote to escalate to")
    engine.require(cmd.by, proc.on_objection.called_by, "call a vote")
    _still_open(decision, "call a vote on")
    if decision.vote is not None:
        raise Rejected(f"{decision.id} already went to vote {decision.vote}")
    if decision.status != "contested":
        raise Rejected(f"{decision.id} is not contested (no objection stands); a vote is called "
                       "only when there is active opposition")
    # The escalation is part of the decision's process: its vote runs under the same policy.
    vote_name = proc.on_objection.vote
    vote_proc = engine.policy_of(decision).processes[vote_name]
    assert isinstance(vote_proc, VoteProcess)
    vote_id = engine.new_id(cmd.get("vote"), "vote (the new vote's id)")
    vote = open_vote(engine, cmd, vote_id, vote_name, vote_proc, version=decision.policy)
    vote.decides = decision.id
    decision.vote = vote_id
    engine.log(cmd.at, decision.id, f"{cmd.by} called vote {vote_id} ({vote_name})")


@handles("review")
def review(engine: Engine, cmd: Command) -> None:
    decision = engine.get(cmd.get("id"), LazyDecision, "review")
    proc = lazy_process(engine, decision)
    if not isinstance(proc, ProposalProcess):
        raise Rejected(f"{decision.id} is a {decision.process}; only proposals are reviewed")
    _still_open(decision, "review")
    owned = [c for c in decision.components if cmd.by in _maintainers(engine, c)]
    if not owned:
        comps = ", ".join(decision.components) or "no component"
        raise Rejected(f"{decision.id} impacts {comps}; {cmd.by} maintains none of them", FORBIDDEN)
    if cmd.by not in decision.reviews:
        decision.reviews.append(cmd.by)
    engine.log(cmd.at, decision.id, f"reviewed by {cmd.by} for {', '.join(owned)}")
    try_accept(engine, decision, cmd.at)


def approve_proposal(engine: Engine, decision: LazyDecision, cmd: Command) -> None:
    proc = lazy_process(engine, decision)
    if not isinstance(proc, ProposalProcess):
        raise Rejected(f"{decision.id} is a {decision.process} decision; lazy consensus needs "
                       "no approval: it is accepted when its window ends with no objection")
    engine.require(cmd.by, proc.approvers, "approve a proposal")
    _still_open(decision, "approve")
    if cmd.by == decision.by:
        raise Rejected(f"{cmd.by} wrote {decision.id}; a proposal is approved by a maintainer "
                       "other than its author", FORBIDDEN)
    if cmd.by in decision.approvals:
        raise Rejected(f"{cmd.by} already approved {decision.id}")
    decision.approvals.append(cmd.by)
    if cmd.by not in decision.reviews and any(
            cmd.by in _maintainers(engine, c) for c in decision.components):
        decision.reviews.append(cmd.by)
    engine.log(cmd.at, decision.id, f"approved by {cmd.by}")
    try_accept(engine, decision, cmd.at)


def missing(engine: Engine, decision: LazyDecision) -> list[str]:
    """What a proposal still needs besides its window: approvals and component reviews."""
    proc = lazy_process(engine, decision)
    needs: list[str] = []
    if isinstance(proc, ProposalProcess):
        short = proc.approvals - len(decision.approvals)
        if short > 0:
            needs.append(f"{short} approval(s) from a {' or '.join(proc.approvers)} other than "
                         f"{decision.by}")
        if proc.reviewers == "component-maintainers":
            for component in decision.components:
                people = _maintainers(engine, component)
                if not set(people) & set(decision.reviews):
                    who = ", ".join(people) or "its maintainers"
                    needs.append(f"a review from a maintainer of {component} ({who})")
    return needs


@on_deadline(LazyDecision)
def try_accept(engine: Engine, decision: LazyDecision, now: datetime) -> None:
    """Accept DECISION at NOW if its window has passed, no objection stands and nothing is due."""
    if decision.status != "open" or decision.closes_at is None or now < decision.closes_at:
        return
    if decision.objections or missing(engine, decision):
        return
    decision.status = "accepted"
    decision.closed_at = now
    engine.log(now, decision.id, "accepted: the window passed with no standing objection")
    _effect(engine, decision, now)


@settles(LazyDecision)
def settle_by_vote(engine: Engine, decision: LazyDecision, passed: bool, now: datetime) -> None:
    if decision.status != "contested":
        return
    decision.status = "accepted" if passed else "rejected"
    decision.closed_at = now
    engine.log(now, decision.id, f"{decision.status}: vote {decision.vote} "
                                 f"{'passed' if passed else 'failed'}")
    if passed:
        _effect(engine, decision, now)


def _effect(engine: Engine, decision: LazyDecision, now: datetime) -> None:
    proc = lazy_process(engine, decision)
    subject = decision.subject
    # The requester may have been given the role another way meanwhile; then nothing to do.
    if isinstance(proc, ReinstatementProcess) and subject is not None and \
            engine.roster.holds(subject, proc.requested_by):
        engine.roster.revoke(subject, proc.requested_by, now, decision.id)
        engine.roster.grant(subject, proc.restores, now, decision.id)
        engine.log(now, decision.id, f"{subject} is {proc.restores} again")


def _maintainers(engine: Engine, component: str) -> tuple[str, ...]:
    state = engine.components.get(component)
    return state.maintainers if state else ()


def _still_open(decision: LazyDecision, doing: str) -> None:
    if decision.status in ("accepted", "rejected", "withdrawn"):
        when = f" at {iso(decision.closed_at)}" if decision.closed_at else ""
        raise Rejected(f"cannot {doing} {decision.id}: it was already {decision.status}{when}")


def lazy_view(engine: Engine, decision: LazyDecision) -> dict[str, Any]:
    """The JSON fields particular to lazy-consensus decisions."""
    out: dict[str, Any] = {
        "title": decision.title,
        "proposer": decision.by,
        "objections": [{"by": o.by, "reason": o.reason, "at": iso(o.at)}
                       for o in decision.objections.values()],
        "vote": decision.vote,
    }
    if decision.subject is not None:
        out["subject"] = decision.subject
    if isinstance(lazy_process(engine, decision), ProposalProcess):
        out["approvals"] = list(decision.approvals)
        out["reviews"] = list(decision.reviews)
        out["components"] = list(decision.components)
        out["missing"] = missing(engine, decision)
    return out
