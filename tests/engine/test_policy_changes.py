"""Adopting a policy mid-history: each decision keeps the policy it opened under."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from charter.cli import cli
from charter.errors import CharterError
from charter.policy.loader import load_policy
from tests.engine.scenario_helpers import ev, rejected_events, run

MON = "2026-03-02T09:00:00Z"
LONG = {"extends": "llama-stack", "processes": {"lazy-consensus": {"window": "72 business hours"}}}
SHORT = {"extends": "llama-stack", "processes": {"lazy-consensus": {"window": "48 business hours"}}}
STRICT = {"extends": "llama-stack", "processes": {"decision-vote": {
    "pass": {"more_than": None, "at_least": "67%", "of": "cast"}}}}


def short_id(policy: Any) -> str:
    return load_policy(policy, file="test").digest[:12]


@pytest.mark.parametrize(
    ("opened", "closes_at", "policy"),
    [
        # Opened Monday 09:00 under 72 business hours: Thursday 09:00, after the change too.
        (MON, "2026-03-05T09:00:00Z", LONG),
        # Opened after the change at 10:00: 48 business hours.
        ("2026-03-02T11:00:00Z", "2026-03-04T11:00:00Z", SHORT),
    ],
    ids=["opened-before-keeps-72h", "opened-after-gets-48h"],
)
def test_a_window_keeps_the_policy_it_opened_under(opened: str, closes_at: str,
                                                   policy: Any) -> None:
    events = [ev("2026-03-02T10:00:00Z", "charter", "adopt-policy", policy=SHORT)]
    proposal = ev(opened, "carol", "propose", id="P1", process="lazy-consensus", title="x")
    events.insert(0 if opened < events[0]["at"] else 1, proposal)
    before = run(events, policy=LONG, as_of="2026-03-04T12:00:00Z")["decisions"]["P1"]
    assert before["closes_at"] == closes_at
    assert before["policy"] == short_id(policy)
    # An objection after 48 but before 72 business hours still counts only under the long one.
    objected = run([*events, ev("2026-03-04T12:00:00Z", "bob", "object", id="P1")],
                   policy=LONG, as_of="2026-03-10T00:00:00Z")
    late = closes_at < "2026-03-04T12:00:00Z"
    assert objected["decisions"]["P1"]["status"] == ("accepted" if late else "contested")
    assert rejected_events(objected) == ([len(events)] if late else [])


@pytest.mark.parametrize(
    ("propose_at", "call_at", "passed"),
    [
        ("2026-03-02T09:00:00Z", "2026-03-02T11:00:00Z", True),   # all before the change
        ("2026-03-02T09:00:00Z", "2026-03-03T11:00:00Z", True),   # called after: its decision's
        ("2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z", False),  # all after: two thirds needed
    ],
    ids=["before", "decision-before-vote-after", "after"],
)
def test_a_vote_is_tallied_under_its_policy(propose_at: str, call_at: str, passed: bool) -> None:
    events = [
        ev(propose_at, "carol", "propose", id="P1", process="lazy-consensus", title="x"),
        ev(propose_at.replace(":00:00Z", ":30:00Z"), "bob", "object", id="P1"),
        ev(call_at, "alice", "call-vote", id="P1", vote="V1"),
        ev(call_at.replace(":00:00Z", ":10:00Z"), "alice", "vote", id="V1", choice="yes"),
        ev(call_at.replace(":00:00Z", ":20:00Z"), "carl", "vote", id="V1", choice="yes"),
        ev(call_at.replace(":00:00Z", ":30:00Z"), "bob", "vote", id="V1", choice="no"),
    ]
    events.append(ev("2026-03-03T09:00:00Z", "alice", "adopt-policy", policy=STRICT))
    events.sort(key=lambda e: e["at"])
    state = run(events, as_of="2026-03-20T00:00:00Z")
    assert state["rejected"] == []
    vote = state["decisions"]["V1"]
    assert vote["status"] == ("passed" if passed else "failed")
    assert vote["policy"] == state["decisions"]["P1"]["policy"]
    assert state["decisions"]["P1"]["status"] == ("accepted" if passed else "rejected")


@pytest.mark.parametrize("policy", [
    {"extends": "llama-stack", "processes": {"lazy-consensus": {"window": "48h"}}},
    {"extends": "llama-stack", "roles": "maintainer"},
    "no-such-preset",
])
def test_adopting_an_invalid_policy_is_refused_with_the_loaders_message(policy: Any) -> None:
    with pytest.raises(CharterError) as loader:
        load_policy(policy, file="<test>")
    with pytest.raises(CharterError) as err:
        run([ev(MON, "alice", "adopt-policy", policy=policy)])
    assert loader.value.message in err.value.message
    assert err.value.field == "events.0.policy"


def test_the_same_policy_again_is_rejected() -> None:
    state = run([ev(MON, "alice", "adopt-policy", policy="llama-stack")])
    assert [r["reason"] for r in state["rejected"]] == [
        f"policy {short_id('llama-stack')} is already in force; nothing to adopt"]


def test_roles_stay_held_and_events_use_the_new_policys_names() -> None:
    events = [
        ev(MON, "alice", "adopt-policy", policy="llm-d"),
        # llm-d has no emeritus role: erin keeps it, and it grants nothing there.
        ev("2026-03-02T10:00:00Z", "alice", "propose", id="P1", process="proposal",
           title="x"),
    ]
    state = run(events)
    assert state["rejected"] == []
    assert state["people"]["erin"]["roles"] == ["emeritus"]
    assert state["decisions"]["P1"]["policy"] == short_id("llm-d")
    # Later events are checked against the new policy's processes.
    with pytest.raises(CharterError) as err:
        run([*events, ev("2026-03-02T11:00:00Z", "alice", "propose", id="P2",
                         process="lazy-consensus"),
             ev("2026-03-02T12:00:00Z", "alice", "propose", id="P3", process="governance-change")])
    assert err.value.field == "events.3.process"
    assert "governance-change" in err.value.message


def test_simulate_and_explain_across_several_adoptions(tmp_path: Path) -> None:
    policies = [LONG, SHORT, STRICT, LONG]
    events: list[dict[str, Any]] = []
    for i, policy in enumerate(policies):
        day = f"2026-03-{2 + i:02d}"
        if i:
            events.append(ev(f"{day}T08:00:00Z", "charter", "adopt-policy", policy=policy))
        events.append(ev(f"{day}T09:00:00Z", "carol", "propose", id=f"P{i}",
                         process="lazy-consensus", title=f"change {i}"))
    scenario = {"policy": LONG, "people": {"alice": "maintainer", "carol": "contributor"},
                "events": events, "as_of": "2026-03-05T09:00:00Z"}
    path = tmp_path / "changes.yaml"
    path.write_text(yaml.safe_dump(scenario))
    result = CliRunner().invoke(cli, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    state = json.loads(result.stdout)
    assert [p["id"] for p in state["policies"]] == [short_id(p) for p in policies]
    assert [p["since"] for p in state["policies"]] == [None] + [
        e["at"] for e in events if e["do"] == "adopt-policy"]
    for i, policy in enumerate(policies):
        assert state["decisions"][f"P{i}"]["policy"] == short_id(policy)
    # Monday + 72 business hours and Tuesday + 48 end at the same instant; Wednesday's (48h
    # too) and Thursday's (72h again) are still open.
    closes = {d: state["decisions"][d]["closes_at"] for d in ("P0", "P1", "P2", "P3")}
    assert closes == {"P0": "2026-03-05T09:00:00Z", "P1": "2026-03-05T09:00:00Z",
                      "P2": "2026-03-06T09:00:00Z", "P3": "2026-03-10T09:00:00Z"}
    assert [state["decisions"][d]["status"] for d in closes] == ["accepted", "accepted",
                                                                  "open", "open"]
    explained = CliRunner().invoke(cli, ["explain", str(path), "P1", "--json"])
    assert explained.exit_code == 0, explained.output
    account = json.loads(explained.stdout)
    assert account["policy"] == short_id(SHORT)
    assert "48 business hours" in " ".join(account["rule"])
    text = CliRunner().invoke(cli, ["simulate", str(path)])
    assert text.exit_code == 0 and short_id(STRICT) in text.output
