"""App authentication: a JWT signed with the App's private key (RS256), exchanged for an
installation token that is cached until shortly before it expires."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

#: GitHub accepts App JWTs of at most ten minutes; the issue time is set back a minute for
#: clocks that drift.
JWT_LIFETIME = timedelta(minutes=9)
CLOCK_DRIFT = timedelta(seconds=60)
#: A cached installation token is renewed this long before GitHub's `expires_at`.
RENEW_BEFORE = timedelta(minutes=5)


def app_jwt(app_id: str, private_key: str | bytes, now: datetime) -> str:
    """The JWT that authenticates as the App itself (`Authorization: Bearer ...`)."""
    claims = {"iat": int((now - CLOCK_DRIFT).timestamp()),
              "exp": int((now + JWT_LIFETIME).timestamp()), "iss": str(app_id)}
    return jwt.encode(claims, private_key, algorithm="RS256")


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: datetime


class TokenCache:
    """Installation tokens by installation id, each kept until RENEW_BEFORE its expiry."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._tokens: dict[int, Token] = {}
        self._lock = threading.Lock()

    def get(self, installation: int) -> str | None:
        with self._lock:
            token = self._tokens.get(installation)
        if token is None or self.clock() >= token.expires_at - RENEW_BEFORE:
            return None
        return token.value

    def put(self, installation: int, token: Token) -> None:
        with self._lock:
            self._tokens[installation] = token

    def forget(self, installation: int) -> None:
        with self._lock:
            self._tokens.pop(installation, None)
