"""The dashboard's speed on a big project, each figure a ratio against a baseline measured in the
same run.

A project with N decisions (default 10,000: lazy-consensus proposals, contested ones with a
decision vote, RFCs with upvotes, a roadmap per quarter, an incubating component and a running
secret nomination) is written as a prepared log, every event sealed and decided by the engine
exactly as the service would have. Each page is then fetched from a real uvicorn on loopback,
warm (after one cold request that folds the log), and its latency compared with a bare FastAPI
endpoint on the same kind of server returning a static HTML string as large as the home page:
the difference is the page's own server time. Goals (issue 12): under 50 ms of server time per
page, and a home page under 100 KB.

Run: .venv/bin/python bench/bench_pages.py [--decisions N] [--requests N]
"""

from __future__ import annotations

import argparse
import inspect
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from loopback import serve

from charter.cli.demo_project import POLICY
from charter.engine.machine import Engine
from charter.engine.replay import collector_paused
from charter.scenario import parse_command
from charter.store.db import connect, upgrade, writing
from charter.store.log import GENESIS, seal
from charter.store.projects import Governance
from charter.store.tables import events
from charter.web.api import create_app

KEY = secrets.token_bytes(32)
PROJECT = "bench/big"
MAINTAINERS = [f"m{i:02d}" for i in range(30)]
CONTRIBUTORS = [f"c{i:03d}" for i in range(200)]
PEOPLE: dict[str, Any] = {**{m: "maintainer" for m in MAINTAINERS},
                          **{c: "contributor" for c in CONTRIBUTORS}}
#: (name, path, what it shows); {p} is the project, {vote} a decision vote, {nom} the nomination.
PAGES = [
    ("home", "/projects/{p}", "open and contested decisions"),
    ("home, page 3", "/projects/{p}?page=3", "a later page of open decisions"),
    ("decision (vote)", "/projects/{p}/decisions/{vote}", "timeline, reasons, bars"),
    ("decision (lazy)", "/projects/{p}/decisions/LC-00001", "an old accepted proposal"),
    ("ballot", "/projects/{p}/decisions/{nom}/ballot", "the secret nomination"),
    ("rfcs", "/projects/{p}/rfcs", "the RFC board"),
    ("roadmap", "/projects/{p}/roadmap", "quarters and candidates"),
    ("people", "/projects/{p}/people", "roles and history"),
    ("components", "/projects/{p}/components", "lifecycle"),
    ("triage", "/projects/{p}/triage", "the triage queue"),
    ("audit", "/projects/{p}/audit", "the log, first page"),
    ("audit check", "/projects/{p}/audit/verification", "the log's verification fragment"),
    ("pull", "/projects/{p}/pulls/1", "a pull request's gate"),
]


