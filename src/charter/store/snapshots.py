"""Snapshots: a project's folded state at one seq, so a fresh process need not fold it all.

A snapshot is the engine (pickled, then compressed) as a fold of the log up to `seq` leaves it,
stored with the hash of the event at `seq`, the policy's hash and a fingerprint of the engine's
code, and signed with an HMAC under a key derived from CHARTER_SECRET_KEY. It is loaded only when
the signature, the fingerprint, the policy and the chain (the event at `seq` has that hash) all
agree; the signature is checked before anything is unpickled, so a row written by anyone
without the key is never unpickled. Anything else is ignored with a log line and the project is
rebuilt from the log: a snapshot is a cache and can never change a decision.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import pickle
import sys
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from charter.engine.machine import Engine
from charter.policy.loader import LoadedPolicy
from charter.store.log import canonical
from charter.store.tables import events, snapshots

log = logging.getLogger("charter.store")

#: A snapshot is written once a project's log has grown this many events past its newest one.
EVERY = 10_000
#: Snapshots kept per project (the newest); older ones are deleted when a new one is written.
KEEP = 2


@cache
def fingerprint() -> str:
    """The engine's code (every module of charter.engine) and Python's version: a snapshot is
    loaded only by the code that wrote it, so a changed class never unpickles into a wrong
    shape."""
    digest = hashlib.sha256(f"{sys.version_info[0]}.{sys.version_info[1]}".encode())
    root = resources.files("charter.engine")
    stack = [root]
    found = []
    while stack:
        for item in stack.pop().iterdir():
            if item.is_dir():
                stack.append(item)
            elif item.name.endswith(".py"):
                found.append((str(item), item.read_bytes()))
    for name, content in sorted(found):
        digest.update(name.rsplit("charter", 1)[-1].encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def _key(secret: bytes) -> bytes:
    # A key of its own, so a snapshot's MAC can never stand for a ballot token or a session.
    return hmac.new(secret, b"charter snapshot v1", hashlib.sha256).digest()


def _mac(secret: bytes, project_id: int, seq: int, event_hash: str, policy: str, fmt: str,
         state: bytes) -> str:
    head = canonical({"project": project_id, "seq": seq, "hash": event_hash, "policy": policy,
                      "format": fmt}).encode()
    return hmac.new(_key(secret), head + b"\n" + state, hashlib.sha256).hexdigest()


class _Pickler(pickle.Pickler):
    """Leaves the policy and its calendar out: they come back from the project's row."""

    def __init__(self, file: io.BytesIO, engine: Engine) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = {id(engine.policy): "policy", id(engine.calendar): "calendar"}

    def persistent_id(self, obj: Any) -> str | None:
        return self.shared.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: dict[str, Any]) -> None:
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, pid: Any) -> Any:
        if pid not in self.shared:
            raise pickle.UnpicklingError(f"unknown shared object {pid!r}")
        return self.shared[pid]


@dataclass(frozen=True)
class Loaded:
    engine: Engine
    uncounted: set[str]
    seq: int
    hash: str
    at: datetime


def write(conn: Connection, secret: bytes, project_id: int, seq: int, event_hash: str,
          policy: str, engine: Engine, uncounted: set[str], now: datetime) -> int:
    """Store ENGINE (the fold up to SEQ) as a signed snapshot and keep only the newest KEEP;
    returns the snapshot's size in bytes."""
    buffer = io.BytesIO()
    _Pickler(buffer, engine).dump((engine, sorted(uncounted)))
    state = zlib.compress(buffer.getvalue(), 1)
    fmt = fingerprint()
    conn.execute(snapshots.insert().values(
        project_id=project_id, seq=seq, hash=event_hash, policy=policy, format=fmt, state=state,
        mac=_mac(secret, project_id, seq, event_hash, policy, fmt, state), created_at=now))
    old = conn.execute(sa.select(snapshots.c.seq).where(snapshots.c.project_id == project_id)
                       .order_by(snapshots.c.seq.desc()).offset(KEEP)).scalars().all()
    if old:
        conn.execute(snapshots.delete().where(snapshots.c.project_id == project_id,
                                              snapshots.c.seq.in_(old)))
    return len(state)


def newest_seq(conn: Connection, project_id: int) -> int:
    """The seq of the project's newest snapshot (0 when it has none)."""
    found = conn.execute(sa.select(sa.func.max(snapshots.c.seq))
                         .where(snapshots.c.project_id == project_id)).scalar()
    return int(found or 0)


def load(conn: Connection, secret: bytes, project_id: int, name: str, policy_hash: str,
         policy: LoadedPolicy, engine: Engine) -> Loaded | None:
    """The newest snapshot of the project that is sound, or None (each unsound one logged).

    ENGINE is a fresh engine for the project: its policy and calendar are the ones restored."""
    rows = conn.execute(sa.select(snapshots).where(snapshots.c.project_id == project_id)
                        .order_by(snapshots.c.seq.desc()).limit(KEEP + 1)).all()
    for row in rows:
        why = _unsound(conn, secret, project_id, policy_hash, row)
        if why is not None:
            log.warning("snapshot of %s at seq %s ignored (%s); folding the log instead",
                        name, row.seq, why)
            continue
        at = conn.execute(sa.select(events.c.at).where(events.c.project_id == project_id,
                                                       events.c.seq == row.seq)).scalar_one()
        try:
            shared = {"policy": engine.policy, "calendar": engine.calendar}
            restored, uncounted = _Unpickler(io.BytesIO(zlib.decompress(row.state)),
                                             shared).load()
            if not isinstance(restored, Engine) or restored.policy is not policy.policy:
                raise TypeError("not an engine of this policy")
        except Exception as err:  # a signed snapshot that fails anyway: never fatal
            log.warning("snapshot of %s at seq %s ignored (it does not load: %s); folding the "
                        "log instead", name, row.seq, err)
            continue
        return Loaded(restored, set(uncounted), int(row.seq), row.hash, at)
    return None


def _unsound(conn: Connection, secret: bytes, project_id: int, policy_hash: str,
             row: Any) -> str | None:
    expected = _mac(secret, project_id, int(row.seq), row.hash, row.policy, row.format,
                    bytes(row.state))
    if not hmac.compare_digest(expected, row.mac):
        return "its signature does not match: altered, or written under another secret key"
    if row.format != fingerprint():
        return "written by another version of the engine"
    if row.policy != policy_hash:
        return "written under another policy"
    at_seq = conn.execute(sa.select(events.c.hash).where(events.c.project_id == project_id,
                                                         events.c.seq == row.seq)).scalar()
    if at_seq != row.hash:
        return "the event at its seq does not have its hash: the log and the snapshot differ"
    return None
