"""Votes, nominations and removals: frozen rosters, secret ballots, declines, explanations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from charter.engine.calendar import iso
from charter.engine.machine import Engine, handles, on_deadline, settle
from charter.engine.state import FORBIDDEN, Command, LazyDecision, Rejected, VoteDecision
from charter.engine.tally import Ballot, BallotBox, Tally, decide, tally
from charter.policy.schema import NominationProcess, RemovalProcess, VoteProcess

AnyVote = VoteProcess | NominationProcess | RemovalProcess


def vote_process(engine: Engine, vote: VoteDecision) -> AnyVote:
    proc = engine.policy_of(vote).processes[vote.process]
    assert isinstance(proc, VoteProcess | NominationProcess | RemovalProcess)
    return proc


def open_vote(engine: Engine, cmd: Command, vote_id: str, name: str, proc: AnyVote,
              subject: str | None = None, version: int | None = None) -> VoteDecision:
    """Open a vote now under policy VERSION (default the newest); its roster is frozen from
    the voting roles' holders, minus the subject."""
    version = engine.version if version is None else version
    roster = tuple(v for v in engine.roster.holders(proc.voters) if v != subject)
    calendar = engine.policies[version].calendar
    vote = VoteDecision(vote_id, name, "open", cmd.by, cmd.at, title=cmd.get("title"),
                        closes_at=calendar.after(cmd.at, proc.min_open),
                        box=BallotBox(roster), subject=subject, policy=version)
    engine.decisions[vote_id] = vote
    if subject is not None:
        engine.about.setdefault(subject, []).append(vote)
    engine.schedule(vote)
    engine.log(cmd.at, vote_id, f"vote opened by {cmd.by}; roster frozen: {len(roster)} "
                                f"eligible ({', '.join(roster) or 'nobody'}); closes "
                                f"{iso(vote.closes_at)}")
    return vote


@handles("vote")
def cast(engine: Engine, cmd: Command) -> None:
    decision = engine.decisions.get(str(cmd.get("id")))
    if isinstance(decision, LazyDecision):
        hint = f"; vote on {decision.vote}" if decision.vote else \
            "; object to it, or wait for a maintainer to call a vote"
        raise Rejected(f"{decision.id} is a lazy-consensus decision, not a vote{hint}")
    vote = engine.get(cmd.get("id"), VoteDecision, "vote")
    if vote.status != "open":
        when = f" at {iso(vote.closed_at)}" if vote.closed_at else ""
        raise Rejected(f"{vote.id} is {vote.status}{when}; ballots are no longer accepted")
    if cmd.by == vote.subject:
        raise Rejected(f"{cmd.by} is the subject of {vote.id} and does not vote on it", FORBIDDEN)
    if vote.closes_at is not None and cmd.at >= vote.closes_at:
        raise Rejected(f"voting on {vote.id} closed at {iso(vote.closes_at)}; its sealed ballots "
                       "are being counted")
    proc = vote_process(engine, vote)
    if cmd.get("sealed"):
        _cast_sealed(engine, vote, proc, cmd)
        return
    if vote.box.sealed:
        raise Rejected(f"{vote.id}'s ballots are sealed in the ballot box; vote through the "
                       "service's ballot page or API")
    if cmd.get("choice") is None:
        raise Rejected("a ballot needs a choice: yes, no or abstain")
    explanation = cmd.get("explanation")
    binding = vote.box.cast(cmd.by, Ballot(cmd.get("choice"), cmd.at, explanation))
    what = "binding ballot" if binding else "advisory ballot (not on the frozen roster)"
    shown = "" if proc.secret else f": {cmd.get('choice')}"
    engine.log(cmd.at, vote.id, f"{what} from {cmd.by}{shown}")


def _cast_sealed(engine: Engine, vote: VoteDecision, proc: AnyVote, cmd: Command) -> None:
    """Record that CMD's author took part; the choice went to the ballot box, not the log."""
    if not proc.secret:
        raise Rejected(f"{vote.id} is a public vote; its ballots are not sealed")
    if vote.box.binding or vote.box.advisory:
        raise Rejected(f"{vote.id} already has ballots with their choices; it cannot take sealed "
                       "ones too")
    if cmd.by not in vote.box.roster:
        raise Rejected(f"{cmd.by} is not on {vote.id}'s frozen roster; secret ballots are cast "
                       "by the roster only", FORBIDDEN)
    again = cmd.by in vote.box.sealed
    vote.box.sealed.add(cmd.by)
    replaced = ' (replaces theirs)' if again else ''
    engine.log(cmd.at, vote.id, f"sealed ballot from {cmd.by}{replaced}")


