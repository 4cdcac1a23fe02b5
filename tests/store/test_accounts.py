"""Local accounts on SQLite and PostgreSQL: argon2 hashes, never the password."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from charter.errors import CharterError
from charter.store.accounts import account_spelling, authenticate, check_login, set_password
from charter.store.db import reading, writing
from charter.store.tables import accounts
from tests.store.conftest import Clock


def test_create_check_and_change(db: sa.Engine, clock: Clock) -> None:
    with writing(db) as conn:
        assert set_password(conn, "ada", "correct horse", clock.now) is True
    with reading(db) as conn:
        stored = conn.execute(sa.select(accounts.c.password_hash)).scalar_one()
        assert stored.startswith("$argon2") and "correct horse" not in stored
        assert authenticate(conn, "ada", "correct horse")
        assert not authenticate(conn, "ada", "wrong horse")
        assert not authenticate(conn, "bob", "correct horse")
    with writing(db) as conn:
        assert set_password(conn, "ada", "battery staple", clock.now) is False
    with reading(db) as conn:
        assert authenticate(conn, "ada", "battery staple")
        assert not authenticate(conn, "ada", "correct horse")


@pytest.mark.parametrize(("login", "password", "field"), [
    ("ada", "short", "password"), ("ada", "x" * 1025, "password"),
    ("-ada", "long enough", "login"), ("a" * 40, "long enough", "login"),
    ("ada/../x", "long enough", "login"),
])
def test_bad_logins_and_passwords(db: sa.Engine, clock: Clock, login: str, password: str,
                                  field: str) -> None:
    with writing(db) as conn, pytest.raises(CharterError) as err:
        set_password(conn, login, password, clock.now)
    assert err.value.field == field


def test_logins_look_like_github_logins() -> None:
    assert check_login("octo-cat") == "octo-cat"


@pytest.mark.parametrize(("accounts_made", "typed", "spelled"), [
    (["ada"], "ada", "ada"), (["ada"], "ADA", "ada"), (["Ada"], "ada", "Ada"),
    (["ada", "Ada"], "ADA", "ADA"),  # two spellings: none is chosen for the typist
    (["ada", "Ada"], "Ada", "Ada"), ([], "nobody", "nobody"),
])
def test_account_spelling_ignores_case(db: sa.Engine, clock: Clock, accounts_made: list[str],
                                       typed: str, spelled: str) -> None:
    with writing(db) as conn:
        for login in accounts_made:
            set_password(conn, login, "a long password", clock.now)
    with reading(db) as conn:
        assert account_spelling(conn, typed) == spelled
