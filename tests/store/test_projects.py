"""The service's core on real databases: commands, the log, secret ballots, export and audit."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.cli import cli
from charter.store import ballots
from charter.store.db import connect, upgrade
from charter.store.log import GENESIS, seal
from charter.store.projects import Forbidden, Governance, Malformed, NotFound
from charter.store.tables import ballots as ballot_table
from charter.store.tables import events, policies
from tests.store.conftest import KEY, Clock

PEOPLE = {"alice": "maintainer", "bob": "maintainer", "carol": "maintainer",
          "dave": "contributor"}
NAME = "acme/widgets"
#: llama-stack with a 24-hour lazy-consensus window and a two-thirds decision vote.
SHORT: dict[str, Any] = {"extends": "llama-stack", "processes": {
    "lazy-consensus": {"window": "24 business hours"},
    "decision-vote": {"pass": {"more_than": None, "at_least": "67%", "of": "cast"}}}}


def make(gov: Governance) -> None:
    gov.create_project(NAME, "llama-stack", PEOPLE)


def simulate(tmp_path: Path, scenario: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(scenario))
    result = CliRunner().invoke(cli, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_commands_are_logged_accepted_or_rejected(gov: Governance, clock: Clock) -> None:
    make(gov)
    first = gov.apply(NAME, "dave", {"do": "propose", "id": "P1", "process": "lazy-consensus",
                                     "title": "Adopt ruff"})
    assert first.rejected is None and first.event.seq == 1
    assert first.decision is not None and first.decision["status"] == "open"
    clock.advance(hours=1)
    refused = gov.apply(NAME, "dave", {"do": "call-vote", "id": "P1", "vote": "V1"})
    assert refused.rejected is not None and "maintainer" in refused.rejected
    assert refused.event.seq == 2 and refused.event.rejected == refused.rejected
    log = gov.events_after(NAME)
    assert [e.seq for e in log] == [1, 2]
    assert log[1].prev == log[0].hash
    assert log[0].command == {"do": "propose", "by": "dave", "id": "P1",
                              "process": "lazy-consensus", "title": "Adopt ruff"}


@pytest.mark.parametrize(("body", "error", "field"), [
    ([], Malformed, None),
    ({"do": "propose", "id": "P1", "process": "lazy-consensus", "by": "bob"}, Malformed, "by"),
    ({"do": "propose", "id": "P1", "process": "lazy-consensus", "at": "2020-01-01T00:00:00Z"},
     Malformed, "at"),
    ({"do": "dance"}, Malformed, "do"),
    ({"do": "propose", "id": "P1", "process": "nope"}, Malformed, "process"),
    ({"do": "propose", "id": "P1", "process": "lazy-consensus", "colour": "red"}, Malformed,
     "colour"),
    ({"do": "count", "id": "N1", "tally": {"yes": 1, "no": 0, "abstain": 0}}, Forbidden, "do"),
    ({"do": "vote", "id": "N1", "choice": "yes", "sealed": True}, Malformed, "sealed"),
])
def test_malformed_commands_store_nothing(gov: Governance, db: sa.Engine, body: Any,
                                          error: type[Exception], field: str | None) -> None:
    make(gov)
    with pytest.raises(error) as caught:
        gov.apply(NAME, "alice", body)
    assert getattr(caught.value, "field", None) == field
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() == 0


def test_unknown_project(gov: Governance) -> None:
    with pytest.raises(NotFound):
        gov.state("nobody/here")


def test_project_names_and_policies_are_checked(gov: Governance) -> None:
    with pytest.raises(Malformed) as caught:
        gov.create_project("no-slash", "llama-stack", {})
    assert caught.value.field == "name"
    with pytest.raises(Malformed):
        gov.create_project("a/b", "no-such-preset", {})
    with pytest.raises(Malformed) as extends:
        gov.create_project("a/b", {"extends": "/etc/passwd"}, {})
    assert "preset" in extends.value.message
    with pytest.raises(Malformed):
        gov.create_project("a/b", "llama-stack", {"x": "wizard"})
    make(gov)
    with pytest.raises(Forbidden):
        make(gov)


def _secret_nomination(gov: Governance, clock: Clock) -> dict[str, str]:
    make(gov)
    gov.apply(NAME, "alice", {"do": "nominate", "id": "N1", "person": "dave",
                              "role": "maintainer"})
    receipts = {}
    for voter, choice in (("alice", "yes"), ("bob", "no"), ("carol", "yes")):
        clock.advance(hours=1)
        outcome = gov.apply(NAME, voter, {"do": "vote", "id": "N1", "choice": choice,
                                          "explanation": f"a reason ({choice})"})
        assert outcome.rejected is None and outcome.receipt is not None
        assert outcome.event.command == {"do": "vote", "by": voter, "id": "N1", "sealed": True}
        receipts[voter] = outcome.receipt
    return receipts


def test_secret_ballots_keep_choices_out_of_the_log(gov: Governance, clock: Clock,
                                                     db: sa.Engine) -> None:
    receipts = _secret_nomination(gov, clock)
    state = gov.state(NAME)
    assert state["decisions"]["N1"]["tally"] == {"ballots": 3}
    with db.connect() as conn:
        logged = json.dumps([dict(r.command) for r in conn.execute(sa.select(events))])
        rows = conn.execute(sa.select(ballot_table)).all()
    assert "yes" not in logged and "no\"" not in logged
    # The ballot box holds no voter, no time; its order is the tokens', not the casting order.
    assert {r.choice for r in rows} == {"yes", "no"}
    assert [r.token for r in rows] == sorted(r.token for r in rows)
    assert all("alice" not in json.dumps(dict(r._mapping)) for r in rows)
    # With the secret key (and only with it) a ballot can be tied to its voter.
    with db.connect() as conn:
        assert ballots.choice_of(conn, KEY, 1, NAME, "N1", "bob") == "no"
        assert ballots.choice_of(conn, b"another key entirely!!", 1, NAME, "N1", "bob") is None
    # At the close, the count closes the vote and publishes the receipts.
    clock.advance(days=8)
    state = gov.state(NAME)
    from charter.store import queue
    with db.begin() as conn:
        job = queue.claim_job(conn, clock.now, (queue.DEADLINE,))
        assert job is not None and job.decision == "N1"
        gov.fire(conn, job, clock.now)
        queue.finish_job(conn, job, clock.now)
    decided = gov.decision(NAME, "N1")
    assert decided["status"] == "passed"
    assert decided["tally"]["yes"] == 2 and decided["tally"]["no"] == 1
    assert sorted(decided["receipts"]) == sorted(receipts.values())
    assert state is not None


def test_revote_replaces_and_gets_a_new_receipt(gov: Governance, clock: Clock,
                                                db: sa.Engine) -> None:
    receipts = _secret_nomination(gov, clock)
    clock.advance(hours=1)
    again = gov.apply(NAME, "bob", {"do": "vote", "id": "N1", "choice": "yes"})
    assert again.receipt not in (None, receipts["bob"])
    with db.connect() as conn:
        total = ballots.count(conn, 1, "N1")
    assert (total.yes, total.no) == (3, 0)
    assert again.receipt in total.receipts and receipts["bob"] not in total.receipts


def test_non_roster_secret_ballot_is_rejected(gov: Governance, clock: Clock) -> None:
    _secret_nomination(gov, clock)
    outcome = gov.apply(NAME, "zed", {"do": "vote", "id": "N1", "choice": "yes"})
    assert outcome.rejected is not None and "frozen roster" in outcome.rejected
    assert outcome.receipt is None


def test_export_replays_to_the_same_state(gov: Governance, clock: Clock,
                                          tmp_path: Path) -> None:
    _secret_nomination(gov, clock)
    clock.advance(hours=2)
    gov.apply(NAME, "dave", {"do": "propose", "id": "P1", "process": "lazy-consensus"})
    clock.advance(days=1)
    gov.apply(NAME, "erin", {"do": "object", "id": "P1", "reason": "not now"})
    clock.advance(days=9)
    from charter.worker.run import Worker
    Worker(gov, {"notice": lambda effect: None}, clock=clock).fire_due()
    assert simulate(tmp_path, gov.export(NAME)) == gov.state(NAME)


def test_audit_names_the_altered_event(gov: Governance, clock: Clock, db: sa.Engine) -> None:
    make(gov)
    for i in range(4):
        clock.advance(hours=1)
        gov.apply(NAME, "dave", {"do": "propose", "id": f"P{i}", "process": "lazy-consensus",
                                 "title": f"change {i}"})
    assert gov.verify(NAME) is None
    with db.begin() as conn:
        conn.execute(events.update().where(events.c.seq == 3)
                     .values(command={"do": "propose", "by": "dave", "id": "P2",
                                      "process": "lazy-consensus", "title": "change 2!"}))
    broken = gov.verify(NAME)
    assert broken is not None and broken[0].seq == 3 and "altered" in broken[1]


def test_a_fresh_process_rebuilds_from_the_log(gov: Governance, clock: Clock,
                                               db: sa.Engine) -> None:
    _secret_nomination(gov, clock)
    other = Governance(db, KEY, clock=clock)
    assert other.state(NAME) == gov.state(NAME)
    clock.advance(hours=1)
    other.apply(NAME, "dave", {"do": "propose", "id": "P9", "process": "lazy-consensus"})
    # The first process catches up with what the second appended.
    assert "P9" in gov.state(NAME)["decisions"]
    assert gov.apply(NAME, "alice", {"do": "object", "id": "P9"}).event.seq == 6


VERBS = st.sampled_from([
    ("dave", {"do": "propose", "id": "P1", "process": "lazy-consensus"}),
    ("dave", {"do": "propose", "id": "P2", "process": "lazy-consensus"}),
    ("bob", {"do": "object", "id": "P1", "reason": "no"}),
    ("bob", {"do": "retract", "id": "P1"}),
    ("alice", {"do": "call-vote", "id": "P1", "vote": "V1"}),
    ("alice", {"do": "vote", "id": "V1", "choice": "yes"}),
    ("carol", {"do": "vote", "id": "V1", "choice": "no"}),
    ("alice", {"do": "nominate", "id": "N1", "person": "dave", "role": "maintainer"}),
    ("bob", {"do": "vote", "id": "N1", "choice": "yes"}),
    ("carol", {"do": "vote", "id": "N1", "choice": "no", "explanation": "later"}),
    ("dave", {"do": "decline", "id": "N1"}),
    ("dave", {"do": "request-explanations", "id": "N1"}),
    ("bob", {"do": "step-down"}),
    ("dave", {"do": "rfc", "id": "R1", "title": "An idea"}),
    ("erin", {"do": "upvote", "id": "R1"}),
    ("dave", {"do": "complete", "id": "R1"}),
    ("alice", {"do": "approve", "id": "R1"}),
    # Policy changes mid-history: a shorter window, another preset, and back.
    ("charter", {"adopt": SHORT}),
    ("alice", {"adopt": "llm-d"}),
    ("charter", {"adopt": "llama-stack"}),
])


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(VERBS, st.integers(min_value=0, max_value=200)), max_size=12))
def test_property_export_equals_state_and_audit_passes(
        tmp_path_factory: pytest.TempPathFactory,
        steps: list[tuple[tuple[str, dict[str, Any]], int]]) -> None:
    folder = tmp_path_factory.mktemp("prop")
    db = connect(f"sqlite:///{folder / 'p.db'}")
    upgrade(db)
    clock = Clock()
    gov = Governance(db, KEY, clock=clock)
    make(gov)
    for (by, body), hours in steps:
        clock.advance(hours=hours)
        if "adopt" in body:
            gov.adopt_policy(NAME, body["adopt"], by=by)
        else:
            gov.apply(NAME, by, body)
    clock.advance(days=20)
    from charter.worker.run import Worker
    Worker(gov, {"notice": lambda effect: None}, clock=clock).fire_due(1000)
    assert gov.verify(NAME) is None
    assert simulate(folder, gov.export(NAME)) == gov.state(NAME)
    # A fresh process folds the stored commands without the full check, to the same state.
    assert Governance(db, KEY, clock=clock).state(NAME) == gov.state(NAME)
    db.dispose()


@pytest.mark.parametrize(("column", "value"), [
    ("command", {"do": "propose", "by": "mallory", "id": "P2", "process": "lazy-consensus"}),
    ("at", "shift"),
    ("policy", "reuse"),
    ("rejected", "not allowed"),
    ("prev", "f" * 64),
    ("hash", "0" * 64),
])
def test_any_altered_field_is_found(gov: Governance, clock: Clock, db: sa.Engine,
                                    column: str, value: Any) -> None:
    make(gov)
    for i in range(4):
        clock.advance(hours=1)
        gov.apply(NAME, "dave", {"do": "propose", "id": f"P{i}", "process": "lazy-consensus"})
    with db.begin() as conn:
        row = conn.execute(sa.select(events).where(events.c.seq == 3)).one()
        if value == "shift":
            value = row.at + timedelta(seconds=1)
        elif value == "reuse":
            conn.execute(policies.insert().values(hash="e" * 64, content={}))
            value = "e" * 64
        conn.execute(events.update().where(events.c.seq == 3).values({column: value}))
    broken = gov.verify(NAME)
    assert broken is not None and broken[0].seq == 3, broken


def test_adopt_policy_binds_open_decisions_to_their_policy(
        gov: Governance, clock: Clock, db: sa.Engine, tmp_path: Path) -> None:
    make(gov)
    gov.apply(NAME, "dave", {"do": "propose", "id": "OLD", "process": "lazy-consensus"})
    clock.advance(hours=1)
    assert gov.adopt_policy(NAME, SHORT) is True
    new_hash = gov.project(NAME).policy_hash
    clock.advance(hours=1)
    gov.apply(NAME, "dave", {"do": "propose", "id": "NEW", "process": "lazy-consensus"})
    state = gov.state(NAME)
    old, new = state["decisions"]["OLD"], state["decisions"]["NEW"]
    assert [p["hash"] for p in state["policies"]][-1] == new_hash
    assert new["policy"] == new_hash[:12] != old["policy"]
    assert old["closes_at"] == "2026-03-04T09:00:00Z"  # 48 business hours from Monday 09:00
    assert new["closes_at"] == "2026-03-03T11:00:00Z"  # 24 business hours from 11:00
    # The log records each event under the policy in force; the adoption under the new one.
    with db.connect() as conn:
        recorded = [(r.command["do"], r.policy) for r in conn.execute(
            sa.select(events.c.command, events.c.policy).order_by(events.c.seq))]
    first = recorded[0][1]
    assert recorded == [("propose", first), ("adopt-policy", new_hash), ("propose", new_hash)]
    # The same policy again changes nothing and appends nothing.
    assert gov.adopt_policy(NAME, SHORT) is False
    assert len(gov.events_after(NAME)) == 3
    assert gov.verify(NAME) is None
    assert simulate(tmp_path, gov.export(NAME)) == gov.state(NAME)
    # A fresh process folds the log from the first policy and ends under the newest.
    other = Governance(db, KEY, clock=clock)
    assert other.state(NAME) == gov.state(NAME)
    assert other.adopt_policy(NAME, SHORT) is False
    assert other.adopt_policy(NAME, "llama-stack", by="alice") is True
    assert gov.project(NAME).policy_hash == first


@pytest.mark.parametrize(("policy", "field"), [
    ("no-such-preset", "policy"),
    ({"extends": "llama-stack", "processes": {"lazy-consensus": {"window": "48h"}}},
     "policy.processes.lazy-consensus.window"),
    ({"extends": "/etc/passwd"}, "policy.extends"),
    (42, "policy"),
])
def test_adopting_an_invalid_policy_is_refused(gov: Governance, policy: Any,
                                               field: str) -> None:
    make(gov)
    with pytest.raises(Malformed) as err:
        gov.adopt_policy(NAME, policy)
    assert err.value.field == field
    assert gov.events_after(NAME) == []


def test_adopt_policy_is_not_a_command(gov: Governance) -> None:
    make(gov)
    with pytest.raises(Forbidden):
        gov.apply(NAME, "alice", {"do": "adopt-policy", "policy": "llm-d"})


def test_audit_finds_an_event_recorded_under_the_wrong_policy(
        gov: Governance, clock: Clock, db: sa.Engine) -> None:
    make(gov)
    gov.adopt_policy(NAME, SHORT)
    clock.advance(hours=1)
    gov.apply(NAME, "dave", {"do": "propose", "id": "P1", "process": "lazy-consensus"})
    first = gov.project(NAME).start()[1]
    # Rewrite the chain with event 2 under the first policy and every hash recomputed: only
    # the replay can tell.
    with db.begin() as conn:
        prev = GENESIS
        for row in conn.execute(sa.select(events).order_by(events.c.seq)).all():
            policy = first if row.seq == 2 else row.policy
            event = seal(NAME, row.seq, row.at, row.command, policy, row.rejected, prev)
            conn.execute(events.update().where(events.c.seq == row.seq)
                         .values(policy=policy, prev=prev, hash=event.hash))
            prev = event.hash
    broken = gov.verify(NAME)
    assert broken is not None and broken[0].seq == 2 and "records policy" in broken[1], broken


@pytest.mark.parametrize(("at_hours", "expected_hours"), [
    (None, 0),     # now
    (-1, -1),      # a push an hour ago, after the last event
    (-5, -2),      # before the last event: the log stays in order
    (3, 0),        # in the future: now
])
def test_adopt_policy_at(gov: Governance, clock: Clock, at_hours: int | None,
                         expected_hours: int) -> None:
    make(gov)
    clock.advance(hours=1)
    gov.apply(NAME, "dave", {"do": "propose", "id": "P1", "process": "lazy-consensus"})
    clock.advance(hours=2)
    at = None if at_hours is None else clock.now + timedelta(hours=at_hours)
    assert gov.adopt_policy(NAME, "llm-d", at=at)
    assert gov.events_after(NAME)[-1].at == clock.now + timedelta(hours=expected_hours)
