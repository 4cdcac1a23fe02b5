"""The bot's answer to one comment: one line per command, with the engine's reason on refusal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from charter.errors import shorten

#: GitHub refuses comments over 65,536 characters; answers stay well below.
MAX_ANSWER = 60_000


@dataclass(frozen=True)
class Line:
    """What became of one command: accepted (with the decision's status), refused, or a note."""

    command: str
    accepted: bool | None
    text: str


def accepted(command: str, decision: dict[str, Any] | None, receipt: str | None) -> Line:
    if decision is None:
        return Line(command, True, "done")
    text = f"decision {decision.get('id')} is **{decision.get('status')}**"
    if decision.get("closes_at"):
        text += f" (closes at {decision['closes_at']})"
    if command.lstrip("/").startswith("call-vote") and decision.get("vote"):
        text += f"; vote {decision['vote']} is open: answer `/vote yes|no|abstain`"
    if receipt is not None:
        text += f"; your receipt is `{receipt}`"
    return Line(command, True, text)


def refused(command: str, reason: str) -> Line:
    return Line(command, False, reason)


def note(command: str, text: str) -> Line:
    return Line(command, None, text)


def compose(author: str, lines: list[Line], ignored: int = 0) -> str:
    """The comment body: a mention of AUTHOR and one bullet per command."""
    marks = {True: "accepted", False: "refused", None: "not applied"}
    out = [f"@{author}"]
    for line in lines:
        # A backtick in the quoted command would end the code span and let a comment make the
        # bot write markdown (or mentions) of its choosing.
        quoted = shorten(line.command, 120).replace("`", "'")
        out.append(f"- `{quoted}`: {marks[line.accepted]}: {shorten(line.text, 1000)}")
    if ignored:
        out.append(f"- {ignored} more command(s) ignored: at most 10 per comment")
    body = "\n".join(out)
    return body if len(body) <= MAX_ANSWER else body[:MAX_ANSWER] + "\n…"
