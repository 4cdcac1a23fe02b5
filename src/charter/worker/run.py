"""The worker: fires due deadlines and delivers queued effects; run as many as you like.

A deadline is fired inside the transaction that claimed its job, so it happens once or, if the
worker dies, not at all and is claimed again. An effect is leased, delivered, then marked; a
failure waits with exponential backoff (or the receiver's `Retry-After`) and is never dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.engine import Connection

from charter.store import notices, queue, snapshots
from charter.store.db import writing
from charter.store.projects import Governance, utcnow

log = logging.getLogger("charter.worker")


class DeliveryFailed(Exception):
    """The receiver refused or was unreachable; RETRY_AFTER is its own hint, if it gave one."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Timer(Protocol):
    def __call__(self, conn: Connection, job: queue.Job, now: datetime) -> None:
        """Do what JOB's timer is for, in its claiming transaction."""


class Deliverer(Protocol):
    def __call__(self, effect: queue.Effect) -> None:
        """Deliver EFFECT or raise DeliveryFailed."""


def log_notice(effect: queue.Effect) -> None:
    """Notices when no mail server is configured: written to the service's log."""
    payload = effect.payload
    log.info("notice %s %s %s: %s", payload.get("project"), payload.get("kind"),
             payload.get("subject"), {k: v for k, v in payload.items()
                                      if k not in ("project", "kind", "subject")})


@dataclass
class Worker:
    gov: Governance
    deliverers: Mapping[str, Deliverer]
    clock: Callable[[], datetime] = utcnow
    lease: timedelta = queue.LEASE
    #: Timer kinds beyond the engine's deadlines and the votes' reminders (a GitHub worker's
    #: stale pull requests); a job of a kind no worker knows waits for one that does.
    timers: Mapping[str, Timer] = field(default_factory=dict)
    #: How often an idle worker looks for projects whose log outgrew their newest snapshot.
    snapshot_check: timedelta = timedelta(minutes=1)
    _snapshot_checked: datetime | None = None

    def snapshot_due(self, every: int = snapshots.EVERY) -> int:
        """Snapshot every project whose log has grown EVERY events past its newest snapshot,
        at most once per `snapshot_check`; returns how many were written."""
        now = self.clock()
        if self._snapshot_checked is not None \
                and now - self._snapshot_checked < self.snapshot_check:
            return 0
        self._snapshot_checked = now
        written = 0
        for name in self.gov.snapshots_due(every):
            seq = self.gov.write_snapshot(name, every)
            if seq is not None:
                log.info("snapshot of %s at seq %s", name, seq)
                written += 1
        return written

    def fire_due(self, limit: int = 100) -> int:
        """Fire up to LIMIT due deadlines, one transaction each; returns how many fired."""
        fired = 0
        while fired < limit:
            with writing(self.gov.db) as conn:
                now = self.clock()
                job = queue.claim_job(conn, now, (queue.DEADLINE, notices.REMIND,
                                                  *self.timers))
                if job is None:
                    return fired
                if job.kind == queue.DEADLINE:
                    self.gov.fire(conn, job, now)
                elif job.kind == notices.REMIND:
                    notices.remind(self.gov, conn, job, now)
                else:
                    self.timers[job.kind](conn, job, now)
                queue.finish_job(conn, job, now)
            fired += 1
        return fired

    def deliver_due(self, limit: int = 100) -> int:
        """Deliver up to LIMIT due effects; returns how many were delivered."""
        done = 0
        tried = 0
        while tried < limit:
            with writing(self.gov.db) as conn:
                batch = queue.claim_effects(conn, self.clock(), min(20, limit - tried),
                                            self.lease)
            if not batch:
                break
            tried += len(batch)
            sent = [effect for effect in batch if self._deliver(effect)]
            # One transaction marks the whole batch: a commit per effect was most of a
            # worker's time on PostgreSQL. Dying before it re-sends the batch, which each
            # deliverer makes harmless (comment markers, idempotent labels, Message-IDs).
            with writing(self.gov.db) as conn:
                marked = queue.delivered_many(conn, sent, self.clock())
            done += len(marked)
            for effect in sent:
                if effect.id in marked and "notice" in effect.payload:
                    # The record that each notice reached its recipients (the outbox too).
                    log.info("notice %s of %s delivered by %s to %s",
                             effect.payload.get("notice"), effect.payload.get("decision"),
                             effect.kind, ", ".join(map(str, effect.payload.get(
                                 "recipients", []))) or "-")
        return done

    def _deliver(self, effect: queue.Effect) -> bool:
        """Deliver one leased effect; a failure is recorded at once. True when delivered
        (the caller marks it)."""
        deliver = self.deliverers.get(effect.kind)
        try:
            if deliver is None:
                raise DeliveryFailed(f"no deliverer for {effect.kind!r} effects")
            deliver(effect)
        except DeliveryFailed as err:
            with writing(self.gov.db) as conn:
                when = queue.failed(conn, effect, self.clock(), str(err), err.retry_after)
            log.warning("effect %s (%s) failed: %s; next try at %s", effect.id, effect.kind,
                        err, when.isoformat())
            return False
        except Exception as err:  # a deliverer's bug must not stop the worker
            with writing(self.gov.db) as conn:
                queue.failed(conn, effect, self.clock(), f"{type(err).__name__}: {err}")
            log.exception("effect %s (%s) raised", effect.id, effect.kind)
            return False
        return True

    def run(self, stop: threading.Event, idle: float = 1.0) -> None:
        """Work until STOP is set, sleeping IDLE seconds (or less) when nothing is due."""
        listener = queue.listen(self.gov.db, stop)
        while not stop.is_set():
            try:
                busy = self._step()
            except Exception:  # the database went away for a moment: keep the worker alive
                log.exception("worker step failed; retrying")
                busy = 0
            if not busy:
                self._idle_snapshots()
                queue.idle_wait(stop, idle)
        if listener is not None:
            listener.join(timeout=1.0)

    def _step(self) -> int:
        """One round of work; how much was done (0: idle)."""
        return self.fire_due() + self.deliver_due()

    def _idle_snapshots(self) -> None:
        try:
            self.snapshot_due()
        except Exception:  # a snapshot is a cache: failing to write one stops nothing
            log.exception("writing snapshots failed; the next check tries again")
