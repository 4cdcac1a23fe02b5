"""`POST /webhooks/github` on a real uvicorn: checked before anything is stored, stored once,
redeliveries and unknown events acknowledged without effect; hostile bodies never stored."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from charter.forge.signature import sign
from charter.store.db import connect
from charter.store.projects import Governance
from charter.store.tables import deliveries, events, outbox
from charter.web.api import create_app
from tests.forge.conftest import REPO, SECRET, Hub, comment_payload, fixture

PEOPLE = {"alice": "maintainer", "bob": "maintainer", "dave": "contributor"}


def count(hub: Hub, table: sa.Table) -> int:
    with hub.gov.db.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize(("case", "status", "code"), [
    ("wrong secret", 401, "bad-signature"),
    ("no signature", 401, "bad-signature"),
    ("not json", 400, "bad-payload"),
    ("json array", 400, "bad-payload"),
    ("no delivery id", 400, "bad-headers"),
])
def test_refused_before_anything_is_stored(hub: Hub, case: str, status: int,
                                           code: str) -> None:
    body = json.dumps(fixture("ping")).encode()
    headers = {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1",
               "X-Hub-Signature-256": sign(SECRET, body)}
    if case == "wrong secret":
        headers["X-Hub-Signature-256"] = sign(b"another secret", body)
    elif case == "no signature":
        del headers["X-Hub-Signature-256"]
    elif case in ("not json", "json array"):
        body = b"{not json" if case == "not json" else b"[1, 2]"
        headers["X-Hub-Signature-256"] = sign(SECRET, body)
    elif case == "no delivery id":
        del headers["X-GitHub-Delivery"]
    response = hub.http.post("/webhooks/github", content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert count(hub, deliveries) == 0


def test_bodies_over_25_mb_are_refused(hub: Hub) -> None:
    body = b" " * (25 * 1024 * 1024 + 1)
    response = hub.http.post("/webhooks/github", content=body, headers={
        "X-GitHub-Event": "ping", "X-GitHub-Delivery": "big",
        "X-Hub-Signature-256": sign(SECRET, body)})
    assert response.status_code == 413
    assert count(hub, deliveries) == 0


def test_ping_and_unknown_events_are_acknowledged(hub: Hub) -> None:
    assert hub.send("ping", fixture("ping"), "p-1").status_code == 202
    ignored = hub.send("star", {"action": "created"}, "s-1")
    assert ignored.status_code == 202 and ignored.json()["status"] == "ignored"
    assert hub.send("ping", fixture("ping"), "p-1").status_code == 200
    assert hub.worker.process_deliveries() == 1  # the ping; the star is never processed
    assert count(hub, deliveries) == 2


def test_the_same_delivery_five_times_acts_once(hub: Hub) -> None:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    payload = comment_payload("/propose", "dave")
    answers = [hub.send("issue_comment", payload, "same-guid").status_code for _ in range(5)]
    assert answers == [202, 200, 200, 200, 200]
    hub.work()
    for _ in range(4):
        assert hub.send("issue_comment", payload, "same-guid").status_code == 200
    hub.work()
    assert count(hub, events) == 1
    with hub.gov.db.connect() as conn:
        kinds = sorted(conn.execute(sa.select(outbox.c.kind)).scalars())
    assert kinds == ["comment", "notice"]  # one answer, one "decision opened" notice
    assert len(hub.github.comments()) == 1


def test_a_thousand_hostile_payloads_store_nothing(hub: Hub) -> None:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    rng = random.Random(11)
    valid = json.dumps(comment_payload("/propose", "dave")).encode()
    for i in range(1000):
        kind = i % 5
        body = rng.randbytes(rng.randrange(0, 2000)) if kind in (0, 3) else valid
        if kind == 0:
            signature = "sha256=" + rng.randbytes(32).hex()
        elif kind == 1:
            signature = sign(b"not the secret", body)
        elif kind == 2:
            signature = sign(SECRET, body)[:-1] + "0"  # one digit off (or equal: see below)
            if signature == sign(SECRET, body):
                signature = "sha256=" + "f" * 64
        elif kind == 3:
            body = b"\xff" + body  # never valid UTF-8 JSON
            signature = sign(SECRET, body)
        else:
            signature = rng.choice(["", "sha1=abc", "sha256=", "sha256=" + "0" * 63 + "g",
                                    sign(SECRET, body).upper()])
        response = hub.http.post("/webhooks/github", content=body, headers={
            "X-GitHub-Event": rng.choice(["issue_comment", "ping", "installation", "x"]),
            "X-GitHub-Delivery": f"hostile-{i}", "X-Hub-Signature-256": signature})
        assert 400 <= response.status_code < 500, (i, response.status_code, response.text)
    assert count(hub, deliveries) == 0 and count(hub, events) == 0
    # And the service still works.
    assert hub.send("issue_comment", json.loads(valid)).status_code == 202


def test_without_a_secret_every_webhook_is_refused(tmp_path: Path) -> None:
    app = create_app(Governance(connect(f"sqlite:///{tmp_path / 'c.db'}"), None))
    transport = httpx.ASGITransport(app=app)

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/webhooks/github", content=b"{}")

    answer = asyncio.run(post())
    assert answer.status_code == 503 and "CHARTER_WEBHOOK_SECRET" in answer.text
