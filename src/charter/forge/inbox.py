"""Webhook deliveries: stored once by `X-GitHub-Delivery`, then processed by a worker.

Storing is the only thing the HTTP request does, so GitHub gets its answer at once; a
redelivery of a stored id changes nothing. A worker leases the oldest due delivery whose
earlier deliveries of the same installation are all processed (so commands reach the engine in
the order GitHub sent them), processes it, and marks it; a failure waits with backoff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from charter.forge.payload import HANDLED, number, text
from charter.store.queue import BACKOFF_BASE, BACKOFF_MAX, LEASE
from charter.store.tables import deliveries

MAX_GUID = 100


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    guid: str
    event: str
    payload: dict[str, Any]
    attempts: int
    progress: list[Any] = field(default_factory=list)


def ordering_key(payload: dict[str, Any]) -> str:
    """Deliveries with the same key are processed in arrival order: one installation's events
    (an installation's projects appear before their comments are read)."""
    installation = number(payload, "installation", "id")
    if installation is not None:
        return f"installation:{installation}"
    repository = text(payload, "repository", "full_name")
    return f"repository:{repository}" if repository else "github"


def store(conn: Connection, guid: str, event: str, payload: dict[str, Any],
          now: datetime) -> bool:
    """Store the delivery GUID once; False when it was stored before (a redelivery)."""
    handled = event in HANDLED
    values = {"guid": guid, "event": event[:60], "received_at": now,
              "payload": payload if handled else None, "ordering_key": ordering_key(payload),
              "processed_at": None if handled else now, "next_attempt_at": now,
              "attempts": 0}
    insert = (postgresql.insert(deliveries) if conn.dialect.name == "postgresql"
              else sqlite.insert(deliveries))
    # RETURNING says whether the row went in on both databases (rowcount does not, on all).
    inserted = conn.execute(insert.values(**values).on_conflict_do_nothing()
                            .returning(deliveries.c.id)).first()
    return inserted is not None


def claim(conn: Connection, now: datetime, lease: timedelta = LEASE) -> Delivery | None:
    """The oldest due delivery that is first of its key and not leased; leased to the caller."""
    older = deliveries.alias("older")
    first_of_key = ~sa.exists().where(older.c.ordering_key == deliveries.c.ordering_key,
                                      older.c.processed_at.is_(None),
                                      older.c.id < deliveries.c.id)
    query = (sa.select(deliveries).where(
        deliveries.c.processed_at.is_(None), deliveries.c.next_attempt_at <= now,
        sa.or_(deliveries.c.locked_until.is_(None), deliveries.c.locked_until < now),
        first_of_key).order_by(deliveries.c.id).limit(1))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=deliveries)
    row = conn.execute(query).first()
    if row is None:
        return None
    conn.execute(deliveries.update().where(deliveries.c.id == row.id)
                 .values(locked_until=now + lease))
    return Delivery(row.id, row.guid, row.event, dict(row.payload or {}), row.attempts,
                    list(row.progress or []))


def save_progress(conn: Connection, delivery: Delivery, progress: list[Any]) -> None:
    """Record what the delivery's commands became so far (see `deliveries.progress`)."""
    conn.execute(deliveries.update().where(deliveries.c.id == delivery.id)
                 .values(progress=progress))


def processed(conn: Connection, delivery: Delivery, now: datetime) -> None:
    conn.execute(deliveries.update().where(deliveries.c.id == delivery.id)
                 .values(processed_at=now, attempts=deliveries.c.attempts + 1,
                         locked_until=None, last_error=None))


def failed(conn: Connection, delivery: Delivery, now: datetime, error: str) -> datetime:
    """Record a failed processing and when to try again; returns that instant."""
    attempts = delivery.attempts + 1
    when: datetime = now + min(BACKOFF_BASE * 2 ** min(attempts - 1, 20), BACKOFF_MAX)
    conn.execute(deliveries.update().where(deliveries.c.id == delivery.id)
                 .values(attempts=attempts, next_attempt_at=when, locked_until=None,
                         last_error=error[:500]))
    return when
