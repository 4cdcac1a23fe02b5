"""Build and replay scenarios in tests, exactly as `charter simulate` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from charter.engine.replay import replay
from charter.engine.report import snapshot
from charter.scenario import parse_scenario


def run(events: list[dict[str, Any]], people: dict[str, Any] | None = None,
        policy: Any = "llama-stack", as_of: str | None = None) -> dict[str, Any]:
    """Replay EVENTS and return the JSON state."""
    data: dict[str, Any] = {
        "policy": policy,
        "people": people or {"alice": "maintainer", "bob": "maintainer", "carl": "maintainer",
                             "dana": "maintainer", "erik": "maintainer",
                             "carol": "contributor", "dave": "contributor",
                             "erin": "emeritus"},
        "events": events,
    }
    if as_of is not None:
        data["as_of"] = as_of
    scenario = parse_scenario(data, "<test>", {}, Path.cwd())
    engine, end = replay(scenario.policy.policy, scenario.people, scenario.commands,
                         scenario.as_of, policy_digest=scenario.policy.digest)
    return snapshot(engine, end)


def ev(at: str, by: str, do: str, **fields: Any) -> dict[str, Any]:
    return {"at": at, "by": by, "do": do, **fields}


def rejected_events(state: dict[str, Any]) -> list[int]:
    return [r["event"] for r in state["rejected"]]
