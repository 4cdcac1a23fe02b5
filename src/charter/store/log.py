"""The event log's hash chain: each event's hash covers its fields and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from charter.engine.calendar import iso

#: The `prev` of a project's first event.
GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """The one JSON text of VALUE that hashes are computed over: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the log, as stored and as `GET /events` shows it."""

    project: str
    seq: int
    at: datetime
    command: Mapping[str, Any]
    policy: str
    rejected: str | None
    prev: str
    hash: str

    def body(self) -> dict[str, Any]:
        """Every field but `hash`: what the hash is computed over."""
        return {"project": self.project, "seq": self.seq, "at": iso(self.at),
                "command": dict(self.command), "policy": self.policy,
                "rejected": self.rejected, "prev": self.prev}

    def expected_hash(self) -> str:
        return sha256(canonical(self.body()))

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}


def seal(project: str, seq: int, at: datetime, command: Mapping[str, Any], policy: str,
         rejected: str | None, prev: str) -> Event:
    """A new event chained to PREV, its hash computed."""
    draft = Event(project, seq, at, command, policy, rejected, prev, "")
    return Event(project, seq, at, command, policy, rejected, prev, draft.expected_hash())


def broken_link(events: list[Event]) -> tuple[Event, str] | None:
    """The first event (in seq order) whose hash, seq or link to the previous one is wrong."""
    prev = GENESIS
    for seq, event in enumerate(events, start=1):
        if event.seq != seq:
            return event, f"seq {event.seq} where {seq} was expected: an event is missing"
        if event.prev != prev:
            return event, "its prev does not match the hash of the event before it"
        if event.hash != event.expected_hash():
            return event, "its stored fields do not match its hash: the event was altered"
        prev = event.hash
    return None