def history(decisions: int, now: datetime) -> list[tuple[datetime, dict[str, Any]]]:
    """Commands making DECISIONS decisions over the year before NOW, oldest first: about 70 %
    lazy consensus (the last ones still open, one in twelve contested, some of those voted
    on), 25 % RFCs with upvotes, approvals and a roadmap each quarter, and one component."""
    rfcs = decisions // 4
    lazies = decisions - rfcs - decisions // 40  # the rest are decision votes on contested
    out: list[tuple[datetime, dict[str, Any]]] = []
    span = timedelta(days=365)
    step = span / max(lazies, 1)
    votes = 0
    for n in range(1, lazies + 1):
        at = now - span + step * n
        who = CONTRIBUTORS[n % len(CONTRIBUTORS)]
        lc = f"LC-{n:05d}"
        out.append((at, {"do": "propose", "by": who, "id": lc, "process": "lazy-consensus",
                         "title": f"Proposal {n}: change the thing number {n}"}))
        if n % 12 == 0:
            out.append((at + timedelta(hours=1),
                        {"do": "object", "by": CONTRIBUTORS[(n + 7) % len(CONTRIBUTORS)],
                         "id": lc, "reason": f"objection to proposal {n}"}))
            if votes < decisions // 40 and n % 24 == 0:
                votes += 1
                vote = f"DV-{votes:04d}"
                out.append((at + timedelta(hours=2), {"do": "call-vote", "by": MAINTAINERS[0],
                                                      "id": lc, "vote": vote}))
                for k, m in enumerate(MAINTAINERS[:9]):
                    out.append((at + timedelta(hours=3, minutes=k),
                                {"do": "vote", "by": m, "id": vote,
                                 "choice": "yes" if k % 3 else "no"}))
    rstep = span / max(rfcs, 1)
    by_quarter: dict[str, list[str]] = {}
    for n in range(1, rfcs + 1):
        at = now - span + rstep * n
        rid = f"RFC-{n:05d}"
        author = CONTRIBUTORS[(n * 7) % len(CONTRIBUTORS)]
        out.append((at, {"do": "rfc", "by": author, "id": rid, "title": f"RFC number {n}"}))
        for k in range(n % 5):
            out.append((at + timedelta(minutes=10 + k),
                        {"do": "upvote", "by": CONTRIBUTORS[(n + 13 * k + 1) % 200], "id": rid}))
        if n % 3 == 0:
            out.append((at + timedelta(hours=1), {"do": "complete", "by": author, "id": rid}))
            out.append((at + timedelta(hours=2), {"do": "approve", "by": MAINTAINERS[n % 30],
                                                  "id": rid}))
            done = at + timedelta(hours=2)
            quarter = f"{done.year}Q{(done.month - 1) // 3 + 1}"
            by_quarter.setdefault(quarter, []).append(rid)
    for quarter, approved in sorted(by_quarter.items())[:-1]:
        if len(approved) >= 3:
            year, q = int(quarter[:4]), int(quarter[5])
            start = datetime(year, 3 * q - 2, 1, 12, tzinfo=UTC) + timedelta(days=95)
            out.append((start, {"do": "select-roadmap", "by": MAINTAINERS[1],
                                "id": quarter, "items": approved[:4]}))
    out.append((now - timedelta(days=40), {
        "do": "incubate", "by": MAINTAINERS[2], "id": "kv-cache",
        "goals": "Prefix-cache aware routing", "timeframe": "6 months",
        "maintainers": MAINTAINERS[2:4], "criteria": ["Two production users", "e2e in CI"]}))
    out.sort(key=lambda item: item[0])
    return out


def seed(db: Any, decisions: int, now: datetime) -> tuple[Governance, str, str, int]:
    """The big project as a prepared log (engine-decided, hash-chained), plus a secret
    nomination cast through the service; (governance, a vote id, the nomination, events)."""
    gov = Governance(db, KEY, clock=lambda: now - timedelta(days=2))
    project = gov.create_project(PROJECT, POLICY, PEOPLE)  # the demo's: has components
    engine = Engine(project.policy.policy, project.people)
    prev, rows, rejected_count = GENESIS, [], 0
    commands = history(decisions, now - timedelta(days=3))
    with collector_paused():
        for seq, (at, command) in enumerate(commands, 1):
            at = at.replace(microsecond=0)
            rejection = engine.apply(parse_command({**command, "at": at}, project.policy,
                                                   seq - 1))
            reason = rejection.reason if rejection else None
            if reason is not None and rejected_count < 3:
                print(f"  rejected: {command} ({reason})")
            rejected_count += reason is not None
            event = seal(PROJECT, seq, at, command, project.policy_hash, reason, prev)
            prev = event.hash
            rows.append({"project_id": project.id, "seq": seq, "at": at, "command": command,
                         "policy": project.policy_hash, "rejected": reason, "prev": event.prev,
                         "hash": event.hash})
            if len(rows) == 5000:
                with writing(db) as conn:
                    conn.execute(events.insert(), rows)
                rows = []
    if rows:
        with writing(db) as conn:
            conn.execute(events.insert(), rows)
    if rejected_count:
        print(f"  note: {rejected_count} seeded commands were rejected by the engine")
    gov.apply(PROJECT, MAINTAINERS[0], {"do": "nominate", "id": "NOM-BIG",
                                        "person": CONTRIBUTORS[0], "role": "maintainer"})
    for m in MAINTAINERS[:12]:
        gov.apply(PROJECT, m, {"do": "vote", "id": "NOM-BIG", "choice": "yes"})
    gov.clock = lambda: datetime.now(UTC)
    return gov, "DV-0001", "NOM-BIG", len(commands) + 13


