"""Triage: a new issue gets the policy's triage label (`notices.triage_label`) and waits in the
triage queue until someone with a triager role (`notices.triagers`) labels it; the label then
goes. Labels are idempotent on GitHub, so these effects need no marker."""

from __future__ import annotations

from typing import Any

from charter.forge import payload
from charter.forge.inbox import Delivery
from charter.forge.outbound import Outbound
from charter.store import items, notices
from charter.store.db import writing
from charter.store.notices import LABEL
from charter.store.projects import Governance, NotFound, Project


def roles_of(gov: Governance, name: str, login: str) -> list[str]:
    """LOGIN's roles in project NAME now (decisions change them, so the log is asked)."""
    person = gov.state(name)["people"].get(login)
    return list(person["roles"]) if isinstance(person, dict) else []


def project_of(gov: Governance, data: dict[str, Any]) -> Project | None:
    name = payload.text(data, "repository", "full_name")
    if name is None:
        return None
    try:
        return gov.project(name)
    except NotFound:
        return None


def on_issue(gov: Governance, delivery: Delivery
             ) -> list[Outbound]:
    """What an `issues` event does to the triage queue, and the label effects it calls for."""
    data = delivery.payload
    project = project_of(gov, data)
    number = payload.number(data, "issue", "number")
    label = project.policy.policy.notices.triage_label if project else None
    if project is None or number is None or label is None:
        return []
    action = data.get("action")
    sender = payload.text(data, "sender", "login") or ""
    bot = payload.text(data, "sender", "type") == "Bot"
    now = gov.clock()
    effect: dict[str, Any] | None = None
    with writing(gov.db) as conn:
        installation = payload.number(data, "installation", "id") or \
            notices.installation_of(conn, project.id)
        item = items.seen(conn, project.id, number, pull_request=False,
                          title=payload.text(data, "issue", "title") or "",
                          author=payload.text(data, "issue", "user", "login") or "", at=now)
        if action == "opened":
            items.update(conn, project.id, number, needs_triage=True, open=True)
            effect = {"add": [label]}
        elif action in ("closed", "reopened"):
            items.update(conn, project.id, number, open=action == "reopened")
        elif action == "labeled" and item.needs_triage and not bot:
            added = payload.text(data, "label", "name")
            if added != label and set(roles_of(gov, project.name, sender)) & set(
                    project.policy.policy.notices.triagers):
                items.update(conn, project.id, number, needs_triage=False)
                effect = {"remove": label}
        elif action == "unlabeled" and payload.text(data, "label", "name") == label:
            items.update(conn, project.id, number, needs_triage=False)  # removed by hand
    if effect is None or installation is None:
        return []
    return [Outbound(project.id, LABEL, f"label:{delivery.guid}",
                     f"issue:{project.name}#{number}",
                     {"installation": installation, "repository": project.name,
                      "number": number, **effect})]


def triage_queue(gov: Governance, name: str) -> list[dict[str, Any]]:
    """Project NAME's issues waiting for triage, oldest first, as JSON (for the dashboard)."""
    from charter.store.db import reading

    with reading(gov.db) as conn:
        return [item.to_json() for item in items.triage_queue(conn, name)]
