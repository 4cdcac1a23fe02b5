"""Stale pull requests: one idle for the policy's `notices.stale.nudge_after` (its calendar's
business time) gets a nudge comment; `label_after` later, the stale label. Any activity (a
push, a review, a comment, an edit, by a person) starts the wait again and takes the label off.
The waits are jobs of kind `stale`, so the worker fires them at their instant, once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from charter.engine.calendar import iso
from charter.engine.machine import calendar_for
from charter.forge import payload
from charter.forge.inbox import Delivery
from charter.forge.outbound import Outbound
from charter.forge.triage import project_of
from charter.store import items, notices, queue
from charter.store.db import writing
from charter.store.projects import Governance
from charter.store.tables import projects

STALE = "stale"
#: Pull request actions that are activity (a label or an assignment by a person counts too).
_CLOSED = ("closed",)


def _pull(delivery: Delivery) -> tuple[int | None, str, str]:
    """(number, title, author) of the pull request DELIVERY is about, if it is about one."""
    data = delivery.payload
    if delivery.event in ("pull_request", "pull_request_review"):
        return (payload.number(data, "pull_request", "number"),
                payload.text(data, "pull_request", "title") or "",
                payload.text(data, "pull_request", "user", "login") or "")
    if delivery.event == "issue_comment" and isinstance(
            (data.get("issue") or {}).get("pull_request"), dict):
        return (payload.number(data, "issue", "number"),
                payload.text(data, "issue", "title") or "",
                payload.text(data, "issue", "user", "login") or "")
    return None, "", ""


def on_activity(gov: Governance, delivery: Delivery
                ) -> list[Outbound]:
    """Restart the stale wait of the pull request DELIVERY is about (or stop it at close)."""
    number, title, author = _pull(delivery)
    data = delivery.payload
    project = project_of(gov, data) if number is not None else None
    rule = project.policy.policy.notices.stale if project else None
    if project is None or number is None or rule is None:
        return []
    if payload.text(data, "sender", "type") == "Bot":
        return []  # Charter's own nudges and labels are not activity
    now = gov.clock()
    out: list[Outbound] = []
    with writing(gov.db) as conn:
        installation = payload.number(data, "installation", "id") or \
            notices.installation_of(conn, project.id)
        item = items.seen(conn, project.id, number, pull_request=True, title=title,
                          author=author, at=now)
        if delivery.event == "pull_request" and data.get("action") in _CLOSED:
            items.update(conn, project.id, number, open=False)
            return []
        items.update(conn, project.id, number, open=True, last_activity_at=now,
                     nudged_at=None, stale_at=None)
        if item.stale_at is not None and installation is not None:
            out.append(Outbound(project.id, notices.LABEL, f"label:{delivery.guid}",
                                f"issue:{project.name}#{number}",
                                {"installation": installation, "repository": project.name,
                                 "number": number, "remove": rule.label}))
        due = calendar_for(project.policy.policy).after(now, rule.nudge_after)
        queue.schedule(conn, project.id, f"{STALE}:{number}", due, STALE)
    return out


def fire(gov: Governance, conn: Connection, job: queue.Job, now: datetime) -> None:
    """A stale job fell due: nudge, or label, unless activity since has moved the wait on."""
    number = int(job.decision.removeprefix(f"{STALE}:"))
    item = items.get(conn, job.project_id, number)
    name = conn.execute(sa.select(projects.c.name)
                        .where(projects.c.id == job.project_id)).scalar_one()
    project = gov.project(name, conn)
    rule = project.policy.policy.notices.stale
    if item is None or not item.open or rule is None or item.stale_at is not None:
        return
    calendar = calendar_for(project.policy.policy)
    installation = notices.installation_of(conn, project.id)
    where: dict[str, Any] = {"installation": installation, "repository": name,
                             "number": number}
    if item.nudged_at is None:
        if calendar.after(item.last_activity_at, rule.nudge_after) > job.due_at:
            return  # activity since: its own job waits
        items.update(conn, project.id, number, nudged_at=job.due_at)
        queue.schedule(conn, project.id, f"{STALE}:{number}",
                       calendar.after(job.due_at, rule.label_after), STALE)
        if installation is not None:
            mention = f"@{item.author} " if item.author else ""
            queue.enqueue(conn, project.id, notices.COMMENT,
                          f"notice:stale-nudge:comment:{number}:{iso(item.last_activity_at)}",
                          f"issue:{name}#{number}",
                          {**where, "notice": "stale-nudge", "recipients": [item.author],
                           "body": f"{mention}this pull request has had no activity for "
                                   f"{rule.nudge_after}. Is it still going? Without activity "
                                   f"it is labeled `{rule.label}` after {rule.label_after}."},
                          now)
        return
    if calendar.after(item.nudged_at, rule.label_after) > job.due_at:
        return
    items.update(conn, project.id, number, stale_at=job.due_at)
    if installation is not None:
        queue.enqueue(conn, project.id, notices.LABEL,
                      f"stale:label:{number}:{iso(item.nudged_at)}", f"issue:{name}#{number}",
                      {**where, "add": [rule.label]}, now)
