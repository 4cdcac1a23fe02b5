"""Sessions in a signed cookie: who is signed in, until when, and the seed of their CSRF tokens.

The cookie is `base64(json).base64(HMAC-SHA256)` under a key derived from CHARTER_SECRET_KEY, so
the server keeps no session table and a cookie cannot be forged or extended. Every visitor gets
one (signed in or not), so that the sign-in form itself carries a CSRF token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "charter_session"
#: A session lasts this long from sign-in; then the person signs in again.
MAX_AGE = 12 * 3600
_MAX_COOKIE = 4096


@dataclass(frozen=True)
class Session:
    sid: str
    login: str | None
    expires: int
    via: str | None = None  # "password" or "github"
    new: bool = False  # issued by this request: the response sets the cookie


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Signs and reads session cookies; SECURE when the service is reached over https."""

    def __init__(self, secret_key: bytes, *, secure: bool, max_age: int = MAX_AGE) -> None:
        self._key = hmac.new(secret_key, b"charter dashboard sessions", hashlib.sha256).digest()
        self.secure = secure
        self.max_age = max_age

    def sign(self, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        mac = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return f"{body}.{_b64(mac)}"

    def unsign(self, value: str | None) -> dict[str, Any] | None:
        """The payload of a cookie this service signed and that has not expired, else None."""
        if not value or len(value) > _MAX_COOKIE or value.count(".") != 1:
            return None
        body, mac = value.split(".")
        good = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(good, _unb64(mac)):
                return None
            payload = json.loads(_unb64(body))
        except (ValueError, binascii.Error):
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int) \
                or payload["exp"] < time.time():
            return None
        return payload

    def load(self, request: Request) -> Session:
        """The request's session, or a fresh anonymous one (marked new)."""
        data = self.unsign(request.cookies.get(COOKIE))
        if data is not None and isinstance(data.get("sid"), str) and \
                isinstance(data.get("login"), str | None):
            return Session(data["sid"], data["login"], data["exp"], data.get("via"))
        return self.fresh(None)

    def fresh(self, login: str | None, via: str | None = None) -> Session:
        # A new sid at every sign-in and sign-out: a token seen before it is worth nothing after.
        return Session(secrets.token_urlsafe(18), login, int(time.time()) + self.max_age, via,
                       new=True)

    def save(self, response: Response, session: Session) -> None:
        value = self.sign({"sid": session.sid, "login": session.login, "exp": session.expires,
                           "via": session.via})
        response.set_cookie(COOKIE, value, max_age=self.max_age, httponly=True,
                            samesite="lax", secure=self.secure, path="/")

    def csrf_token(self, session: Session) -> str:
        """The token every form of this session carries (bound to the session's id)."""
        return _b64(hmac.new(self._key, f"csrf\0{session.sid}".encode(),
                             hashlib.sha256).digest())

    def csrf_ok(self, session: Session, token: object) -> bool:
        return isinstance(token, str) and not session.new and \
            hmac.compare_digest(self.csrf_token(session), token)
