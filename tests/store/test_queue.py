"""Waking workers: `announce` in a committed transaction rings every listening process."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from charter.store import queue
from charter.store.db import writing


def _rung_within(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if queue._doorbell.is_set():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize(("commit", "rings"), [(True, True), (False, False)])
def test_an_announcement_rings_listeners_once_committed(db: sa.Engine, commit: bool,
                                                        rings: bool) -> None:
    stop = threading.Event()
    listener = queue.listen(db, stop)
    try:
        if db.dialect.name != "postgresql":
            assert listener is None  # SQLite's workers in other processes poll
            return
        assert listener is not None
        assert _rung_within(5.0)  # listening: it rings once for what it may have missed
        queue._doorbell.clear()
        try:
            with writing(db) as conn:
                queue.announce(conn)
                if not commit:
                    raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert _rung_within(1.0) is rings
    finally:
        stop.set()
        if listener is not None:
            listener.join(timeout=5.0)
            assert not listener.is_alive()
        queue._doorbell.clear()
