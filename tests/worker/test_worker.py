"""The worker on real databases: deadlines fire once across workers and crashes, effects are
retried with backoff and delivered in order, never dropped.

The reliability tests run at CHARTER_RELIABILITY_SCALE deadlines (10,000 in CI, 1,000 by
default elsewhere, to keep a developer's run short).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from charter.store import queue
from charter.store.db import connect, upgrade
from charter.store.projects import Governance
from charter.store.tables import jobs, outbox, projects
from charter.worker.run import DeliveryFailed, Worker
from tests.service_fixtures import new_postgres_db, sqlite_url
from tests.store.conftest import KEY, Clock

SCALE = int(os.environ.get("CHARTER_RELIABILITY_SCALE") or (10_000 if os.environ.get("CI")
                                                            else 1_000))
PEOPLE = {"alice": "maintainer", "bob": "maintainer", "dave": "contributor"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    yield from new_postgres_db()


def seed_deadlines(db: sa.Engine, count: int, start: datetime) -> None:
    """COUNT lazy-consensus decisions over a few projects, all already past their window.

    Written straight through Governance at past instants, in bulk transactions' worth of
    commands, so the test spends its time on firing, not on seeding.
    """
    per_project = 500
    for p in range((count + per_project - 1) // per_project):
        clock = Clock(start)
        gov = Governance(db, KEY, clock=clock)
        name = f"load/p{p}"
        gov.create_project(name, "llama-stack", PEOPLE)
        for i in range(min(per_project, count - p * per_project)):
            clock.advance(seconds=7)
            gov.apply(name, "dave", {"do": "propose", "id": f"D{i}",
                                     "process": "lazy-consensus"})


def counts(db: sa.Engine) -> tuple[int, int, int]:
    with db.connect() as conn:
        done = conn.execute(sa.select(sa.func.count()).select_from(jobs)
                            .where(jobs.c.done_at.is_not(None))).scalar_one()
        twice = conn.execute(sa.select(sa.func.count()).select_from(jobs)
                             .where(jobs.c.attempts > 1)).scalar_one()
        accepted = conn.execute(sa.select(sa.func.count()).select_from(outbox)
                                .where(outbox.c.dedupe.like("notice:status-changed:%"))
                                ).scalar_one()
    return done, twice, accepted


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from new_postgres_db()


def test_two_workers_fire_each_deadline_once(pg_url: str) -> None:
    db = connect(pg_url)
    upgrade(db)
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    seed_deadlines(db, SCALE, start)
    now = start + timedelta(days=30)
    workers = [Worker(Governance(connect(pg_url), KEY), {}, clock=lambda: now)
               for _ in range(2)]
    fired = [0, 0]

    def run(i: int) -> None:
        while (n := workers[i].fire_due(50)) > 0:
            fired[i] += n

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done, twice, accepted = counts(db)
    assert sum(fired) == SCALE and done == SCALE and twice == 0
    assert accepted == SCALE  # one "accepted" notice per decision, none twice
    assert min(fired) > 0  # both took part
    db.dispose()


def test_kill_9_mid_work_loses_nothing_and_repeats_nothing(url: str, tmp_path: Path) -> None:
    db = connect(url)
    upgrade(db)
    start = datetime.now(UTC) - timedelta(days=30)
    seed_deadlines(db, SCALE, start)
    env = {**os.environ, "CHARTER_DATABASE_URL": url, "CHARTER_SECRET_KEY": KEY.decode(),
           "CHARTER_WORKER_LEASE_SECONDS": "1"}
    command = [sys.executable, "-m", "charter", "worker"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while counts(db)[0] < SCALE // 4:
            assert first.poll() is None, "the worker stopped by itself"
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert counts(db)[0] < SCALE, "the worker finished before it could be killed"
    time.sleep(1.1)  # let the dead worker's effect leases run out
    again = subprocess.run([*command, "--once"], env=env, capture_output=True, text=True,
                           timeout=600, check=False)
    assert again.returncode == 0, again.stderr
    done, twice, accepted = counts(db)
    assert (done, twice, accepted) == (SCALE, 0, SCALE)
    with db.connect() as conn:
        undelivered = conn.execute(sa.select(sa.func.count()).select_from(outbox)
                                   .where(outbox.c.delivered_at.is_(None))).scalar_one()
        delivered_twice = conn.execute(sa.select(sa.func.count()).select_from(outbox)
                                       .where(outbox.c.attempts > 1)).scalar_one()
    assert undelivered == 0
    # A killed delivery may be tried again (its lease ran out), but it is marked once.
    assert delivered_twice <= 1
    db.dispose()


def _project(db: sa.Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(sa.select(projects.c.id)).scalar_one())


def test_effects_are_retried_with_backoff_in_order(url: str) -> None:
    db = connect(url)
    upgrade(db)
    clock = Clock()
    gov = Governance(db, KEY, clock=clock)
    gov.create_project("acme/x", "llama-stack", PEOPLE)
    project = _project(db)
    with db.begin() as conn:
        for i in range(3):
            queue.enqueue(conn, project, "comment", f"c{i}", "pr:7", {"n": i}, clock.now)
        queue.enqueue(conn, project, "comment", "c0", "pr:7", {"n": 99}, clock.now)  # dedupe
    seen: list[int] = []
    failures = {"left": 3}

    def flaky(effect: queue.Effect) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise DeliveryFailed("503 from the receiver",
                                 retry_after=timedelta(seconds=30) if failures["left"] == 0
                                 else None)
        seen.append(int(effect.payload["n"]))

    worker = Worker(gov, {"comment": flaky}, clock=clock)
    assert worker.deliver_due() == 0  # the first fails; the others wait behind it
    for wait in (2, 4, 30):
        assert worker.deliver_due() == 0  # not due yet
        clock.advance(seconds=wait)
        delivered = worker.deliver_due()
    assert delivered == 3 and seen == [0, 1, 2]
    with db.connect() as conn:
        rows = conn.execute(sa.select(outbox.c.attempts, outbox.c.delivered_at)
                            .order_by(outbox.c.id)).all()
    assert [r.attempts for r in rows] == [4, 1, 1] and all(r.delivered_at for r in rows)
    db.dispose()


def test_an_effect_without_a_deliverer_is_kept(url: str) -> None:
    db = connect(url)
    upgrade(db)
    clock = Clock()
    gov = Governance(db, KEY, clock=clock)
    gov.create_project("acme/x", "llama-stack", PEOPLE)
    with db.begin() as conn:
        queue.enqueue(conn, _project(db), "carrier-pigeon", "p1", "k", {}, clock.now)
    assert Worker(gov, {}, clock=clock).deliver_due() == 0
    with db.connect() as conn:
        row = conn.execute(sa.select(outbox)).one()
    assert row.delivered_at is None and "no deliverer" in row.last_error
    db.dispose()


def test_a_batch_is_marked_at_once_and_a_lost_lease_is_a_retry(url: str) -> None:
    db = connect(url)
    upgrade(db)
    clock = Clock()
    gov = Governance(db, KEY, clock=clock)
    gov.create_project("acme/x", "llama-stack", PEOPLE)
    with db.begin() as conn:
        for i in range(5):
            queue.enqueue(conn, _project(db), "comment", f"b{i}", f"issue:{i}", {"n": i},
                          clock.now)
        claimed = queue.claim_effects(conn, clock.now, 5)  # a worker that then died
    assert [e.retried for e in claimed] == [False] * 5
    clock.advance(seconds=61)  # its lease ran out
    seen: list[queue.Effect] = []
    worker = Worker(gov, {"comment": lambda effect: seen.append(effect)}, clock=clock)
    assert worker.deliver_due() == 5
    assert [e.retried for e in seen] == [True] * 5  # so deliverers look before resending
    with db.begin() as conn:
        assert queue.delivered_many(conn, seen[:2], clock.now) == set()  # marked already
        rows = conn.execute(sa.select(outbox.c.delivered_at)).all()
    assert all(r.delivered_at == clock.now for r in rows)
    db.dispose()


def test_a_stored_webhook_wakes_an_idle_worker_at_once(url: str) -> None:
    db = connect(url)
    upgrade(db)
    gov = Governance(db, KEY)
    gov.create_project("acme/x", "llama-stack", PEOPLE)
    seen = threading.Event()
    worker = Worker(gov, {"comment": lambda effect: seen.set()})
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), kwargs={"idle": 60.0})
    thread.start()
    try:
        time.sleep(0.5)  # the worker found nothing and sleeps for up to a minute
        with db.begin() as conn:
            queue.enqueue(conn, _project(db), "comment", "w", "k", {}, datetime.now(UTC))
        started = time.monotonic()
        queue.ring()
        assert seen.wait(10) and time.monotonic() - started < 5
    finally:
        stop.set()
        queue.ring()
        thread.join(timeout=10)
    db.dispose()
