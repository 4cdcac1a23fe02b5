"""The few GitHub REST calls Charter makes, as the App's installation (httpx)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from charter.forge.auth import Token, TokenCache, app_jwt

API_VERSION = "2022-11-28"


class GitHubUnavailable(Exception):
    """GitHub refused or could not be reached; RETRY_AFTER is its own hint, if it gave one."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _utcnow() -> datetime:
    return datetime.now(UTC)


def retry_after(response: httpx.Response, now: datetime) -> timedelta | None:
    """How long GitHub asks to wait: `Retry-After` (seconds or a date), or, for a spent rate
    limit, until `X-RateLimit-Reset`."""
    value = response.headers.get("retry-after")
    if value is not None:
        if value.strip().isdigit():
            return timedelta(seconds=min(int(value), 86_400))
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(timedelta(0), when - now) if when.tzinfo else None
    reset = response.headers.get("x-ratelimit-reset")
    if response.headers.get("x-ratelimit-remaining") == "0" and reset and reset.isdigit():
        return max(timedelta(0), datetime.fromtimestamp(int(reset), UTC) - now)
    return None


class GitHub:
    """A GitHub App's client: its JWT, cached installation tokens, and the calls Charter makes."""

    def __init__(self, api_url: str, app_id: str, private_key: str | bytes,
                 http: httpx.Client | None = None,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.api_url = api_url.rstrip("/")
        self.app_id, self.private_key = app_id, private_key
        self.http = http or httpx.Client(timeout=httpx.Timeout(10.0))
        self.clock = clock
        self.tokens = TokenCache(clock)

    def _headers(self, bearer: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {bearer}", "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION, "User-Agent": "charter"}

    def _send(self, method: str, path: str, bearer: str, body: Any = None) -> httpx.Response:
        try:
            response = self.http.request(method, self.api_url + path, json=body,
                                         headers=self._headers(bearer))
        except httpx.HTTPError as err:
            raise GitHubUnavailable(f"{method} {path}: {type(err).__name__}: {err}") from None
        if response.status_code >= 500 or response.status_code == 429 or (
                response.status_code == 403
                and response.headers.get("x-ratelimit-remaining") == "0"):
            raise GitHubUnavailable(f"{method} {path}: HTTP {response.status_code}",
                                    retry_after(response, self.clock()))
        return response

    def installation_token(self, installation: int) -> str:
        """A token for INSTALLATION, from the cache or freshly exchanged for the App's JWT."""
        cached = self.tokens.get(installation)
        if cached is not None:
            return cached
        path = f"/app/installations/{installation}/access_tokens"
        response = self._send("POST", path, app_jwt(self.app_id, self.private_key,
                                                    self.clock()))
        if response.status_code != 201:
            raise GitHubUnavailable(f"POST {path}: HTTP {response.status_code}: "
                                    f"{response.text[:200]}")
        try:
            data = response.json()
            token = Token(str(data["token"]),
                          datetime.fromisoformat(str(data["expires_at"]).replace("Z", "+00:00")))
        except (ValueError, KeyError, TypeError) as err:
            raise GitHubUnavailable(f"POST {path}: unexpected answer ({err})") from None
        self.tokens.put(installation, token)
        return token.value

    def comment(self, installation: int, repository: str, number: int, body: str) -> None:
        """Post BODY as a comment on issue or pull request NUMBER of REPOSITORY."""
        path = f"/repos/{repository}/issues/{number}/comments"
        response = self._send("POST", path, self.installation_token(installation),
                              {"body": body})
        if response.status_code == 401:
            # The token was revoked or expired early: the next try exchanges a new one.
            self.tokens.forget(installation)
        if response.status_code != 201:
            raise GitHubUnavailable(f"POST {path}: HTTP {response.status_code}: "
                                    f"{response.text[:200]}")

    def _ok(self, installation: int, method: str, path: str, body: Any = None,
            ok: tuple[int, ...] = (200, 201)) -> httpx.Response:
        """One call as INSTALLATION; a status not in OK is retried later."""
        response = self._send(method, path, self.installation_token(installation), body)
        if response.status_code == 401:
            self.tokens.forget(installation)
        if response.status_code not in ok:
            raise GitHubUnavailable(f"{method} {path}: HTTP {response.status_code}: "
                                    f"{response.text[:200]}")
        return response

    def _as_installation(self, method: str, path: str, installation: int, body: Any = None,
                         ok: tuple[int, ...] = (200,)) -> Any:
        """The JSON answer to one call as INSTALLATION; any other status is retried later."""
        response = self._ok(installation, method, path, body, ok)
        try:
            return response.json()
        except ValueError:
            raise GitHubUnavailable(f"{method} {path}: the answer is not JSON") from None

    def pull(self, installation: int, repository: str, number: int) -> dict[str, Any]:
        """Pull request NUMBER of REPOSITORY as GitHub's REST API returns it."""
        data = self._as_installation("GET", f"/repos/{repository}/pulls/{number}", installation)
        if not isinstance(data, dict):
            raise GitHubUnavailable(f"GET /repos/{repository}/pulls/{number}: not an object")
        return data

    def check_run(self, installation: int, repository: str, sha: str, name: str,
                  fields: dict[str, Any]) -> int:
        """Create the check run NAME on commit SHA, or update it when one exists: so a retry
        after a crash between GitHub's answer and the outbox mark changes the same run."""
        found = self._as_installation(
            "GET", f"/repos/{repository}/commits/{sha}/check-runs?check_name={quote(name)}"
                   "&filter=latest&per_page=100", installation)
        runs = found.get("check_runs") if isinstance(found, dict) else None
        existing = [r["id"] for r in runs or () if isinstance(r, dict) and r.get("name") == name
                    and isinstance(r.get("id"), int)]
        if existing:
            path = f"/repos/{repository}/check-runs/{max(existing)}"
            self._as_installation("PATCH", path, installation, fields)
            return int(max(existing))
        created = self._as_installation("POST", f"/repos/{repository}/check-runs", installation,
                                        {"name": name, "head_sha": sha, **fields}, ok=(201,))
        return int(created["id"]) if isinstance(created, dict) and isinstance(
            created.get("id"), int) else 0


    def comment_bodies(self, installation: int, repository: str, number: int,
                       since: datetime, pages: int = 10) -> list[str]:
        """The bodies of NUMBER's comments updated since SINCE (at most PAGES pages of 100):
        where a retried effect looks for the marker of an earlier try."""
        stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        bodies: list[str] = []
        for page in range(1, pages + 1):
            path = (f"/repos/{repository}/issues/{number}/comments?since={stamp}"
                    f"&per_page=100&page={page}")
            found = self._ok(installation, "GET", path).json()
            if not isinstance(found, list):
                raise GitHubUnavailable(f"GET {path}: not a list of comments")
            bodies += [c["body"] for c in found if isinstance(c, dict)
                       and isinstance(c.get("body"), str)]
            if len(found) < 100:
                break
        return bodies

    def add_labels(self, installation: int, repository: str, number: int,
                   labels: list[str]) -> None:
        """Add LABELS to issue or pull request NUMBER (adding one twice changes nothing)."""
        self._ok(installation, "POST", f"/repos/{repository}/issues/{number}/labels",
                 {"labels": labels})

    def remove_label(self, installation: int, repository: str, number: int,
                     label: str) -> None:
        """Remove LABEL from NUMBER; a label that is not there (404) is already removed."""
        self._ok(installation, "DELETE", f"/repos/{repository}/issues/{number}/labels/"
                 f"{quote(label, safe='')}", ok=(200, 204, 404))
