"""The tables, in SQLAlchemy Core: the same definitions serve SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC instant on both databases (SQLite keeps no zone, so it is put back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants stored must carry a zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

projects = Table(
    "projects", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    # The roster at the start, as a scenario's `people:` (login -> roles); afterwards only
    # decisions in the log change it.
    Column("people", JSON, nullable=False),
    # The policy in force, by content hash; each event also records the one it ran under.
    Column("policy", String(64), ForeignKey("policies.hash"), nullable=False),
    # The policy the log starts from, once another was adopted (null: `policy` still is).
    Column("initial_policy", String(64), ForeignKey("policies.hash",
                                                    name="projects_initial_policy"),
           nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

policies = Table(
    "policies", metadata,
    Column("hash", String(64), primary_key=True),
    # The effective policy as JSON (presets merged), so replay needs nothing outside the database.
    Column("content", JSON, nullable=False),
)

# One row per event; no code path updates or deletes one. `hash` covers every other column.
events = Table(
    "events", metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("command", JSON, nullable=False),
    Column("policy", String(64), ForeignKey("policies.hash"), nullable=False),
    Column("rejected", Text, nullable=True),
    Column("prev", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("project_id", "seq", name="events_project_seq"),
)

# A secret vote's choices: keyed by an HMAC of (secret key, project, vote, voter), with no time
# and no column that follows casting order, so a dump cannot tie a voter to a choice.
ballots = Table(
    "ballots", metadata,
    Column("token", String(64), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("vote", String(200), nullable=False),
    Column("choice", String(10), nullable=False),
    Column("explanation", Text, nullable=True),
    Column("receipt", String(64), nullable=False),
    Index("ballots_vote", "project_id", "vote"),
    # Without a rowid, SQLite keeps rows in token order, never in the order they were cast.
    sqlite_with_rowid=False,
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("digest", String(64), primary_key=True),  # sha256 of the token; never the token
    Column("login", String(200), nullable=False),
    Column("admin", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# Deadlines to fire: one row per (project, decision, instant), claimed by one worker at a time.
jobs = Table(
    "jobs", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("decision", String(200), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("done_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime(), nullable=True),
    # `deadline` (the engine's), `remind` (a vote's reminder), `stale` (a pull request's idle
    # timer); timers other than deadlines name their subject with a prefix (`remind:4-vote`).
    Column("kind", String(40), nullable=False, default="deadline", server_default="deadline"),
    UniqueConstraint("project_id", "decision", "due_at", name="jobs_once"),
    Index("jobs_due", "done_at", "due_at"),
)

# Outbound effects (notices, comments, labels, check runs), delivered by a worker, each once.
outbox = Table(
    "outbox", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    # What the effect is about, unique per project: whoever sees a change first queues it and
    # every later sighting (another process, a redelivered webhook) is dropped.
    Column("dedupe", String(300), nullable=False),
    # Effects with the same key are delivered in id order (one pull request, one decision).
    Column("ordering_key", String(300), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("locked_until", UtcDateTime(), nullable=True),
    Index("outbox_due", "delivered_at", "next_attempt_at"),
    # "Is an earlier effect of this key still undelivered?" is asked for every claim.
    Index("outbox_key", "ordering_key", "delivered_at", "id"),
    UniqueConstraint("project_id", "dedupe", name="outbox_once"),
)

# --- the GitHub App ---------------------------------------------------------------------------

# Every webhook delivery, stored once by GitHub's `X-GitHub-Delivery` before it is acknowledged;
# the worker then processes it (deliveries about one issue in the order they arrived).
deliveries = Table(
    "deliveries", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("guid", String(100), nullable=False, unique=True),
    Column("event", String(60), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    # Null for events Charter does not handle: they are acknowledged, kept by id, not processed.
    Column("payload", JSON, nullable=True),
    Column("ordering_key", String(300), nullable=False),
    # What each command of a comment became, saved as it is applied, so a retried delivery
    # (its worker died, the database went away) applies none of them twice.
    Column("progress", JSON, nullable=True),
    Column("processed_at", UtcDateTime(), nullable=True),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Index("deliveries_due", "processed_at", "next_attempt_at"),
    Index("deliveries_key", "ordering_key", "id"),
)

# The App installation a project's repository belongs to: its tokens post the answers.
installations = Table(
    "installations", metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("installation_id", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

# --- the gate on pull requests ------------------------------------------------------------------

# What the gate knows of one pull request, kept from its webhooks: head, base, author, labels,
# approvals with the commit each was given at, hold; `head` is a column so a status or check on a
# commit finds its pull requests.
pull_requests = Table(
    "pull_requests", metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("head", String(40), nullable=False),
    Column("open", Boolean, nullable=False, default=True),
    Column("state", JSON, nullable=False),
    Index("pull_requests_head", "project_id", "head"),
)

# The state each check or status last reported on a commit, for the policy's required checks.
commit_checks = Table(
    "commit_checks", metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("sha", String(40), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("state", String(40), nullable=False),
)

# Issues and pull requests Charter watches: the triage queue (issues waiting under the triage
# label) and each pull request's last activity, which its stale timer is measured from.
github_items = Table(
    "github_items", metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("pull_request", Boolean, nullable=False, default=False),
    Column("title", String(300), nullable=False, default=""),
    Column("author", String(100), nullable=False, default=""),
    Column("open", Boolean, nullable=False, default=True),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("needs_triage", Boolean, nullable=False, default=False),
    Column("last_activity_at", UtcDateTime(), nullable=False),
    Column("nudged_at", UtcDateTime(), nullable=True),
    Column("stale_at", UtcDateTime(), nullable=True),
    Index("github_items_triage", "project_id", "needs_triage"),
)

# --- the dashboard ----------------------------------------------------------------------------

# Local accounts for the dashboard (`charter account create`, `charter demo`); GitHub sign-in
# needs none. Only an argon2 hash of the password is kept.
accounts = Table(
    "accounts", metadata,
    Column("login", String(200), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# --- caches -----------------------------------------------------------------------------------

# A project's folded state at one seq, bound to the hash of the event there and signed with a
# key derived from CHARTER_SECRET_KEY (see store/snapshots.py). A cache: deleting every row
# changes nothing but the time a fresh process takes to start.
snapshots = Table(
    "snapshots", metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),  # the hash of the event at `seq`
    Column("policy", String(64), nullable=False),
    Column("format", String(64), nullable=False),  # the engine code that wrote it
    Column("state", LargeBinary, nullable=False),
    Column("mac", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