def _app(gov: Governance) -> FastAPI:
    """The service's app as `charter serve` builds it (settings only where it takes them)."""
    if "settings" in inspect.signature(create_app).parameters:
        from charter.store.settings import load_settings

        return create_app(gov, settings=load_settings())  # type: ignore[call-arg,unused-ignore]
    return create_app(gov)


def _measure(client: httpx.Client, url: str, requests: int) -> tuple[list[float], int, int]:
    """(latencies in ms, status, body bytes) of REQUESTS warm GETs of URL."""
    out: list[float] = []
    status = size = 0
    for _ in range(requests):
        t0 = time.perf_counter()
        answer = client.get(url, headers={"Accept": "text/html"})
        out.append((time.perf_counter() - t0) * 1000)
        status, size = answer.status_code, len(answer.content)
    return out, status, size


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    db = connect(f"sqlite:///{folder / 'charter.db'}")
    upgrade(db)
    t0 = time.perf_counter()
    gov, vote, nomination, count = seed(db, args.decisions, datetime.now(UTC))
    print(f"seeded {PROJECT}: {args.decisions} decisions, {count} events in "
          f"{time.perf_counter() - t0:.1f} s (SQLite)")
    server, base = serve(_app(gov))
    with httpx.Client(timeout=60) as client:
        t0 = time.perf_counter()
        home = client.get(f"{base}/projects/{PROJECT}", headers={"Accept": "text/html"})
        cold_ms = (time.perf_counter() - t0) * 1000
        if home.status_code == 404 and "/projects/" not in home.text:
            print("no dashboard pages in this checkout (the home page is 404); nothing to time")
        html = home.content
        bare = FastAPI()
        static = html.decode("utf-8", "replace") or "x" * 20_000

        @bare.get("/page")
        def page() -> HTMLResponse:
            return HTMLResponse(static)

        bare_server, bare_base = serve(bare)
        baseline, _, base_size = _measure(client, f"{bare_base}/page", args.requests)
        base_med, base_p99 = statistics.median(baseline), _p(baseline, 0.99)
        print(f"first request (folds {count} events): {cold_ms:.0f} ms")
        print(f"baseline: static HTML of {base_size / 1024:.1f} KB from a bare endpoint: median "
              f"{base_med:.2f} ms, p99 {base_p99:.2f} ms")
        print(f"{'page':<18}{'status':>7}{'KB':>8}{'median':>9}{'p99':>9}{'server':>9}"
              f"{'ratio':>8}  goal < 50 ms server time")
        worst = 0.0
        for name, path, _ in PAGES:
            url = base + path.format(p=PROJECT, vote=vote, nom=nomination)
            client.get(url)  # warm: templates compiled, caches filled
            times, status, size = _measure(client, url, args.requests)
            med, p99 = statistics.median(times), _p(times, 0.99)
            own = med - base_med
            if status == 200:
                worst = max(worst, own)
            flag = "" if status != 200 or own < 50 else "  SLOW"
            print(f"{name:<18}{status:>7}{size / 1024:>8.1f}{med:>9.2f}{p99:>9.2f}{own:>9.2f}"
                  f"{med / base_med:>8.1f}{flag}")
        print(f"home page HTML: {len(html) / 1024:.1f} KB (goal < 100 KB)"
              f"{'' if len(html) < 100 * 1024 else '  TOO BIG'}")
        print(f"slowest page: {worst:.1f} ms of server time over the baseline (goal < 50 ms)")
        bare_server.should_exit = True
    server.should_exit = True


if __name__ == "__main__":
    main()
