"""The GitHub App under test: the real service on uvicorn (loopback) over a real database, a
worker driven by the test, and a fake GitHub that records every request."""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from charter.forge import stale
from charter.forge.client import GitHub
from charter.forge.handle import Forge
from charter.forge.signature import sign
from charter.store.projects import Governance
from charter.web.api import create_app
from charter.worker.github import CommentDeliverer, GitHubWorker
from charter.worker.labels import LabelDeliverer
from charter.worker.mail import log_mail
from charter.worker.run import log_notice
from tests.forge.fake_github import FakeGitHub, serve
from tests.store import conftest as store_fixtures
from tests.store.conftest import KEY, Clock
from tests.web.conftest import free_port

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = b"webhook-secret-for-tests"
APP_ID = "4242"
REPO = "Codertocat/Hello-World"  # the repository of the @octokit/webhooks-examples payloads
INSTALLATION = 1
# The store's fixtures: a SQLite file and a fresh PostgreSQL database, and a hand-moved clock.
db = store_fixtures.db
clock = store_fixtures.clock


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def comment_payload(body: str, author: str, number: int = 1,
                    title: str = "Adopt ruff") -> dict[str, Any]:
    """The real issue_comment.created payload with this comment, author and issue."""
    data = copy.deepcopy(fixture("issue_comment.created"))
    data["comment"]["body"] = body
    data["comment"]["user"]["login"] = author
    data["comment"]["user"]["type"] = "User"
    data["issue"]["number"] = number
    data["issue"]["title"] = title
    return data


@pytest.fixture(scope="session")
def app_key() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


@pytest.fixture
def fake_github(app_key: tuple[bytes, bytes]) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(app_key[1], APP_ID)
    server, thread = serve(fake)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Hub:
    """The service, its worker and GitHub's side of the conversation."""

    def __init__(self, gov: Governance, clock: Clock, base: str, worker: GitHubWorker,
                 github: FakeGitHub) -> None:
        self.gov, self.clock, self.worker, self.github = gov, clock, worker, github
        self.http = httpx.Client(base_url=base, timeout=30)

    def send(self, event: str, payload: dict[str, Any] | bytes, guid: str | None = None,
             secret: bytes = SECRET) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.http.post("/webhooks/github", content=body, headers={
            "X-GitHub-Event": event, "X-GitHub-Delivery": guid or str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(secret, body), "Content-Type": "application/json"})

    def comment(self, body: str, author: str, number: int = 1) -> httpx.Response:
        response = self.send("issue_comment", comment_payload(body, author, number))
        assert response.status_code == 202, response.text
        return response

    def work(self) -> None:
        """Everything due now: deliveries, deadlines, effects."""
        self.worker.process_deliveries()
        self.worker.fire_due()
        self.worker.deliver_due()


@pytest.fixture
def hub(db: sa.Engine, clock: Clock, fake_github: FakeGitHub,
        app_key: tuple[bytes, bytes]) -> Iterator[Hub]:
    gov = Governance(db, KEY, clock=clock)
    github = GitHub(fake_github.url, APP_ID, app_key[0], clock=clock)
    worker = GitHubWorker(gov, {"notice": log_notice, "comment": CommentDeliverer(github),
                                "label": LabelDeliverer(github), "mail": log_mail},
                          clock=clock, forge=Forge(gov, public_url="https://charter.test"),
                          timers={stale.STALE: partial(stale.fire, gov)})
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(gov, SECRET), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Hub(gov, clock, f"http://127.0.0.1:{port}", worker, fake_github)
    finally:
        server.should_exit = True
        thread.join(timeout=5)
