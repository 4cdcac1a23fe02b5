"""A project's governance over its event log: commands in, events appended, state folded.

The log is the single source of truth. Each process keeps every project it has touched as a
warm engine and applies new events incrementally; a fresh process rebuilds from the log. A
command is parsed exactly as a scenario event is, applied by the engine, and appended (accepted
or rejected, with the reason) in one transaction together with the timers and the effects it
causes, so nothing is half-done. Effects carry a dedupe key, so whichever process sees a change
first queues it and nobody queues it twice.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine as Database
from sqlalchemy.exc import IntegrityError

from charter.engine.calendar import iso
from charter.engine.changes import DomainEvent, Watch, status_event
from charter.engine.explain import explain
from charter.engine.machine import Engine
from charter.engine.processes.votes import vote_process
from charter.engine.replay import collector_paused
from charter.engine.report import decision_view, snapshot
from charter.engine.state import Command, Decision, RejectionKind, VoteDecision
from charter.errors import CharterError
from charter.policy.loader import PRESETS, LoadedPolicy, load_policy
from charter.scenario import COUNTER, parse_command, stored_command
from charter.store import ballots, notices, queue, snapshots
from charter.store.db import reading, writing, writing_batched
from charter.store.log import GENESIS, Event, broken_link, canonical, seal, sha256
from charter.store.tables import events, policies, projects
from charter.store.tables import snapshots as snapshot_table

T = TypeVar("T")

PROJECT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
#: Fields of a command the service sets itself; a caller may not.
SERVER_FIELDS = ("at", "by", "sealed")
MAX_COMMAND_BYTES = 64 * 1024
#: Rows fetched at a time while folding a log.
FOLD_BATCH = 2000
# Built once: every command appends one event.
_INSERT_EVENT = events.insert()


class NotFound(CharterError):
    """No such project, decision or person."""


class Malformed(CharterError):
    """A command or body that is not a command at all (the API's 422)."""


class Forbidden(CharterError):
    """The caller may not do this (the API's 403)."""


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    policy: LoadedPolicy  # the policy in force now
    policy_hash: str
    people: dict[str, list[str]]
    # The policy the log starts from, when another has been adopted since (else `policy`).
    initial: LoadedPolicy | None = None
    initial_hash: str | None = None

    def start(self) -> tuple[LoadedPolicy, str]:
        """The policy a fold of the log begins with, and its hash."""
        if self.initial is None or self.initial_hash is None:
            return self.policy, self.policy_hash
        return self.initial, self.initial_hash


@dataclass
class _Warm:
    project: Project
    engine: Engine
    watch: Watch
    # The policy in force at the end of the fold: events are parsed and recorded under it.
    policy: LoadedPolicy
    policy_hash: str
    seq: int = 0
    last_hash: str = GENESIS
    last_at: datetime | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    snapshot_seq: int = 0  # the seq of the snapshot this engine started from (0: none)
    # Secret votes with sealed ballots and no count yet: the only ones a step may need to count.
    uncounted: set[str] = field(default_factory=set)

    def note(self, stored: Mapping[str, Any], accepted: bool) -> None:
        """Keep `uncounted` true to the log: a sealed ballot adds its vote, a count removes it."""
        if accepted and stored.get("do") == "vote" and stored.get("sealed"):
            self.uncounted.add(str(stored.get("id")))
        elif accepted and stored.get("do") == "count":
            self.uncounted.discard(str(stored.get("id")))


@dataclass(frozen=True)
class Outcome:
    """What a command did: its event, the engine's reason and kind of refusal if rejected, the
    decision's state."""

    event: Event
    rejected: str | None
    decision: dict[str, Any] | None
    receipt: str | None = None
    changes: tuple[DomainEvent, ...] = ()
    #: `forbidden` (who is acting) or `conflict` (the decision's state or the time) when rejected.
    refusal: RejectionKind | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def _second(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(microsecond=0)


class Governance:
    """Every project of one database, each folded from its log on demand."""

    def __init__(self, db: Database, secret_key: bytes | None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.key = secret_key
        self.clock = clock
        self._by_name: dict[str, _Warm] = {}
        self._policies: dict[str, LoadedPolicy] = {}
        self._guard = threading.Lock()

    # --- projects -------------------------------------------------------------------------

    def create_project(self, name: Any, policy_ref: Any, people: Any) -> Project:
        """A new project named `owner/repo` with POLICY_REF (a preset name or a mapping)."""
        if not isinstance(name, str) or not PROJECT_NAME.fullmatch(name):
            raise Malformed("name must be owner/repo (letters, digits, '-', '_', '.')",
                            field="name")
        loaded = _policy(policy_ref)
        roster = _people(people, loaded)
        data = loaded.data
        digest = sha256(canonical(data))
        with writing(self.db) as conn:
            if conn.execute(sa.select(projects.c.id).where(projects.c.name == name)).first():
                raise Forbidden(f"project {name} exists already", field="name")
            _insert_policy(conn, digest, data)
            result = conn.execute(projects.insert().values(name=name, people=roster,
                                                           policy=digest,
                                                           created_at=_second(self.clock())))
            key = result.inserted_primary_key
            assert key is not None
            project_id = int(key[0])
        return Project(project_id, name, loaded, digest, roster)

    def project_names(self) -> list[str]:
        with reading(self.db) as conn:
            return [r.name for r in conn.execute(sa.select(projects.c.name)
                                                 .order_by(projects.c.name))]

    def roster_spelling(self, login: str) -> str:
        """LOGIN as the projects' rosters spell it when they differ from it only in case (GitHub
        logins are case-insensitive); LOGIN itself when no roster, or more than one spelling,
        matches."""
        folded = login.lower()
        found: set[str] = set()
        for name in self.project_names():
            found |= self.read(name, lambda engine, _: {
                known for known in engine.roster.logins() if known.lower() == folded})
        return found.pop() if len(found) == 1 and login not in found else login

    def project(self, name: str, conn: Connection | None = None) -> Project:
        def load(c: Connection) -> Project:
            row = c.execute(sa.select(projects).where(projects.c.name == name)).first()
            if row is None:
                raise NotFound(f"no project {name!r}")
            initial = row.initial_policy
            return Project(row.id, row.name, self._loaded(c, row.policy, name), row.policy,
                           dict(row.people),
                           self._loaded(c, initial, name) if initial else None, initial)

        if conn is not None:
            return load(conn)
        with reading(self.db) as c:
            return load(c)

    def _loaded(self, conn: Connection, digest: str, name: str) -> LoadedPolicy:
        loaded = self._policies.get(digest)
        if loaded is None:
            content = conn.execute(sa.select(policies.c.content)
                                   .where(policies.c.hash == digest)).scalar_one()
            # A policy is stored by its content's hash, so what it loads to never changes.
            loaded = self._policies[digest] = load_policy(content, file=f"{name} policy")
        return loaded

    def adopt_policy(self, name: str, policy: Any, *, by: str = COUNTER,
                     at: datetime | None = None) -> bool:
        """Make POLICY (a preset name or a mapping, as `create_project` takes) the project's
        policy for decisions opened from now (or AT) on; False, and nothing appended, when it
        is the policy in force already. Open decisions keep the policy they opened under."""
        loaded = _policy(policy)
        data = loaded.data
        digest = sha256(canonical(data))
        with writing(self.db) as conn, self._locked(name, conn) as warm:
            self._lock_row(conn, warm.project.id)
            self._catch_up(conn, warm)
            if digest == warm.policy_hash:
                return False
            now = _second(self.clock())
            # AT (a push's time, say) is never after now, so no later command comes before it.
            when = min(_second(at), now) if at is not None else now
            if warm.last_at is not None and when < warm.last_at:
                when = warm.last_at  # the log stays in time order
            _insert_policy(conn, digest, data)
            stored: dict[str, Any] = {"do": "adopt-policy", "by": by, "policy": data}
            command = self._parse(warm, stored, when)
            warm.engine.advance(when)
            warm.watch.changes()
            _meet(warm.engine, stored)
            rejection = warm.engine.apply(command)
            if rejection is not None:
                raise Malformed(rejection.reason, field="policy")
            before = warm.policy_hash
            warm.policy, warm.policy_hash = command.get("policy"), digest
            self._append(conn, warm, when, stored, None)
            conn.execute(projects.update().where(projects.c.id == warm.project.id).values(
                policy=digest, initial_policy=sa.func.coalesce(projects.c.initial_policy,
                                                               before)))
            self._after(conn, warm, when)
            return True

    # --- the fold -------------------------------------------------------------------------

    @contextmanager
    def _locked(self, name: str, conn: Connection | None = None) -> Iterator[_Warm]:
        """The project's warm engine, locked for this thread; dropped if the step fails."""
        with self._guard:
            warm = self._by_name.get(name)
        if warm is None:
            # A project's name, id and first policy never change, so its warm engine is found
            # by name; the policy in force follows the log (adopt-policy events).
            project = self.project(name, conn)
            first, first_hash = project.start()
            with self._guard:
                warm = self._by_name.get(name)
                if warm is None:
                    engine = Engine(first.policy, project.people, policy_digest=first_hash)
                    warm = self._by_name[name] = _Warm(project, engine, Watch(engine), first,
                                                       first_hash)
        with warm.lock:
            try:
                yield warm
            except BaseException:
                with self._guard:
                    self._by_name.pop(name, None)
                raise

    def _catch_up(self, conn: Connection, warm: _Warm, *, lock: bool = False) -> None:
        """Apply the events other processes appended since this engine last looked; LOCK: take
        the project's row lock first (PostgreSQL; SQLite's writers already take turns)."""
        cold = warm.seq == 0
        postgres = conn.dialect.name == "postgresql"
        # A writer's transaction may be pipelined (db.writing_batched): no server-side cursor.
        stream = cold and not lock
        if cold and self.key is not None:
            if lock and postgres:
                self._lock_row(conn, warm.project.id)  # before the snapshot's seq is read
                lock = False
            self._restore(conn, warm)
        # Only the columns the fold needs, streamed: a cold start may read 100,000 rows.
        columns = (events.c.seq, events.c.at, events.c.command, events.c.hash, events.c.policy)
        query = (sa.select(*columns)
                 .where(events.c.project_id == warm.project.id, events.c.seq > warm.seq)
                 .order_by(events.c.seq))
        if lock and postgres:
            # The lock and the new events in one round trip: the project's row, outer-joined
            # to its events after ours (none: one row of nulls), locked for this transaction.
            joined = projects.outerjoin(events, sa.and_(events.c.project_id == projects.c.id,
                                                        events.c.seq > warm.seq))
            query = (sa.select(*columns).select_from(joined)
                     .where(projects.c.id == warm.project.id).order_by(events.c.seq)
                     .with_for_update(of=projects))
        if stream:
            # A rebuild is streamed (a server-side cursor on PostgreSQL); a catch-up of a few
            # events is one plain round trip.
            query = query.execution_options(yield_per=FOLD_BATCH)
        with collector_paused():
            applied = self._fold(warm, conn.execute(query))
            if not applied:
                return
            # Replayed changes and deadlines were acted on by whoever appended them: skip them.
            if applied > len(warm.engine.decisions) // 4:
                warm.watch = Watch(warm.engine)  # a fresh baseline costs less than a long diff
            else:
                warm.watch.changes()
                warm.watch.new_deadlines()

    def _restore(self, conn: Connection, warm: _Warm) -> None:
        """Start WARM from the project's newest sound snapshot, if it has one."""
        assert self.key is not None
        name = warm.project.name

        def policy_of(digest: str) -> LoadedPolicy:
            return self._loaded(conn, digest, name)

        with collector_paused():
            loaded = snapshots.load(conn, self.key, warm.project.id, name,
                                    warm.project.start()[1], policy_of)
        if loaded is None:
            return
        # The policy in force at the snapshot's seq: later events are parsed under it.
        warm.policy, warm.policy_hash = policy_of(loaded.policy_hash), loaded.policy_hash
        warm.engine, warm.watch = loaded.engine, Watch(loaded.engine)
        warm.seq, warm.last_hash, warm.last_at = loaded.seq, loaded.hash, loaded.at
        warm.uncounted, warm.snapshot_seq = loaded.uncounted, loaded.seq

    def _fold(self, warm: _Warm, rows: Iterable[Any]) -> int:
        """Apply stored events in seq order; returns how many.

        A stored command was checked when it was accepted and the hash chain keeps it as it
        was, so it is rebuilt without the full check (`charter audit verify` still does it).
        """
        engine, applied = warm.engine, 0
        for seq, at, stored, digest, policy_hash in rows:
            if seq is None:
                continue  # the locked project row with no event after ours
            _meet(engine, stored)
            command = stored_command(stored, at, warm.policy, seq - 1)
            rejection = engine.apply(command)
            if rejection is None and command.verb == "adopt-policy":
                warm.policy, warm.policy_hash = command.get("policy"), policy_hash
            warm.note(stored, rejection is None)
            warm.seq, warm.last_hash, warm.last_at = seq, digest, at
            applied += 1
        return applied

    def _command(self, policy: LoadedPolicy, stored: Mapping[str, Any], at: datetime,
                 index: int) -> Command:
        return parse_command({**stored, "at": at}, policy, index)

    def _append(self, conn: Connection, warm: _Warm, at: datetime, command: dict[str, Any],
                rejected: str | None) -> Event:
        event = seal(warm.project.name, warm.seq + 1, at, command, warm.policy_hash,
                     rejected, warm.last_hash)
        warm.note(command, rejected is None)
        try:
            conn.execute(_INSERT_EVENT, {
                "project_id": warm.project.id, "seq": event.seq, "at": at, "command": command,
                "policy": event.policy, "rejected": rejected, "prev": event.prev,
                "hash": event.hash})
        except IntegrityError:
            raise CharterError("another process appended to this project at the same time; "
                               "try again") from None
        warm.seq, warm.last_hash, warm.last_at = event.seq, event.hash, at
        return event

    def _lock_row(self, conn: Connection, project_id: int) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(projects.c.id).where(projects.c.id == project_id)
                         .with_for_update())

    # --- commands -------------------------------------------------------------------------

    def apply(self, name: str, by: str, body: Any, conn: Connection | None = None) -> Outcome:
        """Apply one command from BY (the token's person) at the server's clock; in CONN's
        write transaction when given (the caller commits, and calls `forget` if it fails)."""
        if not isinstance(body, Mapping):
            raise Malformed("a command is a JSON object such as {\"do\": \"propose\", ...}")
        if len(canonical(body).encode()) > MAX_COMMAND_BYTES:
            raise Malformed(f"a command is at most {MAX_COMMAND_BYTES} bytes")
        for key in SERVER_FIELDS:
            if key in body:
                raise Malformed(f"{key!r} is set by the service, not by the caller", field=key)
        if not isinstance(body.get("do"), str):
            raise Malformed("'do' must be a verb such as propose, object or vote", field="do")
        if body.get("do") == "count":
            raise Forbidden("only the service counts sealed ballots", field="do")
        if body.get("do") == "adopt-policy":
            raise Forbidden("a policy is adopted with PUT /api/v1/projects/{project}/policy "
                            "(an admin) or by merging the policy file", field="do")
        with ExitStack() as stack:
            if conn is None:
                conn = stack.enter_context(writing_batched(self.db))
            warm = stack.enter_context(self._locked(name, conn))
            self._catch_up(conn, warm, lock=True)
            at = _second(self.clock())
            if warm.last_at is not None and at < warm.last_at:
                at = warm.last_at  # another process's clock ran ahead: keep the log in order
            stored: dict[str, Any] = {"do": body.get("do"), "by": by,
                                      **{k: v for k, v in body.items() if k != "do"}}
            command = self._parse(warm, stored, at)
            # Time passes first: deadlines up to now are the jobs' to report, not this step's.
            warm.engine.advance(at)
            warm.watch.changes()
            secret = self._secret_vote(warm, command)
            receipt = None
            if secret is not None:
                stored = {"do": "vote", "by": by, "id": command.get("id"), "sealed": True}
                command = self._parse(warm, stored, at)
            _meet(warm.engine, stored)
            rejection = warm.engine.apply(command)
            reason = rejection.reason if rejection else None
            if secret is not None and rejection is None:
                if self.key is None:
                    raise CharterError("CHARTER_SECRET_KEY is not set, so secret ballots cannot "
                                       "be cast")
                receipt = ballots.cast(conn, self.key, warm.project.id, warm.project.name,
                                       secret, by, str(body.get("choice")),
                                       body.get("explanation"))
            event = self._append(conn, warm, at, stored, reason)
            changes = self._after(conn, warm, at)
            decision_id = command.get("id")
            view = self._decision_view(warm, str(decision_id), at) if isinstance(
                decision_id, str | int) else None
            return Outcome(event, reason, view, receipt, tuple(changes),
                           rejection.kind if rejection else None)

    def forget(self, name: str) -> None:
        """Drop NAME's warm engine: a transaction `apply` took part in was rolled back, so the
        engine is ahead of the log (the next step rebuilds it)."""
        with self._guard:
            self._by_name.pop(name, None)

    def _parse(self, warm: _Warm, stored: dict[str, Any], at: datetime) -> Command:
        try:
            return parse_command({**stored, "at": at}, warm.policy, warm.seq)
        except CharterError as err:
            raise Malformed(err.message, field=err.field) from None

    def _secret_vote(self, warm: _Warm, command: Command) -> str | None:
        """The vote's id when COMMAND is a ballot for a secret vote: it goes to the ballot box."""
        if command.verb != "vote":
            return None
        decision = warm.engine.decisions.get(str(command.get("id")))
        if isinstance(decision, VoteDecision) and vote_process(warm.engine, decision).secret \
                and not decision.box.binding and not decision.box.advisory:
            if command.get("choice") is None:
                raise Malformed("a ballot needs a choice: yes, no or abstain", field="choice")
            return decision.id
        return None

    def _after(self, conn: Connection, warm: _Warm, at: datetime) -> list[DomainEvent]:
        """Timers, effects and counts that follow a step; in the step's transaction."""
        for due, decision in warm.watch.new_deadlines():
            queue.schedule(conn, warm.project.id, decision, due)
        changes = warm.watch.changes()
        for change in changes:
            self._effect(conn, warm, change, at)
        for count_event in self._counts_due(conn, warm, at):
            changes.append(count_event)
        return changes

    def _counts_due(self, conn: Connection, warm: _Warm, at: datetime) -> list[DomainEvent]:
        """Count every sealed vote whose voting has ended and that has no count yet."""
        out: list[DomainEvent] = []
        for vote_id in sorted(warm.uncounted):
            decision = warm.engine.decisions.get(vote_id)
            if not isinstance(decision, VoteDecision) or decision.counted \
                    or not decision.box.sealed:
                continue
            ended = decision.status != "open" or (
                decision.closes_at is not None and at >= decision.closes_at)
            if not ended:
                continue
            total = ballots.count(conn, warm.project.id, decision.id)
            # Counted at the close when nothing came after it, so a late worker changes nothing.
            when = max(decision.closed_at or decision.closes_at or at, warm.last_at or at)
            stored = {"do": "count", "by": COUNTER, "id": decision.id,
                      "tally": {"yes": total.yes, "no": total.no, "abstain": total.abstain},
                      "receipts": total.receipts_digest,
                      "explanations": list(total.explanations)}
            rejection = warm.engine.apply(self._parse(warm, stored, when))
            self._append(conn, warm, when, stored, rejection.reason if rejection else None)
            for change in warm.watch.changes():
                self._effect(conn, warm, change, at)
                out.append(change)
        return out

    def _effect(self, conn: Connection, warm: _Warm, change: DomainEvent,
                at: datetime) -> None:
        """The notices a change calls for (votes opening and closing, decisions settling)."""
        notices.follow(conn, warm.project, warm.engine, change, at)
        kinds = {"decision-opened", "vote-closed", "status-changed", "role-granted",
                 "role-ended", "component-moved"}
        if change.kind not in kinds:
            return
        marker = change.data.get("to") or change.data.get("role") or change.data.get("status")
        dedupe = f"notice:{change.kind}:{change.subject}:{marker}"
        queue.enqueue(conn, warm.project.id, "notice", dedupe, f"decision:{change.subject}",
                      {"project": warm.project.name, **change.to_json()}, at)

    # --- deadlines (the worker) -----------------------------------------------------------

    def fire(self, conn: Connection, job: queue.Job, now: datetime) -> list[DomainEvent]:
        """Fire JOB's deadline in its project, in the job's transaction."""
        name = conn.execute(sa.select(projects.c.name)
                            .where(projects.c.id == job.project_id)).scalar_one()
        with self._locked(name, conn) as warm:
            self._catch_up(conn, warm, lock=True)
            warm.engine.advance(max(job.due_at, warm.engine.now or job.due_at))
            warm.watch.changes()  # the deadline's effects are derived from state, below
            changes = self._settled(conn, warm, job.decision, now)
            changes += self._counts_due(conn, warm, max(now, warm.last_at or now))
            for due, decision in warm.watch.new_deadlines():
                queue.schedule(conn, warm.project.id, decision, due)
            return changes

    def decision_at(self, conn: Connection, project_id: int, decision_id: str,
                    at: datetime) -> tuple[Project, Decision | None]:
        """The project and its decision as of AT (not before the last event), for a timer
        firing in CONN's transaction."""
        name = conn.execute(sa.select(projects.c.name)
                            .where(projects.c.id == project_id)).scalar_one()
        with self._locked(name, conn) as warm:
            self._catch_up(conn, warm)
            warm.engine.advance(max(at, warm.engine.now or at))
            return warm.project, warm.engine.decisions.get(decision_id)

    def _settled(self, conn: Connection, warm: _Warm, decision_id: str,
                 now: datetime) -> list[DomainEvent]:
        decision = warm.engine.decisions.get(decision_id)
        if decision is None or decision.closed_at is None:
            return []
        change = status_event(decision, closed_at=iso(decision.closed_at))
        self._effect(conn, warm, change, now)
        return [change]

    # --- snapshots --------------------------------------------------------------------------

    def write_snapshot(self, name: str, every: int = snapshots.EVERY) -> int | None:
        """Snapshot NAME when its log has grown EVERY events past its newest snapshot; returns
        the seq snapshotted, or None. The state is a fresh fold of the log (from the newest
        snapshot), never a warm engine: those have also been advanced to some later `now`."""
        if self.key is None:
            return None  # a snapshot is signed with the secret key: none without it
        with reading(self.db) as conn:
            project = self.project(name, conn)
            first, first_hash = project.start()
            engine = Engine(first.policy, project.people, policy_digest=first_hash)
            warm = _Warm(project, engine, Watch(engine), first, first_hash)
            self._catch_up(conn, warm)
        if warm.seq == 0 or warm.seq - warm.snapshot_seq < every:
            return None
        try:
            with writing(self.db) as conn, collector_paused():
                snapshots.write(conn, self.key, project.id, warm.seq, warm.last_hash,
                                warm.policy_hash, warm.engine, warm.uncounted,
                                _second(self.clock()))
        except IntegrityError:
            return None  # another process wrote this very snapshot first
        return warm.seq

    def snapshots_due(self, every: int = snapshots.EVERY) -> list[str]:
        """The projects whose log has grown EVERY events past their newest snapshot."""
        last_event = (sa.select(sa.func.max(events.c.seq))
                      .where(events.c.project_id == projects.c.id).scalar_subquery())
        last_snapshot = (sa.select(sa.func.coalesce(sa.func.max(snapshot_table.c.seq), 0))
                         .where(snapshot_table.c.project_id == projects.c.id).scalar_subquery())
        with reading(self.db) as conn:
            return list(conn.execute(sa.select(projects.c.name)
                                     .where(last_event - last_snapshot >= every)
                                     .order_by(projects.c.name)).scalars())

    # --- reading --------------------------------------------------------------------------

    def state(self, name: str, as_of: datetime | None = None) -> dict[str, Any]:
        """The JSON of `charter simulate --json`, now (or at AS_OF, not before the last event)."""
        with reading(self.db) as conn, self._locked(name, conn) as warm:
            self._catch_up(conn, warm)
            now = _second(as_of or self.clock())
            if warm.last_at is not None and now < warm.last_at:
                now = warm.last_at
            warm.engine.advance(now)
            return snapshot(warm.engine, now)

    def _decision_view(self, warm: _Warm, decision_id: str, now: datetime
                       ) -> dict[str, Any] | None:
        decision = warm.engine.decisions.get(decision_id)
        if decision is None:
            return None
        return {"id": decision_id, **decision_view(warm.engine, decision, now)}

    def decision(self, name: str, decision_id: str) -> dict[str, Any]:
        """One decision with the explanation of `charter explain`."""
        with reading(self.db) as conn, self._locked(name, conn) as warm:
            self._catch_up(conn, warm)
            now = max(_second(self.clock()), warm.last_at or _second(self.clock()))
            warm.engine.advance(now)
            if decision_id not in warm.engine.decisions:
                raise NotFound(f"no decision {decision_id!r} in {name}")
            view = self._decision_view(warm, decision_id, now)
            assert view is not None
            view["explanation"] = explain(warm.engine, decision_id, now)
            decision = warm.engine.decisions[decision_id]
            if isinstance(decision, VoteDecision) and decision.counted:
                view["receipts"] = list(ballots.count(conn, warm.project.id,
                                                      decision_id).receipts)
            return view

    def read(self, name: str, view: Callable[[Engine, datetime], T]) -> T:
        """VIEW of the project's engine as of now: the pages' way to read only what they show
        (a whole `state` costs time in proportion to every decision ever made)."""
        with reading(self.db) as conn, self._locked(name, conn) as warm:
            self._catch_up(conn, warm)
            now = max(_second(self.clock()), warm.last_at or _second(self.clock()))
            warm.engine.advance(now)
            with collector_paused():
                return view(warm.engine, now)

    def receipts(self, name: str, vote_id: str) -> list[str]:
        """The receipts of a counted sealed vote, sorted (empty before its count)."""
        with reading(self.db) as conn:
            project = self.project(name, conn)
            return list(ballots.count(conn, project.id, vote_id).receipts)

    def events_after(self, name: str, after: int = 0, limit: int = 1000) -> list[Event]:
        with reading(self.db) as conn:
            project = self.project(name, conn)
            rows = conn.execute(sa.select(events).where(events.c.project_id == project.id,
                                                        events.c.seq > after)
                                .order_by(events.c.seq).limit(limit)).all()
        return [_event(name, row) for row in rows]

    def export(self, name: str) -> dict[str, Any]:
        """The project as a scenario that `charter simulate` replays to `GET /state`."""
        with reading(self.db) as conn:
            project = self.project(name, conn)
            rows = conn.execute(sa.select(events.c.at, events.c.command)
                                .where(events.c.project_id == project.id)
                                .order_by(events.c.seq)).all()
        people = {login: list(roles) for login, roles in project.people.items()}
        out_events = []
        for row in rows:
            command = dict(row.command)
            for login in _logins(command):
                people.setdefault(login, [])
            out_events.append({"at": iso(row.at), **command})
        state_at = max(_second(self.clock()), rows[-1].at) if rows else _second(self.clock())
        # Adopted policies travel inline in their events, so the scenario needs nothing else.
        return {"policy": project.start()[0].data, "as_of": iso(state_at), "people": people,
                "events": out_events}

    # --- audit ----------------------------------------------------------------------------

    def verify(self, name: str) -> tuple[Event, str] | None:
        """The first event whose hash, link or replay is wrong; None when the log is sound."""
        with reading(self.db) as conn:
            project = self.project(name, conn)
            rows = conn.execute(sa.select(events).where(events.c.project_id == project.id)
                                .order_by(events.c.seq)).all()
        chain = [_event(name, row) for row in rows]
        broken = broken_link(chain)
        if broken is not None:
            return broken
        policy, policy_hash = project.start()
        engine = Engine(policy.policy, project.people, policy_digest=policy_hash)
        with collector_paused():
            for event in chain:
                try:
                    command = self._command(policy, event.command, event.at, event.seq - 1)
                except CharterError as err:
                    return event, f"it is not a valid command: {err.message}"
                _meet(engine, event.command)
                rejection = engine.apply(command)
                replayed = rejection.reason if rejection else None
                if replayed != event.rejected:
                    return event, (f"replaying it gives {_verdict(replayed)} but the log says "
                                   f"{_verdict(event.rejected)}")
                if rejection is None and command.verb == "adopt-policy":
                    policy, policy_hash = command.get("policy"), command.get("policy").digest
                if event.policy != policy_hash:
                    return event, (f"it records policy {event.policy[:12]} but the log had "
                                   f"policy {policy_hash[:12]} in force")
        if chain and policy_hash != project.policy_hash:
            return chain[-1], (f"the project's policy is {project.policy_hash[:12]} but its log "
                               f"ends under {policy_hash[:12]}")
        return None


def _meet(engine: Engine, stored: Mapping[str, Any]) -> None:
    """List everyone a command names in the roster, without a role, as an exported scenario's
    `people:` does: the service's state and the export's replay then show the same people."""
    if "person" not in stored and "maintainers" not in stored:
        by = stored.get("by")  # most commands name only their author: the fold's fast path
        if isinstance(by, str) and by != COUNTER and by not in engine.roster:
            engine.roster.add(by, [], None, "first named")
        return
    for login in _logins(stored):
        if login not in engine.roster:
            engine.roster.add(login, [], None, "first named")


def _verdict(rejected: str | None) -> str:
    return f"rejected ({rejected})" if rejected else "accepted"


def _event(name: str, row: Any) -> Event:
    return Event(name, row.seq, row.at, dict(row.command), row.policy, row.rejected, row.prev,
                 row.hash)


def _logins(command: Mapping[str, Any]) -> list[str]:
    found = [command.get("by")]
    if isinstance(command.get("person"), str):
        found.append(command["person"])
    maintainers = command.get("maintainers")
    if isinstance(maintainers, str):
        found.append(maintainers)
    elif isinstance(maintainers, list):
        found += maintainers
    return [login for login in found if isinstance(login, str) and login != COUNTER]


def _policy(ref: Any) -> LoadedPolicy:
    """A policy for the API: a preset name, or a mapping that may extend a preset (only)."""
    if isinstance(ref, str):
        if ref not in PRESETS:
            raise Malformed(f"unknown preset {ref!r}; the presets are {', '.join(PRESETS)}, or "
                            "give the policy as a mapping", field="policy")
        return load_policy(ref)
    if isinstance(ref, Mapping):
        parent = ref.get("extends")
        if parent is not None and parent not in PRESETS:
            # A file named by an API caller would be read from the server's disk.
            raise Malformed(f"extends: {parent!r}: over the API a policy extends a preset "
                            f"({', '.join(PRESETS)}) or nothing", field="policy.extends")
        try:
            return load_policy(ref, file="policy")
        except CharterError as err:
            raise Malformed(err.message, field=f"policy.{err.field}" if err.field
                            else "policy") from None
    raise Malformed("policy must be a preset name or a policy mapping", field="policy")


def _people(value: Any, loaded: LoadedPolicy) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Malformed("people must map each login to a role or a list of roles",
                        field="people")
    roles = set(loaded.policy.role_ids)
    out: dict[str, list[str]] = {}
    for login, held in value.items():
        items = [held] if isinstance(held, str) else held
        if not isinstance(login, str) or not login or not isinstance(items, list) \
                or not all(isinstance(r, str) for r in items):
            raise Malformed("people must map each login to a role or a list of roles",
                            field=f"people.{login}")
        unknown = [r for r in items if r not in roles]
        if unknown:
            raise Malformed(f"unknown role {unknown[0]!r}; the roles are "
                            f"{', '.join(loaded.policy.role_ids)}", field=f"people.{login}")
        out[login] = list(items)
    return out


def _insert_policy(conn: Connection, digest: str, data: dict[str, Any]) -> None:
    exists = conn.execute(sa.select(policies.c.hash).where(policies.c.hash == digest)).first()
    if exists is None:
        conn.execute(policies.insert().values(hash=digest, content=data))
