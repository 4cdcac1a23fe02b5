"""A real uvicorn on loopback over a real SQLite file, with tokens for a few people."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from charter.cli.demo_project import create_demo_accounts, seed
from charter.store.accounts import set_password
from charter.store.db import connect, upgrade, writing
from charter.store.projects import Governance
from charter.store.settings import Settings
from charter.store.tokens import create_token
from charter.web.api import create_app
from tests.store.conftest import KEY, Clock

PROJECT = "acme/widgets"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Service:
    def __init__(self, gov: Governance, base: str, tokens: dict[str, str]) -> None:
        self.gov, self.base, self.tokens = gov, base, tokens
        self.http = httpx.Client(base_url=base, timeout=10)

    def post(self, path: str, body: Any, who: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.http.post(path, json=body, headers=headers)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    db = connect(f"sqlite:///{tmp_path / 'charter.db'}")
    upgrade(db)
    clock = Clock()
    gov = Governance(db, KEY, clock=clock)
    tokens = {}
    with writing(db) as conn:
        for login, admin in (("root", True), ("alice", False), ("bob", False),
                             ("dave", False)):
            tokens[login] = create_token(conn, login, admin=admin, now=clock.now)
    yield from serve(gov, tokens)


def serve(gov: Governance, tokens: dict[str, str],
          settings: Settings | None = None) -> Iterator[Service]:
    """GOV's service on a real uvicorn on a free loopback port, until the test ends."""
    db = gov.db
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(gov, None, settings), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    svc = Service(gov, f"http://127.0.0.1:{port}", tokens)
    try:
        yield svc
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        db.dispose()




DEMO = "rocket/rocket"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Visitor:
    """A browser without a browser: one cookie jar, forms posted with the page's CSRF token."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=10, follow_redirects=False)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def csrf(self, page: str = "/signin") -> str:
        found = CSRF.search(self.get(page).text)
        assert found, f"no CSRF token on {page}"
        return found[1]

    def post(self, path: str, data: dict[str, Any], page: str = "/signin",
             csrf: bool = True) -> httpx.Response:
        return self.http.post(path, data={**data, **({"csrf": self.csrf(page)} if csrf
                                                     else {})})

    def sign_in(self, login: str, password: str) -> httpx.Response:
        answer = self.post("/signin", {"login": login, "password": password, "next": "/"})
        assert answer.status_code == 303, answer.text
        return answer

    def act(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post(f"/projects/{DEMO}/act", body, **kw)


@dataclass
class Demo:
    svc: Service
    clock: Clock
    passwords: dict[str, str]

    def visitor(self, login: str | None = None) -> Visitor:
        visitor = Visitor(self.svc.base)
        if login is not None:
            visitor.sign_in(login, self.passwords[login])
        return visitor


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """The `charter demo` project with its accounts (and a few more) on a real uvicorn."""
    db = connect(f"sqlite:///{tmp_path / 'charter.db'}")
    upgrade(db)
    clock = Clock(datetime(2026, 3, 4, 9, 0, tzinfo=UTC))  # a Wednesday
    gov = Governance(db, KEY, clock=clock)
    seed(gov, clock.now)
    passwords = {login: pw for login, _, pw in create_demo_accounts(gov)}
    with writing(db) as conn:
        for login in ("bram", "chen", "gus", "femi"):
            passwords[login] = f"{login}-password"
            set_password(conn, login, passwords[login], clock.now)
    for svc in serve(gov, {}):
        yield Demo(svc, clock, passwords)
