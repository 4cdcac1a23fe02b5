"""Slash commands: each comment line starting with `/`, translated to one engine command.

The decision id is the issue or pull request's number without `#` (`42`), so the id is the same
in the API, the log and the URL; a vote called on it is `42-vote`. A component's id is the
issue's label `component/ID`. Translation is pure: what it needs of the project's state (the
decisions, to find which vote a `/vote` is for and whether it is secret) is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from charter.errors import shorten
from charter.forge.payload import Comment

#: A comment may carry at most this many commands; the rest are answered as ignored.
MAX_COMMANDS = 10
VOTE_SUFFIX = "-vote"
DEFAULT_PROCESS = "lazy-consensus"
_LOGIN = re.compile(r"@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))")
_FENCE = re.compile(r"^\s*(```|~~~)")
#: Verbs that take the decision's id and nothing else.
_BARE = ("retract", "withdraw", "decline", "request-explanations", "upvote", "complete")
#: Verbs about a component named by the issue's `component/ID` label, with an optional reason.
_COMPONENT = ("graduate", "archive", "remove")
#: Pull request commands for the gate (`forge.gating` answers them when the gate runs).
_GATE = ("lgtm", "hold", "unhold")
VERBS = ("propose", "object", *_BARE, "call-vote", "vote", "nominate", "step-down",
         "request-reinstatement", "propose-removal", "rfc", "approve", "select-roadmap",
         "incubate", "meet", *_COMPONENT, *_GATE)


@dataclass(frozen=True)
class Slash:
    """One command line: its verb and the text after it."""

    line: str
    verb: str
    rest: str

    @property
    def words(self) -> list[str]:
        return self.rest.split()


@dataclass(frozen=True)
class Translation:
    """Either an engine command to apply, or an answer that needs no engine."""

    slash: Slash
    command: dict[str, Any] | None = None
    answer: str | None = None
    notes: list[str] = field(default_factory=list)


def parse(body: str) -> tuple[list[Slash], int]:
    """The command lines of BODY (outside code fences), at most MAX_COMMANDS; and how many more
    there were."""
    found: list[Slash] = []
    fenced = False
    for raw in body.splitlines():
        if _FENCE.match(raw):
            fenced = not fenced
            continue
        line = raw.strip()
        if fenced or not line.startswith("/") or len(line) < 2 or not line[1].isalpha():
            continue
        verb, _, rest = line[1:].partition(" ")
        found.append(Slash(shorten(line, 200), verb.lower(), rest.strip()))
    return found[:MAX_COMMANDS], max(0, len(found) - MAX_COMMANDS)


def decision_id(number: int) -> str:
    return str(number)


def vote_target(decisions: Mapping[str, Any], number: int) -> str:
    """The vote a `/vote` on issue NUMBER is for: the decision itself when it is a vote, else
    the vote called on it (else the decision, and the engine says why it cannot be voted on)."""
    own = decision_id(number)
    decision = decisions.get(own)
    if isinstance(decision, Mapping) and "tally" not in decision \
            and isinstance(decision.get("vote"), str):
        return str(decision["vote"])
    return own


def _login(word: str | None) -> str | None:
    if word is None:
        return None
    match = _LOGIN.fullmatch(word)
    return match[1] if match else None


def _component(comment: Comment) -> str | None:
    for label in comment.labels:
        if label.startswith("component/") and len(label) > len("component/"):
            return label[len("component/"):]
    return None


#: A list item of a comment's body: `- text`, `* text`, `- [ ] text` or `- [x] text`.
_ITEM = re.compile(r"^\s*[-*+]\s+(?:\[[ xX]\]\s+)?(\S.*)$")
MAX_CRITERIA = 20


def criteria_of(body: str) -> list[str]:
    """The list items of BODY outside code fences: an `/incubate`'s graduation criteria."""
    found: list[str] = []
    fenced = False
    for raw in body.splitlines():
        if _FENCE.match(raw):
            fenced = not fenced
            continue
        match = None if fenced else _ITEM.match(raw)
        if match:
            found.append(shorten(match[1].strip(), 200))
    return found[:MAX_CRITERIA]


