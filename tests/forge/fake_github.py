"""A small fake GitHub on loopback: the REST routes Charter calls, every request recorded, and
failures (500, 429 with Retry-After) scripted by the test."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

_TOKENS = re.compile(r"/app/installations/(\d+)/access_tokens")
_COMMENTS = re.compile(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments")


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
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def comments(self) -> list[Request]:
        """Comments GitHub accepted, in the order it accepted them."""
        with self.lock:
            return [r for r in self.requests if r.status == 201 and _COMMENTS.fullmatch(r.path)]

    def answer(self, request: Request) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.requests.append(request)
            if self.failures:
                status, headers = self.failures.popleft()
                request.status = status
                return status, headers, {"message": "scripted failure"}
        status, body = self._route(request)
        request.status = status
        return status, {}, body

    def _route(self, request: Request) -> tuple[int, Any]:
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
        match = _COMMENTS.fullmatch(request.path)
        if match and request.method == "POST":
            if bearer not in self.issued:
                return 401, {"message": "Bad credentials"}
            if not isinstance(request.body, dict) or not isinstance(request.body.get("body"),
                                                                    str):
                return 422, {"message": "body is required"}
            return 201, {"id": len(self.requests), "body": request.body["body"]}
        return 404, {"message": "Not Found"}


def serve(fake: FakeGitHub) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """FAKE on a free loopback port; its address is set on FAKE.url."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            request = Request("POST", self.path, {k.lower(): v for k, v in
                                                  self.headers.items()}, body)
            status, headers, answer = fake.answer(request)
            data = json.dumps(answer).encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
