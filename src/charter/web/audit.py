"""The audit page: the log, a page at a time, and whether its hash chain and replay hold."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

from charter.store.db import reading
from charter.store.projects import Governance
from charter.store.tables import events

PER_PAGE = 100
_cache: dict[tuple[int, str], dict[str, Any]] = {}
_lock = threading.Lock()


def page(gov: Governance, name: str, after: int) -> dict[str, Any]:
    events = [e.to_json() for e in gov.events_after(name, after, PER_PAGE)]
    last = events[-1]["seq"] if events else after
    return {"events": events, "after": after, "next_after": last
            if len(events) == PER_PAGE else None,
            "previous_after": max(0, after - PER_PAGE) if after else None}


def verification(gov: Governance, name: str) -> dict[str, Any]:
    """`Governance.verify`'s verdict, kept per log head: a log that has not grown is not
    replayed again."""
    head = _head(gov, name)
    key = (id(gov), f"{name}\0{head}")
    with _lock:
        known = _cache.get(key)
    if known is not None:
        return known
    found = gov.verify(name)
    verdict: dict[str, Any] = {"ok": found is None, "head": head}
    if found is not None:
        event, why = found
        verdict.update({"seq": event.seq, "reason": why})
    with _lock:
        if len(_cache) > 1000:
            _cache.clear()
        _cache[key] = verdict
    return verdict


def _head(gov: Governance, name: str) -> str:
    """The last event's seq and hash: what the verdict is about."""
    with reading(gov.db) as conn:
        project = gov.project(name, conn)
        row = conn.execute(sa.select(events.c.seq, events.c.hash)
                           .where(events.c.project_id == project.id)
                           .order_by(events.c.seq.desc()).limit(1)).first()
    return f"{row.seq}:{row.hash}" if row else "0:"
