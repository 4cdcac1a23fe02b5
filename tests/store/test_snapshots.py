"""Snapshots on real databases: a snapshot plus the later events folds to the full rebuild's
state, and a snapshot that is altered, stale or foreign is ignored, never believed."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from charter.policy.loader import load_policy
from charter.store import snapshots
from charter.store.log import canonical, sha256
from charter.store.projects import Governance
from charter.store.tables import events, policies, projects
from charter.store.tables import snapshots as snapshot_table
from charter.worker.run import Worker
from tests.store.conftest import KEY, Clock
from tests.store.test_projects import NAME, SHORT, _secret_nomination, make, simulate


def _history(gov: Governance, clock: Clock, start: int, count: int) -> None:
    """COUNT more commands of several kinds: proposals, objections, a vote, rejections."""
    for i in range(start, start + count):
        clock.advance(hours=5)
        step = i % 4
        if step == 0:
            gov.apply(NAME, "dave", {"do": "propose", "id": f"P{i}", "process": "lazy-consensus"})
        elif step == 1:
            gov.apply(NAME, "bob", {"do": "object", "id": f"P{i - 1}", "reason": "no"})
        elif step == 2:
            gov.apply(NAME, "alice", {"do": "call-vote", "id": f"P{i - 2}", "vote": f"V{i}"})
        else:
            gov.apply(NAME, "carol", {"do": "vote", "id": f"V{i - 1}", "choice": "yes"})


def _fresh(db: sa.Engine, clock: Clock, key: bytes = KEY) -> Governance:
    return Governance(db, key, clock=clock)


def _rebuilt(db: sa.Engine, clock: Clock) -> dict[str, Any]:
    """The state a fresh process folds from the log alone (no key: no snapshot is read)."""
    return Governance(db, None, clock=clock).state(NAME)


def test_snapshot_then_later_events_equals_the_full_rebuild(gov: Governance, clock: Clock,
                                                            db: sa.Engine) -> None:
    _secret_nomination(gov, clock)  # a sealed vote still uncounted at the snapshot
    _history(gov, clock, 0, 9)
    seq = gov.write_snapshot(NAME, every=1)
    assert seq == 13
    _history(gov, clock, 9, 11)
    clock.advance(days=9)  # deadlines after the snapshot, the secret count among them
    Worker(gov, {"notice": lambda effect: None}, clock=clock).fire_due(1000)
    fresh = _fresh(db, clock)
    assert fresh.state(NAME) == _rebuilt(db, clock) == gov.state(NAME)
    assert fresh._by_name[NAME].snapshot_seq == seq
    # A fresh process goes on from there exactly as the warm one does.
    clock.advance(hours=1)
    body = {"do": "propose", "id": "LAST", "process": "lazy-consensus"}
    logged = len(gov.events_after(NAME, 0, 10**6))
    assert fresh.apply(NAME, "dave", body).event.seq == logged + 1
    assert gov.state(NAME) == fresh.state(NAME) == _rebuilt(db, clock)
    assert gov.verify(NAME) is None


def test_a_snapshot_keeps_the_policies_adopted(gov: Governance, clock: Clock, db: sa.Engine,
                                              tmp_path: Path) -> None:
    _secret_nomination(gov, clock)
    _history(gov, clock, 0, 5)  # P4 opens under the first policy and is open at the snapshot
    clock.advance(hours=1)
    assert gov.adopt_policy(NAME, SHORT, by="alice")
    _history(gov, clock, 5, 4)  # P8 opens under SHORT
    seq = gov.write_snapshot(NAME, every=1)
    assert seq == len(gov.events_after(NAME, 0, 10**6))
    clock.advance(hours=1)
    assert gov.adopt_policy(NAME, "llm-d")  # after the snapshot: folded onto it
    _history(gov, clock, 12, 5)
    clock.advance(days=9)
    Worker(gov, {"notice": lambda effect: None}, clock=clock).fire_due(1000)
    fresh = _fresh(db, clock)
    state = fresh.state(NAME)
    assert fresh._by_name[NAME].snapshot_seq == seq
    assert state == _rebuilt(db, clock) == gov.state(NAME)
    hashes = [p["hash"] for p in state["policies"]]
    assert len(hashes) == 3 == len(set(hashes))
    assert {state["decisions"][d]["policy"] for d in ("P4", "P8", "P12")} == \
        {h[:12] for h in hashes}
    # The warm fields a later command is parsed and recorded under are the full fold's.
    rebuilt = Governance(db, None, clock=clock)
    rebuilt.state(NAME)
    for warm in (fresh._by_name[NAME], gov._by_name[NAME]):
        other = rebuilt._by_name[NAME]
        assert (warm.policy_hash, warm.policy.digest, warm.seq, warm.last_hash, warm.last_at,
                warm.uncounted) == (other.policy_hash, other.policy.digest, other.seq,
                                    other.last_hash, other.last_at, other.uncounted)
        assert [(v.index, v.digest, v.since, v.by) for v in warm.engine.policies] == \
            [(v.index, v.digest, v.since, v.by) for v in other.engine.policies]
        assert warm.engine.policy is warm.engine.policies[-1].policy
    assert warm.policy_hash == hashes[-1] == gov.project(NAME).policy_hash
    # A process started from the snapshot goes on under the newest policy, then adopts again.
    clock.advance(hours=1)
    body = {"do": "propose", "id": "LAST", "process": "lazy-consensus"}
    assert fresh.apply(NAME, "dave", body).event.policy == hashes[-1]
    assert fresh.adopt_policy(NAME, "llama-stack")
    assert gov.state(NAME) == fresh.state(NAME) == _rebuilt(db, clock)
    assert gov.verify(NAME) is None
    assert simulate(tmp_path, gov.export(NAME)) == gov.state(NAME)
    # A snapshot written after several adoptions restores as well.
    assert gov.write_snapshot(NAME, every=1) is not None
    again = _fresh(db, clock)
    assert again.state(NAME) == _rebuilt(db, clock)
    assert again._by_name[NAME].snapshot_seq == len(gov.events_after(NAME, 0, 10**6))


def _flip_state(db: sa.Engine, clock: Clock) -> Governance:
    with db.begin() as conn:
        state = conn.execute(sa.select(snapshot_table.c.state)).scalar_one()
        conn.execute(snapshot_table.update().values(state=state[:-1] + bytes([state[-1] ^ 1])))
    return _fresh(db, clock)


def _other_key(db: sa.Engine, clock: Clock) -> Governance:
    return _fresh(db, clock, b"another secret key, not the one")


def _other_chain(db: sa.Engine, clock: Clock) -> Governance:
    # The log was restored from elsewhere: the event at the snapshot's seq is not the one.
    with db.begin() as conn:
        seq = conn.execute(sa.select(snapshot_table.c.seq)).scalar_one()
        conn.execute(events.update().where(events.c.seq == seq).values(hash="f" * 64))
    return _fresh(db, clock)


def _other_engine(db: sa.Engine, clock: Clock) -> Governance:
    # Signed by this key but written by another version of the engine's code.
    with db.begin() as conn:
        row = conn.execute(sa.select(snapshot_table)).one()
        fmt = "0" * 64
        conn.execute(snapshot_table.update().values(format=fmt, mac=snapshots._mac(
            KEY, row.project_id, row.seq, row.hash, row.policy, fmt, bytes(row.state))))
    return _fresh(db, clock)


def _signed_garbage(db: sa.Engine, clock: Clock) -> Governance:
    # Signed, of this engine, but not a pickled engine: it fails to load.
    with db.begin() as conn:
        row = conn.execute(sa.select(snapshot_table)).one()
        state = b"not a snapshot"
        conn.execute(snapshot_table.update().values(state=state, mac=snapshots._mac(
            KEY, row.project_id, row.seq, row.hash, row.policy, row.format, state)))
    return _fresh(db, clock)


def _other_first_policy(db: sa.Engine, clock: Clock) -> Governance:
    # The project's log now starts from another policy than the snapshot's engine did.
    data = load_policy("llm-d").data
    digest = sha256(canonical(data))
    with db.begin() as conn:
        conn.execute(policies.insert().values(hash=digest, content=data))
        conn.execute(projects.update().values(initial_policy=digest))
    return _fresh(db, clock)


@pytest.mark.parametrize(("spoil", "why"), [
    (_flip_state, "signature"),
    (_other_key, "signature"),
    (_other_chain, "does not have its hash"),
    (_other_engine, "another version"),
    (_signed_garbage, "does not load"),
    (_other_first_policy, "first policy is not the project's"),
])
def test_an_unsound_snapshot_is_ignored(gov: Governance, clock: Clock, db: sa.Engine,
                                        caplog: pytest.LogCaptureFixture, spoil: Any,
                                        why: str) -> None:
    _secret_nomination(gov, clock)
    _history(gov, clock, 0, 6)
    assert gov.write_snapshot(NAME, every=1) is not None
    _history(gov, clock, 6, 3)
    fresh = spoil(db, clock)
    with caplog.at_level(logging.WARNING, logger="charter.store"):
        state = fresh.state(NAME)
    assert state == _rebuilt(db, clock)
    assert fresh._by_name[NAME].snapshot_seq == 0
    assert any(why in r.getMessage() and "ignored" in r.getMessage() for r in caplog.records)


def test_the_worker_writes_snapshots_as_the_log_grows(gov: Governance, clock: Clock,
                                                      db: sa.Engine) -> None:
    worker_clock = Clock()
    worker = Worker(gov, {"notice": lambda effect: None}, clock=worker_clock)
    _secret_nomination(gov, clock)
    assert gov.snapshots_due(every=5) == [] and worker.snapshot_due(every=5) == 0
    _history(gov, clock, 0, 4)
    assert gov.snapshots_due(every=5) == [NAME]
    assert worker.snapshot_due(every=5) == 0  # checked a moment ago: not again so soon
    worker_clock.advance(minutes=2)
    assert worker.snapshot_due(every=5) == 1 and gov.snapshots_due(every=5) == []
    for round_ in range(3):  # only the newest KEEP are kept
        _history(gov, clock, 10 + 5 * round_, 5)
        worker_clock.advance(minutes=2)
        assert worker.snapshot_due(every=5) == 1
    with db.connect() as conn:
        kept = conn.execute(sa.select(snapshot_table.c.seq)
                            .order_by(snapshot_table.c.seq)).scalars().all()
    assert len(kept) == snapshots.KEEP and kept[-1] == len(gov.events_after(NAME, 0, 10**6))
    assert _fresh(db, clock).state(NAME) == _rebuilt(db, clock)
    # Snapshots are caches: the audit still checks the log from its first event.
    with db.begin() as conn:
        conn.execute(events.update().where(events.c.seq == 2).values(rejected="edited"))
    broken = gov.verify(NAME)
    assert broken is not None and broken[0].seq == 2


def test_no_key_no_snapshot(db: sa.Engine, clock: Clock) -> None:
    gov = Governance(db, None, clock=clock)
    make(gov)
    _history(gov, clock, 0, 4)
    assert gov.write_snapshot(NAME, every=1) is None
