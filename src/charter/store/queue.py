"""Deadlines to fire and effects to deliver: the jobs and outbox tables.

Jobs are claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite's `BEGIN IMMEDIATE` already
serialises writers) and done in the claiming transaction, so a job is either done once or, when
its worker dies, not at all and claimed again. Effects reach other systems, so they are leased
instead: claimed for a while, delivered, then marked; one whose worker died is retried when the
lease runs out, and a failure is retried with exponential backoff, never dropped.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from charter.store.tables import jobs, outbox

#: How long a worker holds an effect it is delivering before another may take it.
LEASE = timedelta(seconds=60)
#: Backoff after the Nth failure: BASE * 2**(N-1), at most MAX.
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(hours=1)


#: The engine's own deadlines; other timer kinds are named by the module that fires them.
DEADLINE = "deadline"


#: Rung when work was committed in this process (a webhook stored), so an in-process worker
#: starts on it at once instead of sleeping out its idle poll; on PostgreSQL a `listen` thread
#: rings it for work other processes announce, and elsewhere they poll.
_doorbell = threading.Event()
#: The PostgreSQL channel stored work is announced on (`announce`, `listen`).
CHANNEL = "charter_work"
#: How long a listener that lost its connection waits before connecting again.
RELISTEN = 1.0

log = logging.getLogger("charter.worker")


def ring() -> None:
    _doorbell.set()


def announce(conn: Connection) -> None:
    """Wake the listening workers of every process when CONN's transaction commits (PostgreSQL's
    NOTIFY, delivered only on commit; SQLite's workers in other processes poll)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"NOTIFY {CHANNEL}")


def listen(db: Engine, stop: threading.Event) -> threading.Thread | None:
    """On PostgreSQL, a thread that rings this process's doorbell whenever work is announced,
    until STOP is set; None on SQLite. The idle poll stays the fallback: a lost connection
    only makes the wait longer, never loses work."""
    if db.dialect.name != "postgresql":
        return None
    url = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    thread = threading.Thread(target=_listen, args=(url, stop), name="charter-listen",
                              daemon=True)
    thread.start()
    return thread


def _listen(url: str, stop: threading.Event) -> None:
    import psycopg

    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                ring()  # whatever was announced while no one listened
                while not stop.is_set():
                    # A short timeout, so STOP is seen; each notice rings at once.
                    for _ in conn.notifies(timeout=0.25):
                        ring()
        except psycopg.Error as err:
            log.warning("listening for work failed (%s); polling meanwhile", err)
            stop.wait(RELISTEN)


def idle_wait(stop: threading.Event, timeout: float) -> None:
    """Sleep up to TIMEOUT seconds, less when work is rung in or STOP is set meanwhile."""
    step = min(timeout, 0.25)  # STOP is checked at least this often
    waited = 0.0
    while waited < timeout and not stop.is_set():
        if _doorbell.wait(min(step, timeout - waited)):
            _doorbell.clear()
            return
        waited += step


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    project_id: int
    decision: str
    due_at: datetime
    kind: str = DEADLINE


@dataclass(frozen=True, slots=True)
class Effect:
    id: int
    project_id: int
    kind: str
    ordering_key: str
    payload: dict[str, Any]
    attempts: int
    # True when an earlier try may have reached the receiver: it failed, or its worker's lease
    # ran out before it said how the delivery went (it died after the receiver accepted it).
    retried: bool = False
    created_at: datetime | None = None


# Built once and given their values at execution: each step queues a timer and an effect, and
# building a statement costs more than running it. `inline`: no RETURNING of the new id, which
# nobody reads; a write that returns nothing need not wait for the server (db.writing_batched).
_INSERT_IGNORE = {
    (dialect.__name__.rsplit(".", 1)[-1], table.name):
        dialect.insert(table).on_conflict_do_nothing().inline()
    for dialect in (postgresql, sqlite) for table in (jobs, outbox)
}


def _insert_ignore(conn: Connection, table: sa.Table, values: dict[str, Any]) -> None:
    conn.execute(_INSERT_IGNORE[conn.dialect.name, table.name], values)


def schedule(conn: Connection, project_id: int, decision: str, due_at: datetime,
             kind: str = DEADLINE) -> None:
    """Make sure a job of KIND fires for DECISION (or another subject) at DUE_AT (once, however
    often asked)."""
    _insert_ignore(conn, jobs, {"project_id": project_id, "decision": decision,
                                "due_at": due_at, "attempts": 0, "kind": kind})