@handles("count")
def count_sealed(engine: Engine, cmd: Command) -> None:
    """Close a sealed vote from its ballot box's totals, carried by the `count` event."""
    vote = engine.get(cmd.get("id"), VoteDecision, "count")
    if vote.counted:
        raise Rejected(f"{vote.id} was already counted")
    if not vote.box.sealed:
        raise Rejected(f"{vote.id} has no sealed ballots to count")
    if vote.status == "open" and (vote.closes_at is None or cmd.at < vote.closes_at):
        raise Rejected(f"{vote.id} is counted when voting closes ({iso(vote.closes_at)})")
    totals = cmd.get("tally")
    if not isinstance(totals, dict) or any(
            not isinstance(totals.get(k), int) or isinstance(totals.get(k), bool)
            or totals.get(k, -1) < 0 for k in ("yes", "no", "abstain")):
        raise Rejected("a count needs tally: {yes: N, no: N, abstain: N}")
    cast_total = totals["yes"] + totals["no"] + totals["abstain"]
    if cast_total != len(vote.box.sealed):
        raise Rejected(f"the count has {cast_total} ballots but {len(vote.box.sealed)} voters "
                       "took part")
    proc = vote_process(engine, vote)
    result = decide(totals["yes"], totals["no"], totals["abstain"], len(vote.box.roster), {},
                    proc.pass_, proc.quorum, proc.veto)
    vote.counted = True
    explanations = cmd.get("explanations") or ()
    vote.sealed_explanations = tuple(sorted((str(e) for e in explanations),
                                            key=lambda text: (text.casefold(), text)))
    engine.log(cmd.at, vote.id, f"counted: {cast_total} sealed ballot(s); receipts "
                                f"{cmd.get('receipts') or 'not given'}")
    if vote.status == "open":
        _carry_out(engine, vote, proc, result, cmd.at)
    else:
        vote.result = result  # declined or withdrawn: the tally is shown, nothing is decided


@handles("nominate")
def nominate(engine: Engine, cmd: Command) -> None:
    name, proc = engine.process(cmd.get("process"), NominationProcess, "nominate")
    engine.require(cmd.by, proc.nominators, "nominate")
    person, role = cmd.get("person"), cmd.get("role")
    if role not in proc.roles:
        raise Rejected(f"nominations are for {', '.join(proc.roles)}; not {role}")
    if engine.roster.holds(person, role):
        raise Rejected(f"{person} already is a {role}")
    for other in engine.about.get(person, ()):
        if isinstance(other, VoteDecision) and other.status == "open" and \
                other.process == name and other.subject == person and other.role == role:
            raise Rejected(f"{person} already has an open nomination for {role} ({other.id})")
    vote_id = engine.new_id(cmd.get("id"))
    vote = open_vote(engine, cmd, vote_id, name, proc, subject=person)
    vote.role, vote.scope = role, cmd.get("scope")
    engine.log(cmd.at, vote_id, f"{cmd.by} nominated {person} for {role}")


@handles("propose-removal")
def propose_removal(engine: Engine, cmd: Command) -> None:
    name, proc = engine.process(cmd.get("process"), RemovalProcess, "propose-removal")
    engine.require(cmd.by, proc.proposers, "propose a removal")
    person = cmd.get("person")
    if person == cmd.by:
        raise Rejected(f"{cmd.by} cannot propose their own removal; step down instead", FORBIDDEN)
    if not engine.roster.holds(person, proc.removes):
        raise Rejected(f"{person} is not a {proc.removes}; there is nothing to remove")
    for other in engine.about.get(person, ()):
        if isinstance(other, VoteDecision) and other.status == "open" and \
                other.process == name and other.subject == person:
            raise Rejected(f"a removal vote on {person} is already open ({other.id})")
    vote = open_vote(engine, cmd, engine.new_id(cmd.get("id")), name, proc, subject=person)
    vote.role = proc.removes
    engine.log(cmd.at, vote.id, f"{cmd.by} proposed removing {person} as {proc.removes}")


@handles("decline")
def decline(engine: Engine, cmd: Command) -> None:
    vote = _nomination(engine, cmd, "decline")
    proc = vote_process(engine, vote)
    assert isinstance(proc, NominationProcess)
    if not proc.declinable:
        raise Rejected(f"{vote.process} does not let the nominee decline")
    if vote.status not in ("open", "passed"):
        raise Rejected(f"{vote.id} is {vote.status}; only an open or passed nomination can be "
                       "declined")
    if vote.status == "open":
        count(engine, vote, cmd.at)
    elif vote.role is not None and vote.subject is not None:
        engine.roster.revoke(vote.subject, vote.role, cmd.at, vote.id)
    vote.status = "declined"
    engine.log(cmd.at, vote.id, f"{cmd.by} declined; no role is granted")