def _incubate(slash: Slash, comment: Comment, command: Callable[..., Translation],
              usage: Callable[[str], Translation]) -> Translation:
    """`/incubate TIMEFRAME [@MAINTAINER ...]` on an issue labelled `component/ID`: the goals
    are the issue's title and the graduation criteria the comment's list items, as the llm-d
    guide asks ("clear goals", "timeframe for experimentation", "graduation success criteria")."""
    component = _component(comment)
    if component is None:
        return Translation(slash, answer="this issue has no `component/ID` label, so there is "
                           "no component to incubate: add one, then `/incubate` again")
    words = slash.words
    logins = [w for w in words if w.startswith("@")]
    timeframe = " ".join(w for w in words if not w.startswith("@"))
    maintainers = [_login(w) for w in logins]
    criteria = criteria_of(comment.body)
    if not timeframe or not criteria or None in maintainers:
        return usage("/incubate TIMEFRAME [@MAINTAINER ...]` followed by the graduation "
                     "criteria as a list (`- criterion`, one per line) in the same comment; "
                     "the goals are the issue's title`")
    return command("incubate", id=component, goals=comment.title, timeframe=timeframe,
                   criteria=criteria, maintainers=[m for m in maintainers if m],
                   title=comment.title)


def translate(slash: Slash, comment: Comment, decisions: Callable[[], Mapping[str, Any]],
              ballot_url: Callable[[str], str]) -> Translation:
    """The engine command for SLASH in COMMENT; DECISIONS gives the project's decisions now
    (only `/vote`, and `/approve` on a pull request, ask for them)."""
    own = decision_id(comment.number)
    verb, words, rest = slash.verb, slash.words, slash.rest

    def command(do: str, **fields: Any) -> Translation:
        return Translation(slash, {"do": do, **{k: v for k, v in fields.items()
                                                if v not in (None, "", [])}})

    def usage(text: str) -> Translation:
        return Translation(slash, answer=f"usage: `{text}`")

    if verb == "propose":
        if len(words) > 1:
            return usage("/propose [PROCESS]")
        return command("propose", id=own, process=words[0] if words else DEFAULT_PROCESS,
                       title=comment.title)
    if verb == "object":
        return command("object", id=own, reason=rest)
    if verb in _BARE:
        return command(verb, id=own)
    if verb == "call-vote":
        return command("call-vote", id=own, vote=own + VOTE_SUFFIX)
    if verb == "vote":
        if not words or words[0].lower() not in ("yes", "no", "abstain"):
            return usage("/vote yes|no|abstain [EXPLANATION]")
        current = decisions()
        target = vote_target(current, comment.number)
        found = current.get(target)
        if isinstance(found, Mapping) and found.get("secret") is True:
            return Translation(slash, answer=(
                f"not counted: {target} is a secret ballot, so a choice written in a comment "
                f"is never counted. Cast your ballot privately at {ballot_url(target)} (and "
                "consider deleting this comment)."))
        return command("vote", id=target, choice=words[0].lower(),
                       explanation=rest[len(words[0]):].strip())
    if verb == "nominate":
        person = _login(words[0] if words else None)
        if person is None or len(words) < 2:
            return usage("/nominate @LOGIN ROLE [SCOPE]")
        return command("nominate", id=own, person=person, role=words[1],
                       scope=" ".join(words[2:]), title=comment.title)
    if verb == "step-down":
        return command("step-down", reason=rest)
    if verb == "request-reinstatement":
        return command("request-reinstatement", id=own, title=comment.title)
    if verb == "propose-removal":
        person = _login(words[0] if words else None)
        if person is None:
            return usage("/propose-removal @LOGIN [REASON]")
        return command("propose-removal", id=own, person=person,
                       reason=" ".join(words[1:]), title=comment.title)
    if verb == "rfc":
        return command("rfc", id=own, title=comment.title)
    if verb == "approve":
        if comment.pull_request and own not in decisions():
            # On a pull request that is not itself a decision, /approve is for the gate.
            return Translation(slash, answer="`/approve` on a pull request is for the merge "
                               "gate, which is not configured on this service: nothing was "
                               "recorded")
        return command("approve", id=own)
    if verb == "select-roadmap":
        items = [w.lstrip("#") for w in words[1:]]
        if not words or not items or not all(items):
            return usage("/select-roadmap QUARTER #A #B ...")
        return command("select-roadmap", id=words[0], items=items)
    if verb in ("meet", *_COMPONENT):
        component = _component(comment)
        if component is None:
            return Translation(slash, answer="this issue has no `component/ID` label, so there "
                               "is no component to act on")
        if verb == "meet":
            if not rest:
                return usage("/meet CRITERION")
            return command("meet", id=component, criterion=rest)
        return command(verb, id=component, reason=rest if verb != "graduate" else None)
    if verb == "incubate":
        return _incubate(slash, comment, command, usage)
    if verb in _GATE:
        return Translation(slash, answer=f"`/{verb}` is for the merge gate, which is not "
                           "configured on this service: nothing was recorded")
    return Translation(slash, answer=f"unknown command `/{shorten(verb, 40)}`; the commands "
                       f"are {', '.join('/' + v for v in VERBS)}")
