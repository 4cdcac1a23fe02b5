"""The service's speed, each figure a ratio against a baseline measured in the same run.

1. `POST /commands` throughput and p99 on loopback (real uvicorn, one client) against a bare
   FastAPI endpoint doing one INSERT into the same database; SQLite and PostgreSQL.
2. Cold start of a project with N events (default 100,000): a fresh process's first
   `GET /state` against `charter simulate` of the same history (its export).
3. `GET /state` p99 with 10 projects and with 1,000 in one database: it must not grow.
4. `POST /commands` with concurrent clients against `charter serve --workers 1` and `--workers
   2` on PostgreSQL (real processes).

Run: .venv/bin/python bench/bench_service.py [--events N] [--requests N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import Body, FastAPI
from loopback import serve

from charter.engine.replay import replay
from charter.engine.report import snapshot
from charter.scenario import load_scenario
from charter.store.db import connect, upgrade, writing
from charter.store.log import GENESIS, seal
from charter.store.projects import Governance
from charter.store.tables import events
from charter.store.tokens import create_token
from charter.web.api import create_app

KEY = secrets.token_bytes(32)
PEOPLE = {"alice": "maintainer", "bob": "maintainer", "carol": "maintainer",
          "dave": "contributor"}


def _latencies(client: httpx.Client, requests: int, send: Any) -> list[float]:
    """Each request's latency in seconds (one client, one request at a time)."""
    latencies = []
    for i in range(requests):
        t0 = time.perf_counter()
        response = send(client, i)
        latencies.append(time.perf_counter() - t0)
        assert response.status_code < 300, response.text
    return latencies


def _summary(latencies: list[float]) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) of one client's sequential requests."""
    ordered = sorted(latencies)
    return len(ordered) / sum(ordered), ordered[int(len(ordered) * 0.99) - 1] * 1000


def commands(url: str, requests: int) -> None:
    db = connect(url)
    upgrade(db)
    gov = Governance(db, KEY)
    gov.create_project("bench/commands", "llama-stack", PEOPLE)
    with writing(db) as conn:
        token = create_token(conn, "dave", admin=False, now=datetime.now(UTC))
    noise = sa.Table("bench_noise", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("body", sa.JSON))
    noise.create(db, checkfirst=True)
    bare = FastAPI()

    @bare.post("/insert")
    def insert(body: dict[str, Any] = Body()) -> dict[str, Any]:  # noqa: B008
        with writing(db) as conn:
            conn.execute(noise.insert().values(body=body))
        return {"ok": True}

    charter_server, charter_base = serve(create_app(gov))
    bare_server, bare_base = serve(bare)
    headers = {"Authorization": f"Bearer {token}"}
    # Rounds of each in turn, so a shared machine's changing load falls on both alike.
    rounds, bare_times, charter_times = 5, [], []
    with httpx.Client(timeout=30) as client:
        for r in range(rounds):
            bare_times += _latencies(client, requests // rounds, lambda c, i, r=r: c.post(
                f"{bare_base}/insert", json={"do": "propose", "id": f"B{r}-{i}"}))
            charter_times += _latencies(client, requests // rounds, lambda c, i, r=r: c.post(
                f"{charter_base}/api/v1/projects/bench/commands/commands", headers=headers,
                json={"do": "propose", "id": f"P{r}-{i}", "process": "lazy-consensus"}))
    base_rate, base_p99 = _summary(bare_times)
    rate, p99 = _summary(charter_times)
    for server in (charter_server, bare_server):
        server.should_exit = True
    kind = url.split(":", 1)[0]
    print(f"POST /commands on {kind}: {rate:.0f}/s, p99 {p99:.1f} ms; bare INSERT endpoint "
          f"{base_rate:.0f}/s, p99 {base_p99:.1f} ms; throughput ratio {rate / base_rate:.2f} "
          "(goal >= 0.5)")
    db.dispose()


