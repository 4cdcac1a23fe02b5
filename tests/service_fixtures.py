"""Real databases for the service's tests: a SQLite file, and a fresh PostgreSQL database.

PostgreSQL is the one at 127.0.0.1:5432 (or CHARTER_TEST_POSTGRES, a server URL without a
database). In CI (`CI` set) a missing server fails the test loudly; elsewhere it is skipped with
a message saying how to run it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

SERVER = os.environ.get("CHARTER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _admin() -> sa.Engine:
    return sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT",
                            connect_args={"connect_timeout": 3})


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with _admin().connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as err:  # any driver error means "not here"
        return f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
    return None


def need_postgres() -> None:
    why = postgres_available()
    if why is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI and did not answer at {SERVER}: {why}")
    pytest.skip(f"PostgreSQL not reachable at {SERVER} ({why}); start it or set "
                "CHARTER_TEST_POSTGRES to run these tests")


def new_postgres_db() -> Iterator[str]:
    need_postgres()
    name = f"charter_test_{secrets.token_hex(6)}"
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    try:
        yield f"{SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'charter.db'}"
