"""A real uvicorn on loopback over a real SQLite file, with tokens for a few people."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from charter.store.db import connect, upgrade, writing
from charter.store.projects import Governance
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
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(gov), host="127.0.0.1", port=port,
                                           log_level="warning"))
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


