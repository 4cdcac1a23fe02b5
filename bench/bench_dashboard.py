"""The dashboard's speed on a project with 10,000 decisions, as ratios to a baseline measured in
the same run.

Each page is requested over loopback from a real uvicorn; the figure is the server's own time
(its `Server-Timing` header), median and p95, against the same for `GET /api/v1/projects` (the
cheapest route: the baseline). Targets: every page's median under 50 ms of server time, and the
home page's HTML under 100 KB. The first request (the project folded from its log) is reported
apart.

Run: .venv/bin/python bench/bench_dashboard.py [--decisions N] [--requests N]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from loopback import serve

from charter.store.db import connect, upgrade, writing
from charter.store.log import GENESIS, seal
from charter.store.projects import Governance
from charter.web.api import create_app

KEY = secrets.token_bytes(32)
NAME = "bench/dash"
PEOPLE = {"alice": "maintainer", "bob": "maintainer", "carol": "maintainer",
          "dave": "contributor"}
TARGET_MS, TARGET_HOME_BYTES = 50.0, 100 * 1024


def build(db: Any, decisions: int) -> datetime:
    """NAME with DECISIONS decisions an hour apart (a tenth objected to, a fiftieth RFCs with
    upvotes), appended straight to the log; returns the last event's instant."""
    from charter.store.tables import events

    gov = Governance(db, KEY)
    project = gov.create_project(NAME, "llama-stack", PEOPLE)
    at = datetime(2024, 1, 1, tzinfo=UTC)
    prev, seq, rows = GENESIS, 0, []

    def add(command: dict[str, Any]) -> None:
        nonlocal prev, seq
        seq += 1
        event = seal(NAME, seq, at, command, project.policy_hash, None, prev)
        rows.append({"project_id": project.id, "seq": seq, "at": at, "command": command,
                     "policy": project.policy_hash, "rejected": None, "prev": event.prev,
                     "hash": event.hash})
        prev = event.hash

    for i in range(decisions):
        at += timedelta(hours=1)
        if i % 50 == 0:
            add({"do": "rfc", "by": "dave", "id": f"RFC-{i}", "title": f"RFC number {i}"})
            for voter in ("alice", "bob"):
                add({"do": "upvote", "by": voter, "id": f"RFC-{i}"})
            continue
        add({"do": "propose", "by": "dave", "id": f"D{i}", "process": "lazy-consensus",
             "title": f"Decision number {i}"})
        if i % 10 == 0:
            add({"do": "object", "by": "bob", "id": f"D{i}", "reason": "not yet"})
    for start in range(0, len(rows), 5000):
        with writing(db) as conn:
            conn.execute(events.insert(), rows[start:start + 5000])
    return at


def timed(client: httpx.Client, path: str, requests: int) -> tuple[float, float, int]:
    """(median, p95) of the server's time in ms, and the body's size."""
    times, size = [], 0
    for _ in range(requests):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        times.append(float(answer.headers["server-timing"].split("dur=")[1]))
        size = len(answer.content)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="charter-bench-dash-"))
    db = connect(f"sqlite:///{folder / 'charter.db'}")
    upgrade(db)
    last = build(db, args.decisions)
    gov = Governance(db, KEY, clock=lambda: last + timedelta(minutes=1))
    server, base = serve(create_app(gov))
    p = f"/projects/{NAME}"
    pages = ["/", p, f"{p}?page=2", f"{p}/decisions/D{args.decisions - 1}",
             f"{p}/decisions/D{args.decisions - 1}/ballot", f"{p}/rows/D{args.decisions - 1}",
             f"{p}/rfcs", f"{p}/roadmap", f"{p}/people", f"{p}/components", f"{p}/triage",
             f"{p}/audit", f"{p}/audit?after=5000", f"{p}/pulls/1", "/signin"]
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            start = time.perf_counter()
            client.get(p)
            print(f"first page of a cold project ({args.decisions} decisions): "
                  f"{time.perf_counter() - start:.2f} s (folds the log once)")
            start = time.perf_counter()
            client.get(f"{p}/audit/verification")
            print(f"audit verification, first time: {time.perf_counter() - start:.2f} s "
                  "(replays the log; a fragment loaded after the page, then cached)")
            base_median, base_p95, _ = timed(client, "/api/v1/projects", args.requests)
            print(f"baseline GET /api/v1/projects: median {base_median:.1f} ms, "
                  f"p95 {base_p95:.1f} ms")
            failed = False
            for path in pages:
                median, p95, size = timed(client, path, args.requests)
                ok = median < TARGET_MS  # p95 is shown: on a shared machine it is noise
                failed |= not ok
                print(f"{path:<48} median {median:6.1f} ms ({median / base_median:5.1f}x) "
                      f"p95 {p95:6.1f} ms  {size / 1024:6.1f} KB  "
                      f"{'ok' if ok else 'OVER ' + str(TARGET_MS) + ' ms'}")
            home = len(client.get(p).content)
            verdict = "ok" if home < TARGET_HOME_BYTES else "OVER"
            print(f"home page HTML: {home / 1024:.1f} KB (target < "
                  f"{TARGET_HOME_BYTES // 1024} KB): {verdict}")
            if failed or home >= TARGET_HOME_BYTES:
                raise SystemExit(1)
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
