"""A webhook body as JSON, and the few fields Charter reads from one, checked for their type."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: GitHub caps webhook payloads at 25 MB and drops larger ones; so does Charter.
MAX_BODY = 25 * 1024 * 1024
#: Events Charter acts on; every other event is acknowledged and ignored.
HANDLED = frozenset({"issue_comment", "installation", "installation_repositories", "ping",
                     "issues", "pull_request", "pull_request_review", "check_run",
                     "check_suite", "status", "push"})


class BadPayload(ValueError):
    """The body is not the JSON object a webhook carries."""


def parse(body: bytes) -> dict[str, Any]:
    """BODY as a JSON object, or BadPayload saying why not."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise BadPayload(f"the body is not JSON: {str(err)[:200]}") from None
    if not isinstance(value, dict):
        raise BadPayload("the body is JSON but not an object")
    return value


def text(data: Any, *path: str) -> str | None:
    """The string at PATH in DATA, or None when any step is missing or of another type."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, str) else None


def number(data: Any, *path: str) -> int | None:
    """The integer at PATH in DATA (never a bool), or None."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, int) and not isinstance(data, bool) else None


@dataclass(frozen=True)
class Comment:
    """What a slash command needs from an `issue_comment` event."""

    repository: str
    installation: int | None
    number: int
    title: str
    author: str
    body: str
    pull_request: bool
    labels: tuple[str, ...]
    bot: bool


def comment(payload: dict[str, Any]) -> Comment | None:
    """The comment of a `created` issue_comment event, or None when it is not one."""
    repository = text(payload, "repository", "full_name")
    issue_number = number(payload, "issue", "number")
    author = text(payload, "comment", "user", "login")
    body = text(payload, "comment", "body")
    if payload.get("action") != "created" or repository is None or issue_number is None \
            or author is None or body is None:
        return None
    issue = payload.get("issue")
    assert isinstance(issue, dict)
    labels = issue.get("labels")
    names = tuple(label["name"] for label in labels if isinstance(label, dict)
                  and isinstance(label.get("name"), str)) if isinstance(labels, list) else ()
    return Comment(repository=repository, installation=number(payload, "installation", "id"),
                   number=issue_number, title=text(issue, "title") or f"#{issue_number}",
                   author=author, body=body, pull_request=isinstance(
                       issue.get("pull_request"), dict),
                   labels=names, bot=text(payload, "comment", "user", "type") == "Bot")


def repositories(event: str, payload: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(repositories added, repositories removed) by an installation event."""
    action = payload.get("action")

    def names(key: str) -> list[str]:
        found = payload.get(key)
        if not isinstance(found, list):
            return []
        return [r["full_name"] for r in found
                if isinstance(r, dict) and isinstance(r.get("full_name"), str)]

    if event == "installation":
        if action == "created":
            return names("repositories"), []
        if action == "deleted":
            return [], names("repositories")
    if event == "installation_repositories":
        return names("repositories_added"), names("repositories_removed")
    return [], []
