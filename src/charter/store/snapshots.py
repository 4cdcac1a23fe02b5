"""Snapshots: a project's folded state at one seq, so a fresh process need not fold it all.

A snapshot is the engine (pickled, then compressed) as a fold of the log up to `seq` leaves it,
stored with the hash of the event at `seq`, the hash of the policy in force there and a
fingerprint of the engine's code, and signed with an HMAC under a key derived from
CHARTER_SECRET_KEY. Every policy the engine holds (the first and each adopted one) is pickled as
its content hash and loaded back from the policies table. A snapshot is loaded only when the
signature, the fingerprint, the policies (the first is the project's, the newest is the one the
event at `seq` records) and the chain (the event at `seq` has that hash) all agree; the
signature is checked before anything is unpickled, so a row written by anyone without the key
is never unpickled. Anything else is ignored with a log line and the project is
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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from charter.engine.calendar import BusinessCalendar
from charter.engine.machine import Engine, calendar_for
from charter.policy.loader import LoadedPolicy
from charter.store.log import canonical
from charter.store.tables import events, snapshots

log = logging.getLogger("charter.store")

#: A snapshot is written once a project's log has grown this many events past its newest one.
EVERY = 10_000
#: Snapshots kept per project (the newest); older ones are deleted when a new one is written.
KEEP = 2
#: How a snapshot is laid out (bumped when that changes): part of the fingerprint, so a row
#: of another layout is ignored as another version's.
LAYOUT = 2


@cache
def fingerprint() -> str:
    """The engine's code (every module of charter.engine), Python's version and the LAYOUT: a
    snapshot is loaded only by the code that wrote it, so a changed class never unpickles into
    a wrong shape."""
    digest = hashlib.sha256(f"{sys.version_info[0]}.{sys.version_info[1]} {LAYOUT}".encode())
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
    """Leaves each policy and its calendar out, named by the policy's hash: they come back
    from the policies table."""

    def __init__(self, file: io.BytesIO, engine: Engine) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared: dict[int, tuple[str, str]] = {}
        for version in engine.policies:
            if not version.digest:
                raise ValueError(f"policy #{version.index} has no hash")
            self.shared[id(version.policy)] = ("policy", version.digest)
            self.shared[id(version.calendar)] = ("calendar", version.digest)

    def persistent_id(self, obj: Any) -> tuple[str, str] | None:
        return self.shared.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, policy_of: Callable[[str], LoadedPolicy]) -> None:
        super().__init__(file)
        self.policy_of = policy_of
        self.calendars: dict[str, BusinessCalendar] = {}

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 2 and pid[0] in ("policy", "calendar")
                and isinstance(pid[1], str)):
            raise pickle.UnpicklingError(f"unknown shared object {pid!r}")
        kind, digest = pid
        policy = self.policy_of(digest).policy
        if kind == "policy":
            return policy
        # One calendar per policy, so the engine's calendar is its newest version's, as a fold
        # leaves it.
        if digest not in self.calendars:
            self.calendars[digest] = calendar_for(policy)
        return self.calendars[digest]


@dataclass(frozen=True)
class Loaded:
    engine: Engine
    uncounted: set[str]
    seq: int
    hash: str
    at: datetime
    policy_hash: str  # the policy in force at `seq`


def write(conn: Connection, secret: bytes, project_id: int, seq: int, event_hash: str,
          policy: str, engine: Engine, uncounted: set[str], now: datetime) -> int:
    """Store ENGINE (the fold up to SEQ, POLICY in force) as a signed snapshot and keep only
    the newest KEEP; returns the snapshot's size in bytes."""
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


def load(conn: Connection, secret: bytes, project_id: int, name: str, first_hash: str,
         policy_of: Callable[[str], LoadedPolicy]) -> Loaded | None:
    """The newest snapshot of the project that is sound, or None (each unsound one logged).

    FIRST_HASH is the policy the project's log starts from; POLICY_OF loads a policy by hash."""
    rows = conn.execute(sa.select(snapshots).where(snapshots.c.project_id == project_id)
                        .order_by(snapshots.c.seq.desc()).limit(KEEP + 1)).all()
    for row in rows:
        why = _unsound(conn, secret, project_id, row)
        if why is not None:
            log.warning("snapshot of %s at seq %s ignored (%s); folding the log instead",
                        name, row.seq, why)
            continue
        at = conn.execute(sa.select(events.c.at).where(events.c.project_id == project_id,
                                                       events.c.seq == row.seq)).scalar_one()
        try:
            restored, uncounted = _Unpickler(io.BytesIO(zlib.decompress(row.state)),
                                             policy_of).load()
            if not isinstance(restored, Engine) or not restored.policies:
                raise TypeError("not an engine")
            newest = restored.policies[-1]
            if restored.policies[0].digest != first_hash:
                raise TypeError("its first policy is not the project's")
            if newest.digest != row.policy or restored.policy is not newest.policy \
                    or restored.calendar is not newest.calendar:
                raise TypeError("its newest policy is not the one recorded at its seq")
        except Exception as err:  # a signed snapshot that fails anyway: never fatal
            log.warning("snapshot of %s at seq %s ignored (it does not load: %s); folding the "
                        "log instead", name, row.seq, err)
            continue
        return Loaded(restored, set(uncounted), int(row.seq), row.hash, at, row.policy)
    return None


def _unsound(conn: Connection, secret: bytes, project_id: int, row: Any) -> str | None:
    expected = _mac(secret, project_id, int(row.seq), row.hash, row.policy, row.format,
                    bytes(row.state))
    if not hmac.compare_digest(expected, row.mac):
        return "its signature does not match: altered, or written under another secret key"
    if row.format != fingerprint():
        return "written by another version of the engine"
    at_seq = conn.execute(sa.select(events.c.hash, events.c.policy)
                          .where(events.c.project_id == project_id,
                                 events.c.seq == row.seq)).first()
    if at_seq is None or at_seq.hash != row.hash:
        return "the event at its seq does not have its hash: the log and the snapshot differ"
    # The event's hash covers the policy it records: the one in force after it.
    if at_seq.policy != row.policy:
        return "written under another policy"
    return None
