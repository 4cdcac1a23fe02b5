"""Every store test runs on a SQLite file and on a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from charter.store.db import connect, upgrade
from charter.store.projects import Governance
from tests.service_fixtures import new_postgres_db, sqlite_url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = connect(sqlite_url(tmp_path))
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    for url in new_postgres_db():
        engine = connect(url)
        upgrade(engine)
        yield engine
        engine.dispose()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


KEY = b"test-secret-key-0123456789abcdef"


@pytest.fixture
def gov(db: sa.Engine, clock: Clock) -> Governance:
    return Governance(db, KEY, clock=clock)
