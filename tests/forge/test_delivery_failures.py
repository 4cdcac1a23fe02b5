"""GitHub failing for a while (500s, 429 with Retry-After): every answer is posted later, once
each, in order per issue; none is dropped."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from charter.forge import inbox
from charter.store.tables import deliveries, outbox
from tests.forge.conftest import REPO, Hub

PEOPLE = {"alice": "maintainer", "bob": "maintainer", "dave": "contributor"}


def test_answers_survive_an_unavailable_github(hub: Hub) -> None:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    script = [(1, "dave", "/propose"), (2, "dave", "/propose"), (1, "bob", "/object no"),
              (2, "alice", "/object later"), (1, "alice", "/call-vote"),
              (2, "dave", "/withdraw"), (1, "alice", "/vote yes"), (1, "bob", "/vote no")]
    for number, author, body in script:
        hub.comment(body, author, number)
    hub.github.failures.extend([(500, {})] * 4 + [(429, {"Retry-After": "120"})] * 3
                               + [(502, {})] * 2 + [(429, {"Retry-After": "30"})])
    rounds = 0
    while True:
        hub.work()
        with hub.gov.db.connect() as conn:
            pending = conn.execute(sa.select(sa.func.count()).select_from(outbox).where(
                outbox.c.kind == "comment", outbox.c.delivered_at.is_(None))).scalar_one()
        if not pending and not hub.github.failures:
            break
        rounds += 1
        assert rounds < 200, "answers were not delivered"
        hub.clock.advance(minutes=1)
    assert not hub.github.failures  # every scripted failure was met
    posted = hub.github.comments()
    assert len(posted) == len(script)
    ids = [int(re.search(r"charter:effect (\d+)", r.body["body"])[1])  # type: ignore[index]
           for r in posted]
    assert len(set(ids)) == len(ids)  # exactly once each
    for number in (1, 2):
        mine = [r.body["body"] for r in posted if r.path.endswith(f"/issues/{number}/comments")]
        expected = [f"@{a}\n- `{b}`" for n, a, b in script if n == number]
        assert [text.split(":", 1)[0] for text in mine] == expected  # in order per issue


def test_a_delivery_that_fails_midway_applies_no_command_twice(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    real = hub.gov.apply
    calls: list[str] = []

    def flaky(name: str, by: str, body: Any, conn: Any = None) -> Any:
        calls.append(body["do"])
        if len(calls) == 2:
            raise OperationalError("UPDATE", {}, Exception("the database went away"))
        return real(name, by, body, conn)

    monkeypatch.setattr(hub.gov, "apply", flaky)
    hub.comment("/propose\n/object not yet\n/retract", "bob")
    assert hub.worker.process_deliveries() == 0  # failed after the first command
    with hub.gov.db.connect() as conn:
        row = conn.execute(sa.select(deliveries)).one()
    assert row.processed_at is None and "database went away" in row.last_error
    assert len(row.progress) == 1
    hub.clock.advance(seconds=3)  # past the first backoff
    hub.work()
    assert calls == ["propose", "object", "object", "retract"]
    assert [e.command["do"] for e in hub.gov.events_after(REPO)] == [
        "propose", "object", "retract"]
    [posted] = hub.github.comments()
    assert posted.body["body"].count("accepted") == 3


def test_a_command_and_its_progress_commit_together(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure recording the progress rolls the command back too, so the retry applies it
    once (and the worker's warm engine does not keep the rolled-back step)."""
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    real = inbox.save_progress
    saves: list[int] = []

    def flaky(conn: Any, delivery: Any, progress: list[Any]) -> None:
        saves.append(len(progress))
        if len(saves) == 1:
            raise OperationalError("UPDATE", {}, Exception("the database went away"))
        real(conn, delivery, progress)

    monkeypatch.setattr(inbox, "save_progress", flaky)
    hub.comment("/propose\n/object not yet", "bob")
    assert hub.worker.process_deliveries() == 0
    assert hub.gov.events_after(REPO) == []  # the command went with its progress
    hub.clock.advance(seconds=3)
    hub.work()
    assert [e.command["do"] for e in hub.gov.events_after(REPO)] == ["propose", "object"]
    assert saves == [1, 1, 2]
    [posted] = hub.github.comments()
    assert posted.body["body"].count("accepted") == 2
