"""Vote notices: when a vote opens, a mail to the policy's mailing list and a comment mentioning
every binding voter; one business day before it closes, a reminder to those who have not voted;
at close, the result. Each is an outbox row (so it is delivered once and its recipients and
delivery time stay on record) queued in the transaction of the step that caused it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from charter.engine.calendar import BusinessCalendar, iso
from charter.engine.changes import DomainEvent
from charter.engine.machine import Engine, calendar_for
from charter.engine.state import Decision, VoteDecision
from charter.policy.loader import LoadedPolicy
from charter.store import queue
from charter.store.tables import installations, outbox

#: The timer kind of a vote's reminder; its job's subject is `remind:<vote id>`.
REMIND = "remind"
#: How long before the close the reminder goes out, in the policy's business time.
REMIND_BEFORE = 24 * 3600
#: Outbox kinds that are notices (the ledger lists these).
MAIL = "mail"
COMMENT = "comment"
LABEL = "label"
_ISSUE = re.compile(r"(\d{1,12})(?:-.*)?")


class Project(Protocol):
    """What a notice needs of a project (store.projects.Project, which imports this module)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def policy(self) -> LoadedPolicy: ...


class Decisions(Protocol):
    def decision_at(self, conn: Connection, project_id: int, decision_id: str,
                    at: datetime) -> tuple[Project, Decision | None]: ...


@dataclass(frozen=True)
class Target:
    """Where a project's notices go: its GitHub repository (when installed), its list."""

    repository: str
    installation: int | None
    mailing_list: str | None


def issue_number(decision_id: str) -> int | None:
    """The issue a decision lives on: `42` and `42-vote` are issue 42; API ids have none."""
    match = _ISSUE.fullmatch(decision_id)
    return int(match[1]) if match else None


def message_id(dedupe: str) -> str:
    """A Message-ID derived from the effect's key: a mail sent twice is the same mail."""
    return f"<{hashlib.sha256(dedupe.encode()).hexdigest()[:40]}@charter.notices>"


def installation_of(conn: Connection, project_id: int) -> int | None:
    value = conn.execute(sa.select(installations.c.installation_id)
                         .where(installations.c.project_id == project_id,
                                installations.c.active.is_(True))).scalar()
    return int(value) if value is not None else None


def reminder_at(calendar: BusinessCalendar, opened: datetime, closes: datetime) -> datetime | None:
    """The instant one business day before CLOSES (None when the vote is not that long): the
    latest instant with a business day still to run, found by bisection, to the second."""
    if calendar.business_seconds(opened, closes) <= REMIND_BEFORE:
        return None
    low, high = opened, closes  # business_seconds(low, closes) > day >= (high, closes)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if calendar.business_seconds(middle, closes) > REMIND_BEFORE:
            low = middle
        else:
            high = middle
    return high


def mentions(logins: list[str] | tuple[str, ...]) -> str:
    return " ".join(f"@{login}" for login in logins)


def _title(decision: Decision) -> str:
    return f"{decision.title or decision.id} (`{decision.id}`)"


def _queue(conn: Connection, project: Project, target: Target, decision: Decision,
           notice: str, recipients: list[str], comment: str, subject: str, mail: str,
           at: datetime) -> None:
    """Queue NOTICE about DECISION as a comment on its issue and a mail to the list."""
    number = issue_number(decision.id)
    if number is not None and target.installation is not None:
        dedupe = f"notice:{notice}:comment:{decision.id}"
        queue.enqueue(conn, project.id, COMMENT, dedupe, f"issue:{target.repository}#{number}",
                      {"installation": target.installation, "repository": target.repository,
                       "number": number, "body": comment, "notice": notice,
                       "decision": decision.id, "recipients": recipients}, at)
    dedupe = f"notice:{notice}:mail:{decision.id}"
    queue.enqueue(conn, project.id, MAIL, dedupe, f"mail:{project.name}:{decision.id}",
                  {"project": project.name, "notice": notice, "decision": decision.id,
                   "to": target.mailing_list, "recipients": recipients, "subject": subject,
                   "body": mail, "message_id": message_id(f"{project.name}:{dedupe}")}, at)


def target(conn: Connection, project: Project) -> Target:
    return Target(project.name, installation_of(conn, project.id),
                  project.policy.policy.notices.mailing_list)


def follow(conn: Connection, project: Project, engine: Engine, change: DomainEvent,
           at: datetime) -> None:
    """The vote notices CHANGE calls for, queued in the caller's transaction."""
    decision = engine.decisions.get(change.subject)
    if not isinstance(decision, VoteDecision):
        return
    if change.kind == "decision-opened" and decision.status == "open":
        _opened(conn, project, engine, decision, at)
    elif change.kind == "vote-closed" and decision.result is not None:
        _closed(conn, project, decision, at)


