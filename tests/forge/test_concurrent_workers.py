"""Two workers (two processes' worth: each its own Governance) processing the same deliveries:
each delivery once, commands reaching the engine in the order GitHub sent them."""

from __future__ import annotations

import threading

from charter.forge.handle import Forge
from charter.store.projects import Governance
from charter.worker.github import GitHubWorker
from charter.worker.run import log_notice
from tests.forge.conftest import REPO, Hub
from tests.store.conftest import KEY

PEOPLE = {"alice": "maintainer", "bob": "maintainer", "dave": "contributor"}
SCRIPT = [("dave", "/propose"), ("bob", "/object one"), ("bob", "/retract"),
          ("alice", "/object two"), ("alice", "/retract"), ("dave", "/withdraw")]


def test_two_workers_process_each_delivery_once_in_order(hub: Hub) -> None:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    for number in range(1, 6):
        for author, body in SCRIPT:
            hub.comment(body, author, number)
    stop = threading.Event()
    workers = []
    for _ in range(2):
        gov = Governance(hub.gov.db, KEY, clock=hub.clock)
        worker = GitHubWorker(gov, {"notice": log_notice}, clock=hub.clock,
                              forge=Forge(gov))
        workers.append(threading.Thread(target=worker.run, args=(stop,),
                                        kwargs={"idle": 0.05}))
    for thread in workers:
        thread.start()
    try:
        for _ in range(600):
            if len(hub.gov.events_after(REPO)) >= 5 * len(SCRIPT):
                break
            stop.wait(0.1)
    finally:
        stop.set()
        for thread in workers:
            thread.join(timeout=10)
    log = hub.gov.events_after(REPO)
    assert len(log) == 5 * len(SCRIPT)
    for number in range(1, 6):
        mine = [(e.command["by"], e.command["do"], e.rejected) for e in log
                if e.command.get("id") == str(number)]
        assert [(by, do) for by, do, _ in mine] == [
            (author, body.split()[0][1:]) for author, body in SCRIPT]
        assert all(rejected is None for _, _, rejected in mine)
