"""The GitHub client against the fake: App JWT, cached installation tokens, and GitHub's refusals
turned into retries with its own Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from charter.forge.auth import Token
from charter.forge.client import GitHub, GitHubUnavailable, retry_after
from charter.store.queue import Effect
from charter.worker.github import CommentDeliverer
from charter.worker.run import DeliveryFailed
from tests.forge.conftest import APP_ID, REPO
from tests.forge.fake_github import FakeGitHub

NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def client(fake: FakeGitHub, key: bytes, now: list[datetime]) -> GitHub:
    return GitHub(fake.url, APP_ID, key, clock=lambda: now[0])


def test_tokens_are_exchanged_once_and_renewed_before_they_expire(
        fake_github: FakeGitHub, app_key: tuple[bytes, bytes]) -> None:
    now = [datetime.now(UTC)]
    github = client(fake_github, app_key[0], now)
    for n in range(3):
        github.comment(5, REPO, n + 1, "hello")
    exchanges = [r for r in fake_github.requests if r.path.endswith("/access_tokens")]
    assert len(exchanges) == 1
    claims = jwt.decode(exchanges[0].headers["authorization"][7:], app_key[1],
                        algorithms=["RS256"])
    assert claims["iss"] == APP_ID and claims["exp"] - claims["iat"] <= 600
    now[0] += timedelta(minutes=56)  # five minutes before the hour GitHub gave
    github.comment(5, REPO, 4, "hello")
    assert len([r for r in fake_github.requests if r.path.endswith("/access_tokens")]) == 2
    assert len(fake_github.comments()) == 4


@pytest.mark.parametrize(("status", "headers", "wait"), [
    (500, {}, None),
    (502, {}, None),
    (429, {"Retry-After": "120"}, timedelta(seconds=120)),
    (429, {"Retry-After": "Fri, 06 Mar 2026 12:05:00 GMT"}, timedelta(minutes=5)),
    (403, {"X-RateLimit-Remaining": "0",
           "X-RateLimit-Reset": str(int((NOW + timedelta(minutes=7)).timestamp()))},
     timedelta(minutes=7)),
    (404, {}, None),
])
def test_refusals_are_retried_with_githubs_hint(fake_github: FakeGitHub,
                                                app_key: tuple[bytes, bytes], status: int,
                                                headers: dict[str, str],
                                                wait: timedelta | None) -> None:
    github = client(fake_github, app_key[0], [NOW])
    github.installation_token(5)  # so the scripted answer meets the comment itself
    fake_github.failures.append((status, headers))
    deliver = CommentDeliverer(github)
    effect = Effect(1, 1, "comment", "issue:x", {"installation": 5, "repository": REPO,
                                                  "number": 3, "body": "hi"}, 0)
    with pytest.raises(DeliveryFailed) as failed:
        deliver(effect)
    assert failed.value.retry_after == wait
    deliver(effect)  # GitHub is back: the same effect goes through
    assert len(fake_github.comments()) == 1


def test_an_unreachable_github_is_a_retry() -> None:
    github = GitHub("http://127.0.0.1:9", APP_ID, b"unused", http=httpx.Client(timeout=1))
    github.tokens.put(5, Token("t", datetime.now(UTC) + timedelta(hours=1)))
    with pytest.raises(GitHubUnavailable):
        github.comment(5, REPO, 1, "hi")


@pytest.mark.parametrize(("headers", "wait"), [
    ({"retry-after": "0"}, timedelta(0)),
    ({"retry-after": "soon"}, None),
    ({"retry-after": "999999999"}, timedelta(days=1)),
    ({}, None),
])
def test_retry_after(headers: dict[str, str], wait: timedelta | None) -> None:
    assert retry_after(httpx.Response(429, headers=headers), NOW) == wait
