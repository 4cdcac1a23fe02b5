"""Effects exactly once across a worker crash: `charter worker` is killed with SIGKILL after
GitHub accepted a comment (201) and before the outbox row was marked; the next worker finds the
comment's marker on the issue and does not post it again."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from charter.store.db import reading
from charter.store.tables import outbox
from tests.forge.conftest import APP_ID, REPO, Hub
from tests.store.conftest import KEY

SRC = Path(__file__).resolve().parents[2] / "src"
PEOPLE = {"alice": "maintainer", "bob": "maintainer", "dave": "contributor"}


def worker(hub: Hub, tmp_path: Path, key: bytes, *args: str) -> subprocess.Popen[str]:
    (tmp_path / "app.pem").write_bytes(key)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(SRC),
           "CHARTER_DATABASE_URL": hub.gov.db.url.render_as_string(hide_password=False),
           "CHARTER_SECRET_KEY": KEY.decode(), "CHARTER_GITHUB_APP_ID": APP_ID,
           "CHARTER_GITHUB_PRIVATE_KEY_FILE": str(tmp_path / "app.pem"),
           "CHARTER_GITHUB_API_URL": hub.github.url, "CHARTER_WORKER_LEASE_SECONDS": "1"}
    return subprocess.Popen([sys.executable, "-m", "charter", "worker", *args], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_a_comment_accepted_before_the_crash_is_not_posted_again(
        hub: Hub, tmp_path: Path, app_key: tuple[bytes, bytes]) -> None:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    for body, author, number in [("/propose", "dave", 1), ("/object wait", "bob", 1),
                                 ("/propose", "dave", 2)]:
        hub.comment(body, author, number)
    hub.worker.process_deliveries()  # the answers are queued; this worker delivers nothing
    with reading(hub.gov.db) as conn:
        queued = conn.execute(sa.select(sa.func.count()).select_from(outbox)
                              .where(outbox.c.kind == "comment")).scalar_one()
    assert queued == 3

    hold = hub.github.hold = threading.Event()
    first = worker(hub, tmp_path, app_key[0])
    try:
        assert hub.github.held.wait(60), "the worker posted no comment"
        os.kill(first.pid, signal.SIGKILL)  # GitHub said 201; the worker never heard it
        first.wait(10)
    finally:
        hub.github.hold = None
        hold.set()
        if first.poll() is None:
            first.kill()
    assert len(hub.github.comments()) == 1
    time.sleep(1.5)  # the dead worker's lease runs out

    second = worker(hub, tmp_path, app_key[0], "--once")
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    bodies = hub.github.posted(REPO, 1) + hub.github.posted(REPO, 2)
    marks = [re.search(r"<!-- charter:effect (\d+) -->", b)[1]  # type: ignore[index]
             for b in bodies]
    assert len(marks) == queued and len(set(marks)) == queued  # each once
    # The effects the dead worker had leased (the first of each issue) looked before posting.
    looks = {r.path.partition("?")[0] for r in hub.github.requests if r.method == "GET"}
    assert f"/repos/{REPO}/issues/1/comments" in looks
    with reading(hub.gov.db) as conn:
        waiting = conn.execute(sa.select(sa.func.count()).select_from(outbox)
                               .where(outbox.c.delivered_at.is_(None))).scalar_one()
    assert waiting == 0
