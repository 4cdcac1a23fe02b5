"""Pull requests for the gate, sans I/O: the facts each webhook carries, and what a pull
request's approvals, holds and labels are after each event or command.

A pull request's state is a plain JSON mapping (stored by `forge.gating`):
`head`, `base` (branch), `author`, `title`, `labels`, `draft`, `open`, `hold` (who put it on
hold, or None), `approvals` (login -> {source: commit the head was when it was given}, the
sources being `approve`, `lgtm` and `review`), `governance` (the governance-change decision
was opened) and `posted` (the digest of the last check-run summary per head).

Approvals follow Prow's approve plugin with `lgtm_acts_as_approve` and
`review_acts_as_approve`: `/approve` and `/lgtm` approve, an APPROVED review approves at its
commit, `/approve cancel` withdraws a person's `/approve` and review approval, `/lgtm cancel`
their `/lgtm`, a CHANGES_REQUESTED review or a dismissal withdraws their review approval. The
author's own approvals are refused and never stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from charter.forge.payload import number, text

#: `pull_request` actions that change what the gate sees (others, such as `assigned`, do not).
PULL_ACTIONS = frozenset({"opened", "synchronize", "reopened", "edited", "labeled",
                          "unlabeled", "ready_for_review", "converted_to_draft", "closed"})
#: Events that re-run the gate.
EVENTS = frozenset({"pull_request", "pull_request_review", "check_run", "check_suite",
                    "status"})
#: The verbs a comment on a pull request gives the gate.
VERBS = frozenset({"approve", "lgtm", "hold", "unhold"})
#: The name of the check run the gate posts; its own check_run events are not re-gated.
CHECK_NAME = "charter"
#: The label that stands for `/hold` when the policy names no hold label (Prow's).
HOLD_LABEL = "do-not-merge/hold"
_SHA = re.compile(r"[0-9a-f]{40}")
MAX_LABELS = 100


def sha(value: Any) -> str | None:
    """VALUE when it is a full commit id, else None."""
    return value if isinstance(value, str) and _SHA.fullmatch(value) else None


@dataclass(frozen=True)
class Pull:
    """What a `pull_request` payload (or a REST pull request) says about the pull request."""

    repository: str
    installation: int | None
    number: int
    head: str
    base: str
    author: str
    title: str
    labels: tuple[str, ...]
    draft: bool
    open: bool


def pull(data: Mapping[str, Any], repository: str, installation: int | None) -> Pull | None:
    """The pull request object DATA (the payload's `pull_request`), or None when malformed."""
    number_ = number(data, "number")
    head = sha(text(data, "head", "sha"))
    base = text(data, "base", "ref")
    author = text(data, "user", "login")
    if number_ is None or head is None or base is None or author is None:
        return None
    labels = data.get("labels")
    names = tuple(str(label["name"])[:100] for label in labels[:MAX_LABELS]
                  if isinstance(label, dict) and isinstance(label.get("name"), str)
                  ) if isinstance(labels, list) else ()
    return Pull(repository=repository, installation=installation, number=number_, head=head,
                base=base, author=author.lower(), title=(text(data, "title") or
                                                          f"#{number_}")[:300],
                labels=names, draft=data.get("draft") is True,
                open=text(data, "state") != "closed")


def pull_event(payload: Mapping[str, Any]) -> Pull | None:
    """The pull request of a `pull_request` or `pull_request_review` event."""
    repository = text(payload, "repository", "full_name")
    found = payload.get("pull_request")
    if repository is None or not isinstance(found, dict):
        return None
    return pull(found, repository, number(payload, "installation", "id"))


@dataclass(frozen=True)
class Review:
    reviewer: str
    state: str  # approved, changes_requested, commented, dismissed
    commit: str | None


def review(payload: Mapping[str, Any]) -> Review | None:
    """The review of a `pull_request_review` submitted or dismissed event."""
    action = payload.get("action")
    reviewer = text(payload, "review", "user", "login")
    state = text(payload, "review", "state")
    if action not in ("submitted", "dismissed") or reviewer is None or state is None:
        return None
    state = "dismissed" if action == "dismissed" else state.lower()
    return Review(reviewer.lower(), state, sha(text(payload, "review", "commit_id")))


@dataclass(frozen=True)
class CheckReport:
    """A check or status reported on a commit, and the pull requests the payload names."""

    sha: str
    name: str | None
    state: str | None
    pulls: tuple[int, ...]


def check_report(event: str, payload: Mapping[str, Any]) -> CheckReport | None:
    """The report a `check_run`, `check_suite` or `status` event carries."""
    if event == "status":
        commit, name = sha(text(payload, "sha")), text(payload, "context")
        state = text(payload, "state")
        if commit is None or name is None or state is None:
            return None
        return CheckReport(commit, name[:200], state.lower(), ())
    key = "check_run" if event == "check_run" else "check_suite"
    body = payload.get(key)
    if not isinstance(body, dict):
        return None
    commit = sha(text(body, "head_sha"))
    if commit is None:
        return None
    prs = body.get("pull_requests")
    numbers = tuple(n for n in (number(p, "number") for p in prs[:100]) if n is not None
                    ) if isinstance(prs, list) else ()
    if event == "check_suite":
        return CheckReport(commit, None, None, numbers)
    name = text(body, "name")
    status = text(body, "status")
    state = text(body, "conclusion") if status == "completed" else status
    if name is None or state is None:
        return None
    return CheckReport(commit, name[:200], state.lower(), numbers)


def new_state(found: Pull) -> dict[str, Any]:
    return {"approvals": {}, "hold": None, "governance": False, "posted": {},
            **facts(found)}


def facts(found: Pull) -> dict[str, Any]:
    return {"head": found.head, "base": found.base, "author": found.author,
            "title": found.title, "labels": list(found.labels), "draft": found.draft,
            "open": found.open}


def apply_review(state: dict[str, Any], found: Review) -> bool:
    """Record REVIEW in STATE (Prow's review_acts_as_approve); True when approvals changed."""
    if found.reviewer == state.get("author"):
        return False
    approvals: dict[str, dict[str, str]] = state.setdefault("approvals", {})
    mine = approvals.get(found.reviewer, {})
    if found.state == "approved":
        at = found.commit or str(state.get("head"))
        approvals[found.reviewer] = {**mine, "review": at}
        return True
    if found.state in ("changes_requested", "dismissed") and "review" in mine:
        rest = {k: v for k, v in mine.items() if k != "review"}
        if rest:
            approvals[found.reviewer] = rest
        else:
            approvals.pop(found.reviewer)
        return True
    return False


@dataclass(frozen=True)
class Said:
    """What a gate command did: accepted (True), refused (False) or a note (None), and why."""

    accepted: bool | None
    text: str


def apply_command(state: dict[str, Any], login: str, verb: str, words: list[str]) -> Said:
    """Apply `/VERB WORDS` by LOGIN to a pull request's STATE."""
    login = login.lower()
    head = str(state.get("head", ""))
    cancel = bool(words) and words[0].lower() == "cancel"
    approvals: dict[str, dict[str, str]] = state.setdefault("approvals", {})
    if verb in ("approve", "lgtm"):
        mine = dict(approvals.get(login, {}))
        if cancel:
            dropped = ("approve", "review") if verb == "approve" else ("lgtm",)
            if not any(k in mine for k in dropped):
                return Said(None, f"you had no /{verb} on this pull request")
            rest = {k: v for k, v in mine.items() if k not in dropped}
            if rest:
                approvals[login] = rest
            else:
                approvals.pop(login, None)
            return Said(True, f"your /{verb} is withdrawn")
        if login == state.get("author"):
            return Said(False, "you opened this pull request, and its author never approves "
                               "it: another approver must")
        approvals[login] = {**mine, verb: head}
        return Said(True, f"recorded at {head[:12]}; it counts while the head's tree stays "
                          "the same (see the `charter` check for what is still needed)")
    if verb == "hold":
        if cancel:
            return apply_command(state, login, "unhold", [])
        if state.get("hold"):
            return Said(None, f"already on hold (by {state['hold']})")
        state["hold"] = login
        return Said(True, "on hold: the gate blocks merging until someone says /unhold")
    if verb == "unhold":
        if not state.get("hold"):
            return Said(None, "this pull request is not on hold")
        state["hold"] = None
        return Said(True, "hold released")
    return Said(None, f"/{verb} is not a gate command")


def approvals_of(state: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(login, commit) of every approval in STATE, the author's never included."""
    author = state.get("author")
    out: list[tuple[str, str]] = []
    for login, sources in sorted(dict(state.get("approvals") or {}).items()):
        if login == author or not isinstance(sources, dict):
            continue
        for at in sorted({v for v in sources.values() if isinstance(v, str)}):
            out.append((login, at))
    return out
