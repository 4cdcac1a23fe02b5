"""API tokens: 32 random bytes shown once; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from charter.store.tables import api_tokens


@dataclass(frozen=True, slots=True)
class Holder:
    """Who a token speaks for."""

    login: str
    admin: bool


def digest(token: str) -> str:
    # A random 256-bit token needs no slow hash: nobody can guess it from its SHA-256.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn: Connection, login: str, *, admin: bool, now: datetime) -> str:
    """A new token for LOGIN; the caller shows it once, the database keeps only its digest."""
    token = secrets.token_urlsafe(32)
    conn.execute(api_tokens.insert().values(digest=digest(token), login=login, admin=admin,
                                            created_at=now))
    return token


def holder_of(conn: Connection, token: str) -> Holder | None:
    """The holder of TOKEN, or None when no such token was issued."""
    row = conn.execute(sa.select(api_tokens.c.login, api_tokens.c.admin)
                       .where(api_tokens.c.digest == digest(token))).first()
    return None if row is None else Holder(row.login, bool(row.admin))