def processes(url: str, requests: int, clients: int = 4) -> None:
    """POST /commands with CLIENTS concurrent clients (one project each) against `charter
    serve --workers 1` and `--workers 2`, real processes on PostgreSQL."""
    import os
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from loopback import free_port

    db = connect(url)
    upgrade(db)
    gov = Governance(db, KEY)
    with writing(db) as conn:
        token = create_token(conn, "dave", admin=False, now=datetime.now(UTC))
    for k in range(clients):
        gov.create_project(f"bench/p{k}", "llama-stack", PEOPLE)
    db.dispose()
    env = {**os.environ, "CHARTER_DATABASE_URL": url, "CHARTER_SECRET_KEY": KEY.hex(),
           "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    figures = {}
    for count in (1, 2):
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "charter", "serve", "--workers",
                                   str(count), "--no-worker", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}/api/v1/projects"
        try:
            with httpx.Client(timeout=30) as probe:
                for _ in range(600):
                    try:
                        if probe.get(base).status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)

            def run(k: int, count: int = count, base: str = base) -> list[float]:
                latencies = []
                with httpx.Client(timeout=30) as client:
                    for i in range(requests // clients):
                        t0 = time.perf_counter()
                        answer = client.post(f"{base}/bench/p{k}/commands",
                                             headers={"Authorization": f"Bearer {token}"},
                                             json={"do": "propose", "id": f"W{count}-{i}",
                                                   "process": "lazy-consensus"})
                        latencies.append(time.perf_counter() - t0)
                        assert answer.status_code == 201, answer.text
                return latencies

            start = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                every = sorted(x for found in pool.map(run, range(clients)) for x in found)
            total = time.perf_counter() - start
            figures[count] = (len(every) / total, every[int(len(every) * 0.99) - 1] * 1000)
        finally:
            server.terminate()
            server.wait(timeout=30)
    (one, one_p99), (two, two_p99) = figures[1], figures[2]
    print(f"POST /commands, {clients} clients on postgresql: 1 process {one:.0f}/s p99 "
          f"{one_p99:.1f} ms; 2 processes {two:.0f}/s p99 {two_p99:.1f} ms; throughput ratio "
          f"{two / one:.2f}, p99 ratio {two_p99 / one_p99:.2f}")


def _bulk_log(db: sa.Engine, name: str, count: int) -> None:
    """COUNT events for project NAME written straight into the log, hash chain included."""
    gov = Governance(db, KEY)
    project = gov.create_project(name, "llama-stack", PEOPLE)
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    prev, rows = GENESIS, []
    for seq in range(1, count + 1):
        at += timedelta(minutes=7)
        if seq % 2:
            command = {"do": "propose", "by": "dave", "id": f"D{seq}",
                       "process": "lazy-consensus"}
        else:
            command = {"do": "object", "by": "bob", "id": f"D{seq - 1}", "reason": "no"}
        event = seal(name, seq, at, command, project.policy_hash, None, prev)
        prev = event.hash
        rows.append({"project_id": project.id, "seq": seq, "at": at, "command": command,
                     "policy": project.policy_hash, "rejected": None, "prev": event.prev,
                     "hash": event.hash})
        if len(rows) == 5000:
            with writing(db) as conn:
                conn.execute(events.insert(), rows)
            rows = []
    if rows:
        with writing(db) as conn:
            conn.execute(events.insert(), rows)


def cold_start(url: str, count: int, folder: Path) -> None:
    db = connect(url)
    upgrade(db)
    _bulk_log(db, "bench/cold", count)
    export = Governance(db, KEY).export("bench/cold")
    path = folder / "cold.json"
    path.write_text(json.dumps(export))
    start = time.perf_counter()
    scenario = load_scenario(path)
    engine, end = replay(scenario.policy.policy, scenario.people, scenario.commands,
                         scenario.as_of, policy_digest=scenario.policy.digest)
    simulated = snapshot(engine, end)
    simulate_s = time.perf_counter() - start
    start = time.perf_counter()
    as_of = datetime.fromisoformat(export["as_of"].replace("Z", "+00:00"))
    state = Governance(db, KEY).state("bench/cold", as_of)
    rebuild_s = time.perf_counter() - start
    assert state == simulated
    kind = url.split(':', 1)[0]
    print(f"cold start of {count} events on {kind}: rebuild {rebuild_s:.2f} s, "
          f"simulate {simulate_s:.2f} s; ratio {rebuild_s / simulate_s:.2f} (goal <= 1.5)")
    # With a snapshot (as the worker writes one every snapshots.EVERY events) at the last event.
    start = time.perf_counter()
    Governance(db, KEY).write_snapshot("bench/cold", every=1)
    written_s = time.perf_counter() - start
    start = time.perf_counter()
    from_snapshot = Governance(db, KEY).state("bench/cold", as_of)
    snapshot_s = time.perf_counter() - start
    assert from_snapshot == simulated
    print(f"cold start of {count} events on {kind} from a snapshot: {snapshot_s:.2f} s, ratio "
          f"{snapshot_s / simulate_s:.2f} to simulate (writing the snapshot took "
          f"{written_s:.2f} s, in the worker)")
    db.dispose()


def many_projects(url: str, folder: Path) -> None:
    db = connect(url)
    upgrade(db)
    gov = Governance(db, KEY)
    results = {}
    made = 0
    for total in (10, 1000):
        while made < total:
            name = f"many/p{made}"
            gov.create_project(name, "llama-stack", PEOPLE)
            gov.apply(name, "dave", {"do": "propose", "id": "P1", "process": "lazy-consensus"})
            made += 1
        latencies = []
        for i in range(300):
            fresh = Governance(db, KEY) if i % 30 == 0 else gov
            t0 = time.perf_counter()
            fresh.state(f"many/p{(i * 7919) % total}")
            latencies.append(time.perf_counter() - t0)
        latencies.sort()
        results[total] = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"GET /state p99 on {url.split(':', 1)[0]}: {results[10]:.1f} ms with 10 projects, "
          f"{results[1000]:.1f} ms with 1,000; ratio {results[1000] / results[10]:.2f} "
          "(goal: about 1)")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgres", default=None,
                        help="a PostgreSQL server URL without a database, to add its figures")
    parser.add_argument("--only", choices=["commands", "processes", "cold", "many"],
                        action="append",
                        help="run only these parts (repeatable); default: all")
    args = parser.parse_args()
    parts = set(args.only or ["commands", "processes", "cold", "many"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "commands" in parts:
            commands(f"sqlite:///{folder / 'commands.db'}", args.requests)
            if args.postgres:
                commands(_fresh_pg(args.postgres, "commands"), args.requests)
        if "processes" in parts and args.postgres:
            processes(_fresh_pg(args.postgres, "processes"), args.requests)
        if "cold" in parts:
            cold_start(f"sqlite:///{folder / 'cold.db'}", args.events, folder)
            if args.postgres:
                cold_start(_fresh_pg(args.postgres, "cold"), args.events, folder)
        if "many" in parts:
            if args.postgres:
                many_projects(_fresh_pg(args.postgres, "many"), folder)
            many_projects(f"sqlite:///{folder / 'many.db'}", folder)


def _fresh_pg(server: str, label: str) -> str:
    name = f"charter_bench_{label}_{secrets.token_hex(4)}"
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    admin.dispose()
    return f"{server}/{name}"


if __name__ == "__main__":
    main()