def _opened(conn: Connection, project: Project, engine: Engine, vote: VoteDecision,
            at: datetime) -> None:
    voters = list(vote.box.roster)
    closes = iso(vote.closes_at) or "its close"
    how = ("Vote on the ballot page: choices are secret, only who took part is recorded."
           if _secret(project, vote) else "Vote here with `/vote yes|no|abstain [reason]`.")
    comment = (f"A vote is open on {_title(vote)} until {closes}.\n\n"
               f"Binding voters: {mentions(voters) or '(none)'}\n\n{how}")
    subject = f"[{project.name}] Vote open: {vote.title or vote.id} (until {closes})"
    mail = (f"A vote is open in {project.name}: {vote.title or vote.id} ({vote.id}).\n"
            f"It closes at {closes}.\n\nBinding voters ({len(voters)}):\n"
            + "".join(f"  {login}\n" for login in voters))
    _queue(conn, project, target(conn, project), vote, "vote-opened", voters, comment,
           subject, mail, at)
    if vote.closes_at is not None:
        when = reminder_at(calendar_for(project.policy.policy), vote.opened_at, vote.closes_at)
        if when is not None:
            queue.schedule(conn, project.id, f"{REMIND}:{vote.id}", when, REMIND)


def _secret(project: Project, vote: VoteDecision) -> bool:
    proc = project.policy.policy.processes.get(vote.process)
    return bool(getattr(proc, "secret", False))


def _closed(conn: Connection, project: Project, vote: VoteDecision, at: datetime) -> None:
    result = vote.result
    assert result is not None
    voters = list(vote.box.roster)
    counts = (f"yes {result.yes}, no {result.no}, abstain {result.abstain} "
              f"({result.ballots} of {result.eligible} eligible; quorum "
              f"{'met' if result.quorum_met else 'not met'})")
    why = "; ".join(result.reasons)
    comment = (f"The vote on {_title(vote)} is closed: **{vote.status}**.\n\n{counts}"
               + (f"\n\n{why}" if why else "") + f"\n\n{mentions(voters)}")
    subject = f"[{project.name}] Vote {vote.status}: {vote.title or vote.id}"
    mail = (f"The vote in {project.name} on {vote.title or vote.id} ({vote.id}) is closed: "
            f"{vote.status}.\n{counts}\n" + (f"{why}\n" if why else ""))
    _queue(conn, project, target(conn, project), vote, "vote-result", voters, comment,
           subject, mail, at)


def remind(gov: Decisions, conn: Connection, job: queue.Job, now: datetime) -> None:
    """Fire a reminder job: those binding voters who have not voted yet (a sealed vote's log
    says who took part, never how) are mentioned and mailed, if the vote is still open."""
    vote_id = job.decision.removeprefix(f"{REMIND}:")
    project, decision = gov.decision_at(conn, job.project_id, vote_id, job.due_at)
    if not isinstance(decision, VoteDecision) or decision.status != "open":
        return
    waiting = decision.box.waiting_on()
    if not waiting:
        return
    closes = iso(decision.closes_at) or "its close"
    comment = (f"Reminder: the vote on {_title(decision)} closes at {closes}, one business day "
               f"from now. Not voted yet: {mentions(waiting)}")
    subject = f"[{project.name}] Reminder: vote closes {closes}: {decision.title or vote_id}"
    mail = (f"The vote in {project.name} on {decision.title or vote_id} ({vote_id}) closes at "
            f"{closes}.\n\nNot voted yet ({len(waiting)}):\n"
            + "".join(f"  {login}\n" for login in waiting))
    _queue(conn, project, target(conn, project), decision, "vote-reminder", waiting, comment,
           subject, mail, now)


def ledger(conn: Connection, project_id: int, decision: str | None = None
           ) -> list[dict[str, Any]]:
    """Every notice queued for the project (or one decision), oldest first: which notice, by
    which channel, to whom, and when it was delivered (None while it waits)."""
    query = (sa.select(outbox).where(outbox.c.project_id == project_id,
                                     outbox.c.kind.in_((MAIL, COMMENT, LABEL)),
                                     outbox.c.dedupe.like("notice:%"))
             .order_by(outbox.c.id))
    out = []
    for row in conn.execute(query):
        data = dict(row.payload)
        if decision is not None and data.get("decision") != decision:
            continue
        out.append({"notice": data.get("notice"), "channel": row.kind,
                    "decision": data.get("decision"), "number": data.get("number"),
                    "to": data.get("to"), "recipients": data.get("recipients", []),
                    "queued_at": iso(row.created_at), "delivered_at": iso(row.delivered_at),
                    "attempts": row.attempts, "last_error": row.last_error})
    return out
