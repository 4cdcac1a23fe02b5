"""A small fake GitHub on loopback: the REST routes Charter calls, every request recorded, and
failures (500, 429 with Retry-After) scripted by the test; it can also hold a comment's answer
after accepting it (a worker killed then has been accepted but never heard so)."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import jwt

_TOKENS = re.compile(r"/app/installations/(\d+)/access_tokens")
_COMMENTS = re.compile(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments")
_RUNS_OF = re.compile(r"/repos/([^/]+/[^/]+)/commits/([0-9a-f]{40})/check-runs(?:\?(.*))?")
_RUNS = re.compile(r"/repos/([^/]+/[^/]+)/check-runs")
_RUN = re.compile(r"/repos/([^/]+/[^/]+)/check-runs/(\d+)")
_PULL = re.compile(r"/repos/([^/]+/[^/]+)/pulls/(\d+)")
_LABELS = re.compile(r"/repos/([^/]+/[^/]+)/issues/(\d+)/labels")
_LABEL = re.compile(r"/repos/([^/]+/[^/]+)/issues/(\d+)/labels/([^/]+)")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class FakeGitHub:
    """Serves token exchanges and comments; FAILURES are answered first, one per request."""

    public_key: bytes
    app_id: str
    requests: list[Request] = field(default_factory=list)
    failures: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    issued: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    url: str = ""
    #: Check runs by id, as GitHub keeps them (name, head_sha, status, conclusion, output).
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Pull requests the REST API serves, by (repository, number), set by the test.
    pulls: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)

    def runs(self, sha: str | None = None, name: str = "charter") -> list[dict[str, Any]]:
        """The check runs named NAME (on SHA), oldest first."""
        with self.lock:
            return [dict(r, id=i) for i, r in sorted(self.check_runs.items())
                    if r["name"] == name and (sha is None or r["head_sha"] == sha)]
    # Each issue's labels, as GitHub keeps them: (repository, number) -> names.
    labels: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    # While set, a comment is accepted (recorded as 201) and its answer held until cleared.
    hold: threading.Event | None = None
    held: threading.Event = field(default_factory=threading.Event)
    # The OAuth web flow: client id -> secret, codes handed out -> login, tokens -> login.
    oauth_clients: dict[str, str] = field(default_factory=dict)
    oauth_codes: dict[str, str] = field(default_factory=dict)
    oauth_tokens: dict[str, str] = field(default_factory=dict)

    def authorize(self, login: str) -> str:
        """What GitHub does when LOGIN approves the OAuth App: a one-time code."""
        code = f"code-{len(self.oauth_codes) + 1}"
        with self.lock:
            self.oauth_codes[code] = login
        return code

    def comments(self) -> list[Request]:
        """Comments GitHub accepted, in the order it accepted them."""
        with self.lock:
            return [r for r in self.requests if r.status == 201 and _COMMENTS.fullmatch(r.path)]

    def posted(self, repository: str, number: int) -> list[str]:
        """The bodies of the comments GitHub holds on one issue, oldest first."""
        path = f"/repos/{repository}/issues/{number}/comments"
        return [r.body["body"] for r in self.comments() if r.path == path]

    def answer(self, request: Request) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.requests.append(request)
            if self.failures:
                status, headers = self.failures.popleft()
                request.status = status
                return status, headers, {"message": "scripted failure"}
        with self.lock:
            status, body = self._route(request)
            request.status = status
        hold = self.hold
        if hold is not None and status == 201 and _COMMENTS.fullmatch(request.path):
            self.held.set()
            hold.wait()
        return status, {}, body

    def _route(self, request: Request) -> tuple[int, Any]:
        if request.path == "/login/oauth/access_token" and request.method == "POST":
            return self._exchange(request.body)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return 401, {"message": "Requires authentication"}
        bearer = auth[7:]
        match = _TOKENS.fullmatch(request.path)
        if match and request.method == "POST":
            try:
                # The fake's clock is not the test's, so only the signature and issuer count.
                claims = jwt.decode(bearer, self.public_key, algorithms=["RS256"],
                                    options={"verify_exp": False, "verify_iat": False})
            except jwt.InvalidTokenError:
                return 401, {"message": "A JSON web token could not be decoded"}
            if claims.get("iss") != self.app_id:
                return 401, {"message": "wrong issuer"}
            token = f"ghs_{len(self.issued) + 1:036d}"
            with self.lock:
                self.issued[token] = int(match[1])
            expires = datetime.now(UTC) + timedelta(hours=1)
            return 201, {"token": token, "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if request.path == "/user" and request.method == "GET":
            login = self.oauth_tokens.get(bearer)
            if login is None:
                return 401, {"message": "Bad credentials"}
            return 200, {"login": login, "id": 1000 + len(login), "type": "User"}
        if bearer not in self.issued:
            return 401, {"message": "Bad credentials"}
        path, _, query = request.path.partition("?")
        match = _COMMENTS.fullmatch(path)
        if match and request.method == "GET":
            # GitHub filters by `since`; the fake answers every comment of the issue, a superset.
            params = dict(p.partition("=")[::2] for p in query.split("&") if p)
            size, page = int(params.get("per_page", 30)), int(params.get("page", 1))
            bodies = [{"id": i, "body": b} for i, b in enumerate(
                self._posted(path), start=1)]
            return 200, bodies[(page - 1) * size:page * size]
        match = _LABEL.fullmatch(path)
        if match and request.method == "DELETE":
            held = self.labels.setdefault((match[1], int(match[2])), [])
            name = unquote(match[3])
            if name not in held:
                return 404, {"message": "Label does not exist"}
            held.remove(name)
            return 200, [{"name": n} for n in held]
        match = _LABELS.fullmatch(path)
        if match and request.method == "POST":
            held = self.labels.setdefault((match[1], int(match[2])), [])
            names = request.body.get("labels") if isinstance(request.body, dict) else None
            if not isinstance(names, list):
                return 422, {"message": "labels is required"}
            held += [n for n in names if n not in held]
            return 200, [{"name": n} for n in held]
        match = _COMMENTS.fullmatch(request.path)
        if match and request.method == "POST":
            if not isinstance(request.body, dict) or not isinstance(request.body.get("body"),
                                                                    str):
                return 422, {"message": "body is required"}
            return 201, {"id": len(self.requests), "body": request.body["body"]}
        if bearer not in self.issued:
            return 401, {"message": "Bad credentials"}
        return self._checks(request)

    def _checks(self, request: Request) -> tuple[int, Any]:
        """Check runs (list by commit, create, update) and pull requests (read)."""
        body = request.body if isinstance(request.body, dict) else {}
        match = _RUNS_OF.fullmatch(request.path)
        if match and request.method == "GET":
            wanted = dict(p.partition("=")[::2] for p in (match[3] or "").split("&") if p)
            with self.lock:
                found = [dict(r, id=i) for i, r in sorted(self.check_runs.items())
                         if r["head_sha"] == match[2] and r["repository"] == match[1]
                         and r["name"] == wanted.get("check_name", r["name"])]
            return 200, {"total_count": len(found), "check_runs": found}
        match = _RUNS.fullmatch(request.path)
        if match and request.method == "POST":
            if not isinstance(body.get("name"), str) or not isinstance(body.get("head_sha"),
                                                                        str):
                return 422, {"message": "name and head_sha are required"}
            with self.lock:
                run_id = len(self.check_runs) + 1
                self.check_runs[run_id] = {"repository": match[1], **body, "updates": 0}
            return 201, {"id": run_id, **body}
        match = _RUN.fullmatch(request.path)
        if match and request.method == "PATCH":
            with self.lock:
                run = self.check_runs.get(int(match[2]))
                if run is None:
                    return 404, {"message": "Not Found"}
                run.update(body)
                run["updates"] += 1
            return 200, {"id": int(match[2]), **run}
        match = _PULL.fullmatch(request.path)
        if match and request.method == "GET":
            pull = self.pulls.get((match[1], int(match[2])))
            return (200, pull) if pull is not None else (404, {"message": "Not Found"})
        return 404, {"message": "Not Found"}


    def _posted(self, path: str) -> list[str]:
        return [r.body["body"] for r in self.requests if r.status == 201 and r.path == path]

    def _exchange(self, body: Any) -> tuple[int, Any]:
        """GitHub answers a bad exchange with 200 and an `error` field, as this does."""
        if not isinstance(body, dict):
            return 200, {"error": "bad_verification_code"}
        client, secret = body.get("client_id"), body.get("client_secret")
        if not isinstance(client, str) or self.oauth_clients.get(client) != secret:
            return 200, {"error": "incorrect_client_credentials",
                         "error_description": "The client_id and/or client_secret passed "
                                              "are incorrect."}
        with self.lock:
            login = self.oauth_codes.pop(str(body.get("code")), None)
            if login is None:
                return 200, {"error": "bad_verification_code",
                             "error_description": "The code passed is incorrect or expired."}
            token = f"gho_{len(self.oauth_tokens) + 1:036d}"
            self.oauth_tokens[token] = login
        return 200, {"access_token": token, "token_type": "bearer", "scope": ""}


def serve(fake: FakeGitHub) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """FAKE on a free loopback port; its address is set on FAKE.url."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.do_POST("GET")

        def do_PATCH(self) -> None:
            self.do_POST("PATCH")

        def do_DELETE(self) -> None:
            self.do_POST("DELETE")

        def do_POST(self, method: str = "POST") -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            request = Request(method, self.path, {k.lower(): v for k, v in
                                                  self.headers.items()}, body)
            status, headers, answer = fake.answer(request)
            data = json.dumps(answer).encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # The worker may have been killed while its answer was held.
            with contextlib.suppress(OSError):
                self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