@handles("request-explanations")
def request_explanations(engine: Engine, cmd: Command) -> None:
    vote = _nomination(engine, cmd, "request-explanations")
    proc = vote_process(engine, vote)
    assert isinstance(proc, NominationProcess)
    if proc.explanations is None or proc.explanations.release == "never":
        raise Rejected(f"{vote.process} does not release explanations")
    if vote.closed_at is None:
        raise Rejected(f"{vote.id} is still open; explanations are released after it closes "
                       f"({iso(vote.closes_at)})")
    if vote.box.sealed and not vote.counted:
        raise Rejected(f"{vote.id}'s sealed ballots are not counted yet; ask again once they are")
    # Alphabetical as a person reads it (case-insensitive); ties by character code.
    vote.explanations = sorted(
        (b.explanation for b in vote.box.binding.values()
         if b.choice == "no" and b.explanation), key=lambda text: (text.casefold(), text))
    vote.explanations += vote.sealed_explanations
    engine.log(cmd.at, vote.id, f"explanations of 'no' ballots released to {cmd.by} "
                                f"({len(vote.explanations)}), without voters")


def withdraw_vote(engine: Engine, vote: VoteDecision, cmd: Command) -> None:
    if cmd.by != vote.by:
        raise Rejected(f"only {vote.by}, who opened {vote.id}, may withdraw it", FORBIDDEN)
    if vote.status != "open":
        raise Rejected(f"{vote.id} is {vote.status}; only an open vote can be withdrawn")
    vote.status = "withdrawn"
    count(engine, vote, cmd.at)
    engine.log(cmd.at, vote.id, f"withdrawn by {cmd.by}")


def count(engine: Engine, vote: VoteDecision, when: datetime) -> None:
    """Close VOTE early (declined, withdrawn): it is counted, since every closed vote shows its
    tally; its status says what was decided."""
    proc = vote_process(engine, vote)
    vote.result = tally(vote.box, proc.pass_, proc.quorum, proc.veto)
    vote.closed_at = when


@on_deadline(VoteDecision)
def close(engine: Engine, vote: VoteDecision, when: datetime) -> None:
    """The vote's time is up: count, decide, and carry out what it decided."""
    if vote.status != "open":
        return
    if vote.box.sealed and not vote.counted:
        engine.log(when, vote.id, f"voting closed; {len(vote.box.sealed)} sealed ballot(s) await "
                                  "their count from the ballot box")
        return
    proc = vote_process(engine, vote)
    _carry_out(engine, vote, proc, tally(vote.box, proc.pass_, proc.quorum, proc.veto), when)


def _carry_out(engine: Engine, vote: VoteDecision, proc: AnyVote, result: Tally,
               when: datetime) -> None:
    """Record VOTE's result and do what it decided: grant or end a role, settle a decision."""
    vote.result = result
    vote.closed_at = when
    vote.status = "passed" if result.passed else "failed"
    engine.log(when, vote.id, f"{vote.status}: " + "; ".join(result.reasons))
    if result.passed and vote.subject is not None and vote.role is not None:
        if isinstance(proc, NominationProcess):
            engine.roster.grant(vote.subject, vote.role, when, vote.id)
            engine.log(when, vote.id, f"{vote.subject} is now {vote.role}")
        elif isinstance(proc, RemovalProcess):
            engine.roster.revoke(vote.subject, vote.role, when, vote.id)
            engine.roster.mark_removed(vote.subject)
            engine.log(when, vote.id, f"{vote.subject} is no longer {vote.role}")
    if vote.decides is not None:
        settle(engine, engine.decisions[vote.decides], result.passed, when)


def _nomination(engine: Engine, cmd: Command, verb: str) -> VoteDecision:
    vote = engine.get(cmd.get("id"), VoteDecision, verb)
    if not isinstance(vote_process(engine, vote), NominationProcess):
        raise Rejected(f"{vote.id} is not a nomination")
    if cmd.by != vote.subject:
        raise Rejected(f"only the nominee ({vote.subject}) may {verb} on {vote.id}", FORBIDDEN)
    return vote


def vote_view(engine: Engine, vote: VoteDecision) -> dict[str, Any]:
    """The JSON fields particular to votes; a secret vote shows only its ballot count while open."""
    proc = vote_process(engine, vote)
    out: dict[str, Any] = {}
    if vote.title:
        out["title"] = vote.title
    if vote.subject is not None:
        out["subject"] = vote.subject
    if vote.role is not None:
        out["role"] = vote.role
    if vote.scope is not None:
        out["scope"] = vote.scope
    if vote.decides is not None:
        out["decides"] = vote.decides
    out["secret"] = proc.secret
    out["roster"] = list(vote.box.roster)
    if vote.result is not None:
        tally_json = vote.result.to_json()
        tally_json["passed"] = vote.status == "passed"
        out["tally"] = tally_json
    elif proc.secret:
        out["tally"] = {"ballots": vote.box.ballots}
    else:
        running = tally(vote.box, proc.pass_, proc.quorum, proc.veto).to_json()
        out["tally"] = running
        out["waiting_on"] = vote.box.waiting_on()
    if vote.explanations is not None:
        out["explanations"] = list(vote.explanations)
    return out
