"""Local accounts of the dashboard: a login and an argon2 hash of its password, nothing else."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from charter.errors import CharterError
from charter.store.tables import accounts

LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
_HASHER = PasswordHasher()
# Verified against when the login is unknown, so a wrong login costs what a wrong password does.
_DUMMY = _HASHER.hash("not a password of anyone")


def check_login(login: str) -> str:
    """LOGIN when it is a GitHub-style login (the roster's logins), else a CharterError."""
    if not LOGIN.fullmatch(login):
        raise CharterError("a login is 1 to 39 letters, digits or '-', as on GitHub",
                           field="login")
    return login


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise CharterError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters",
                           field="password")
    return password


def set_password(conn: Connection, login: str, password: str, now: datetime) -> bool:
    """Create LOGIN's account, or change its password; True when it is new."""
    hashed = _HASHER.hash(check_password(password))
    check_login(login)
    updated = conn.execute(accounts.update().where(accounts.c.login == login)
                           .values(password_hash=hashed)).rowcount
    if updated:
        return False
    conn.execute(accounts.insert().values(login=login, password_hash=hashed, created_at=now))
    return True


def account_spelling(conn: Connection, login: str) -> str:
    """The account's own spelling of LOGIN: itself when it exists, else the one account whose
    login differs only in case (logins are GitHub's, which are case-insensitive)."""
    if len(login) > 200 or conn.execute(sa.select(accounts.c.login)
                                        .where(accounts.c.login == login)).first():
        return login
    found = conn.execute(sa.select(accounts.c.login)
                         .where(sa.func.lower(accounts.c.login) == login.lower())
                         .limit(2)).scalars().all()
    return str(found[0]) if len(found) == 1 else login


def authenticate(conn: Connection, login: str, password: str) -> bool:
    """True when PASSWORD is LOGIN's; as slow for an unknown login as for a wrong password."""
    if len(login) > 200 or len(password) > MAX_PASSWORD:
        return False
    row = conn.execute(sa.select(accounts.c.password_hash)
                       .where(accounts.c.login == login)).first()
    try:
        return bool(_HASHER.verify(row.password_hash if row else _DUMMY, password)) and \
            row is not None
    except (VerificationError, InvalidHashError):
        return False