def claim_job(conn: Connection, now: datetime,
              kinds: tuple[str, ...] | None = None) -> Job | None:
    """The earliest due job (of KINDS, when given), locked for this transaction (skipped by
    other workers)."""
    query = (sa.select(jobs.c.id, jobs.c.project_id, jobs.c.decision, jobs.c.due_at,
                       jobs.c.kind)
             .where(jobs.c.done_at.is_(None), jobs.c.due_at <= now)
             .order_by(jobs.c.due_at, jobs.c.id).limit(1))
    if kinds is not None:
        query = query.where(jobs.c.kind.in_(kinds))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = conn.execute(query).first()
    return None if row is None else Job(row.id, row.project_id, row.decision, row.due_at,
                                        row.kind)


def finish_job(conn: Connection, job: Job, now: datetime) -> None:
    conn.execute(jobs.update().where(jobs.c.id == job.id)
                 .values(done_at=now, attempts=jobs.c.attempts + 1))


def next_due(conn: Connection) -> datetime | None:
    """When the next job falls due, so an idle worker knows how long it may sleep."""
    value: datetime | None = conn.execute(
        sa.select(sa.func.min(jobs.c.due_at)).where(jobs.c.done_at.is_(None))).scalar()
    return value


def enqueue(conn: Connection, project_id: int, kind: str, dedupe: str, ordering_key: str,
            payload: dict[str, Any], now: datetime) -> None:
    """Queue an effect once per DEDUPE; it is delivered after every earlier effect with the
    same ORDERING_KEY."""
    _insert_ignore(conn, outbox, {"project_id": project_id, "kind": kind, "dedupe": dedupe,
                                  "ordering_key": ordering_key, "payload": payload,
                                  "created_at": now, "next_attempt_at": now, "attempts": 0})


def claim_effects(conn: Connection, now: datetime, limit: int = 20,
                  lease: timedelta = LEASE) -> list[Effect]:
    """Up to LIMIT due, unleased effects, each the oldest undelivered of its key; leased to the
    caller. Claimed in batches, as the ordering check costs a query whatever the batch."""
    older = outbox.alias("older")
    first_of_key = ~sa.exists().where(older.c.ordering_key == outbox.c.ordering_key,
                                      older.c.delivered_at.is_(None), older.c.id < outbox.c.id)
    query = (sa.select(outbox).where(
        outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now,
        sa.or_(outbox.c.locked_until.is_(None), outbox.c.locked_until < now), first_of_key)
        .order_by(outbox.c.id).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=outbox)
    rows = conn.execute(query).all()
    if rows:
        conn.execute(outbox.update().where(outbox.c.id.in_([r.id for r in rows]))
                     .values(locked_until=now + lease))
    return [Effect(r.id, r.project_id, r.kind, r.ordering_key, dict(r.payload), r.attempts,
                   retried=r.attempts > 0 or r.locked_until is not None,
                   created_at=r.created_at) for r in rows]


def delivered(conn: Connection, effect: Effect, now: datetime) -> bool:
    """Mark EFFECT delivered; False when it already was (a lease that ran out meanwhile)."""
    done = conn.execute(outbox.update().where(outbox.c.id == effect.id,
                                              outbox.c.delivered_at.is_(None))
                        .values(delivered_at=now, attempts=outbox.c.attempts + 1,
                                locked_until=None, last_error=None))
    return done.rowcount == 1


def delivered_many(conn: Connection, effects: list[Effect], now: datetime) -> set[int]:
    """Mark EFFECTS delivered in one statement; the ids of those that were not already."""
    if not effects:
        return set()
    done = conn.execute(outbox.update().where(outbox.c.id.in_([e.id for e in effects]),
                                              outbox.c.delivered_at.is_(None))
                        .values(delivered_at=now, attempts=outbox.c.attempts + 1,
                                locked_until=None, last_error=None)
                        .returning(outbox.c.id))
    return {int(row.id) for row in done}


def failed(conn: Connection, effect: Effect, now: datetime, error: str,
           retry_after: timedelta | None = None) -> datetime:
    """Record a failed delivery and when to try again; returns that instant."""
    attempts = effect.attempts + 1
    wait = min(BACKOFF_BASE * 2 ** min(attempts - 1, 20), BACKOFF_MAX)
    if retry_after is not None:
        wait = max(wait, retry_after)
    when: datetime = now + wait
    conn.execute(outbox.update().where(outbox.c.id == effect.id)
                 .values(attempts=attempts, next_attempt_at=when, locked_until=None,
                         last_error=error[:500]))
    return when
