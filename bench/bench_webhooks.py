"""The GitHub webhook's speed, each figure against a baseline measured in the same run.

1. Ingest: `POST /webhooks/github` with a real `issue_comment` payload (signature checked, JSON
   parsed, the delivery stored once) on a real uvicorn, throughput and p99, against a bare
   FastAPI endpoint that reads the same body and INSERTs it into the same database (goal: a
   throughput ratio of at least 0.5); SQLite, and PostgreSQL with --postgres URL.
2. From the delivery to its answer: a worker running beside the server processes each stored
   comment (`/object`, one engine command) and delivers the answer to a recording deliverer
   (in process, not over HTTP); p50 and p99 of POST-sent to answer-delivered, under a steady
   stream of 20 comments a second.

Run: .venv/bin/python bench/bench_webhooks.py [--requests N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import copy
import json
import secrets
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI, Request
from loopback import serve

from charter.forge.handle import Forge
from charter.forge.signature import sign
from charter.store.db import connect, upgrade, writing
from charter.store.projects import Governance
from charter.store.queue import Effect
from charter.store.tables import deliveries
from charter.web.api import create_app
from charter.worker.github import GitHubWorker
from charter.worker.run import log_notice

KEY = secrets.token_bytes(32)
SECRET = b"bench-webhook-secret"
FIXTURE = (Path(__file__).resolve().parents[1] / "tests" / "forge" / "fixtures"
           / "issue_comment.created.json")
REPO = "Codertocat/Hello-World"
PEOPLE = {"alice": "maintainer", "bob": "maintainer", "dave": "contributor"}
#: Seconds between two comments of the answer benchmark (20 a second): one worker processes
#: about 25 to 50 comments a second on PostgreSQL, and a faster stream measures its backlog.
GAP = 0.05


def _comment(body: str, number: int) -> bytes:
    data = copy.deepcopy(json.loads(FIXTURE.read_text(encoding="utf-8")))
    data["comment"]["body"] = body
    data["comment"]["user"]["login"] = "bob"
    data["issue"]["number"] = number
    return json.dumps(data).encode()


def _headers(body: bytes, guid: str) -> dict[str, str]:
    return {"X-GitHub-Event": "issue_comment", "X-GitHub-Delivery": guid,
            "X-Hub-Signature-256": sign(SECRET, body), "Content-Type": "application/json"}


def _timed(requests: int, send: Any) -> tuple[float, float]:
    """(requests per second, p99 latency in ms)."""
    latencies = []
    start = time.perf_counter()
    for i in range(requests):
        t0 = time.perf_counter()
        response = send(i)
        latencies.append(time.perf_counter() - t0)
        assert response.status_code < 300, response.text
    total = time.perf_counter() - start
    latencies.sort()
    return requests / total, latencies[int(len(latencies) * 0.99) - 1] * 1000


def ingest(url: str, requests: int) -> None:
    db = connect(url)
    upgrade(db)
    gov = Governance(db, KEY)
    noise = sa.Table("bench_hooks", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("body", sa.JSON))
    noise.create(db, checkfirst=True)
    bare = FastAPI()

    @bare.post("/insert")
    async def insert(request: Request) -> dict[str, Any]:
        data = json.loads(await request.body())
        with writing(db) as conn:
            conn.execute(noise.insert().values(body=data))
        return {"ok": True}

    charter_server, charter_base = serve(create_app(gov, SECRET))
    bare_server, bare_base = serve(bare)
    body = _comment("thanks, no command here", 1)
    with httpx.Client(timeout=30) as client:
        base_rate, base_p99 = _timed(requests, lambda i: client.post(
            f"{bare_base}/insert", content=body, headers=_headers(body, f"b-{i}")))
        rate, p99 = _timed(requests, lambda i: client.post(
            f"{charter_base}/webhooks/github", content=body, headers=_headers(body, f"c-{i}")))
    for server in (charter_server, bare_server):
        server.should_exit = True
    with writing(db) as conn:  # no worker ran: the next part must not start on this backlog
        conn.execute(deliveries.update().values(processed_at=datetime.now(UTC)))
    kind = url.split(":", 1)[0]
    print(f"POST /webhooks/github on {kind}: {rate:.0f}/s, p99 {p99:.1f} ms; bare INSERT "
          f"endpoint {base_rate:.0f}/s, p99 {base_p99:.1f} ms; throughput ratio "
          f"{rate / base_rate:.2f} (goal >= 0.5)")
    db.dispose()


def to_answer(url: str, comments: int) -> None:
    db = connect(url)
    upgrade(db)
    gov = Governance(db, KEY)
    gov.create_project(REPO, "llama-stack", PEOPLE)
    for number in range(1, comments + 1):
        gov.apply(REPO, "dave", {"do": "propose", "id": str(number),
                                 "process": "lazy-consensus"})
    answered: dict[int, float] = {}

    def record(effect: Effect) -> None:
        answered[int(effect.payload["number"])] = time.perf_counter()

    worker = GitHubWorker(gov, {"notice": log_notice, "comment": record}, forge=Forge(gov))
    stop = threading.Event()
    # The idle poll `charter serve` uses: a stored webhook rings the worker awake.
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    server, base = serve(create_app(gov, SECRET))
    sent: dict[int, float] = {}
    with httpx.Client(timeout=30) as client:
        for number in range(1, comments + 1):
            body = _comment("/object not yet", number)
            sent[number] = time.perf_counter()
            client.post(f"{base}/webhooks/github", content=body,
                        headers=_headers(body, f"a-{number}"))
            time.sleep(GAP)  # a steady stream below one worker's capacity, not one burst
    deadline = time.monotonic() + 120
    while len(answered) < comments and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    server.should_exit = True
    waits = sorted((answered[n] - sent[n]) * 1000 for n in answered)
    kind = url.split(":", 1)[0]
    print(f"delivery to answer on {kind}: {len(waits)}/{comments} answered; p50 "
          f"{waits[len(waits) // 2]:.1f} ms, p99 {waits[int(len(waits) * 0.99) - 1]:.1f} ms")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--postgres", help="a PostgreSQL database URL to measure too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = [f"sqlite:///{Path(folder) / 'ingest.db'}"]
        if args.postgres:
            urls.append(args.postgres)
        for url in urls:
            ingest(url, args.requests)
        answer_urls = [f"sqlite:///{Path(folder) / 'answer.db'}"]
        if args.postgres:
            answer_urls.append(args.postgres)
        for url in answer_urls:
            to_answer(url, max(50, args.requests // 5))


if __name__ == "__main__":
    main()
