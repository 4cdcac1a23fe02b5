"""Connecting to the database and migrating it: SQLite (WAL, a busy timeout) or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, OperationalError

from charter.errors import CharterError

#: How long a SQLite writer waits for another before giving up (milliseconds).
BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def connect(url: str) -> Engine:
    """An engine for URL; SQLite files get WAL and a busy timeout on every connection."""
    try:
        if is_sqlite(url):
            # A pool keeps connections open: closing a SQLite connection checkpoints the WAL.
            engine = sa.create_engine(url, pool_size=8, max_overflow=8,
                                      connect_args={"timeout": BUSY_TIMEOUT_MS / 1000,
                                                    "check_same_thread": False})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            # A writer takes SQLite's write lock at BEGIN IMMEDIATE, so two writers never
            # deadlock upgrading read locks; readers (see `reading`) begin deferred.
            sa.event.listen(engine, "begin", _sqlite_begin)
            return engine
        if url.startswith(("postgresql", "postgres")):
            if url.startswith("postgres://") or url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    except (ArgumentError, ValueError) as err:
        raise CharterError(f"CHARTER_DATABASE_URL is not a database URL: {err}") from None
    raise CharterError(f"CHARTER_DATABASE_URL {url.split(':', 1)[0]!r}: use sqlite:///FILE or "
                       "postgresql+psycopg://USER@HOST/DB")


def reading(engine: Engine) -> Connection:
    """A connection for reads: on SQLite it never waits for the write lock."""
    return engine.connect()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    two writers queue instead of deadlocking when a read lock would have to be upgraded."""
    with engine.connect().execution_options(charter_write=True) as conn, conn.begin():
        yield conn


@contextmanager
def writing_batched(engine: Engine) -> Iterator[Connection]:
    """`writing`, with PostgreSQL's statements sent in pipeline mode: a statement waits for the
    server only when its rows are read, so BEGIN goes with the first query and the last
    INSERTs go with COMMIT, in one round trip each. An error surfaces at the next read or at
    the commit, and the transaction is rolled back all the same."""
    if engine.dialect.name != "postgresql":
        with writing(engine) as conn:
            yield conn
        return
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.pipeline() as pipeline:

            def wait_for_rows(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
                # SQLAlchemy looks for rows as soon as a statement is sent, so whatever may
                # return rows waits for the server here; a plain INSERT does not.
                if not statement.startswith("INSERT") or " RETURNING " in statement:
                    pipeline.sync()

            sa.event.listen(conn, "after_cursor_execute", wait_for_rows)
            try:
                with conn.begin():
                    yield conn
            finally:
                sa.event.remove(conn, "after_cursor_execute", wait_for_rows)


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("charter_write")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver's own transaction handling is turned off so `BEGIN IMMEDIATE` is ours.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "charter.store:migrations")
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as err:
        raise CharterError(f"cannot reach the database: {_short(err)}") from None


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply every migration; returns (revision before, revision after)."""
    before = current_revision(engine)
    cfg = _config()
    with writing(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return before, head_revision()


def ensure_current(engine: Engine, *, migrate_sqlite: bool = True) -> None:
    """Migrate a SQLite file in place; refuse a PostgreSQL database on an old schema."""
    if current_revision(engine) == head_revision():
        return
    if migrate_sqlite and engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    raise CharterError("the database schema is not current; run `charter db upgrade` first")


def _short(err: Exception) -> str:
    text = str(getattr(err, "orig", err)).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
