"""Session cookies: signed, expiring, and CSRF tokens bound to the session."""

from __future__ import annotations

import time

import pytest

from charter.web.session import Sessions

KEY = b"k" * 32


@pytest.mark.parametrize("value", [None, "", "abc", "a.b.c", "e30.AAAA", "x" * 5000,
                                   "!!!.???"])
def test_garbage_cookies_are_no_session(value: str | None) -> None:
    assert Sessions(KEY, secure=False).unsign(value) is None


def test_a_cookie_signed_with_another_key_or_expired_is_refused() -> None:
    sessions = Sessions(KEY, secure=False)
    payload = {"sid": "s", "login": "ada", "exp": int(time.time()) + 60}
    good = sessions.sign(payload)
    assert sessions.unsign(good) == payload
    assert Sessions(b"o" * 32, secure=False).unsign(good) is None
    old = sessions.sign({"sid": "s", "login": "ada", "exp": int(time.time()) - 1})
    assert sessions.unsign(old) is None
    assert sessions.unsign(sessions.sign({"sid": "s"})) is None  # no expiry at all


def test_csrf_tokens_belong_to_one_session() -> None:
    sessions = Sessions(KEY, secure=False)
    one, two = sessions.fresh("ada"), sessions.fresh("ada")
    token = sessions.csrf_token(one)
    stored = type(one)(one.sid, one.login, one.expires)  # as read back from its cookie
    assert sessions.csrf_ok(stored, token)
    assert not sessions.csrf_ok(type(two)(two.sid, two.login, two.expires), token)
    assert not sessions.csrf_ok(one, token)  # a session made by this request has no form yet
    assert not sessions.csrf_ok(stored, None) and not sessions.csrf_ok(stored, "")
