"""The engine's refusals carry a kind: `forbidden` for who is acting, `conflict` for the
decision's state or the time; the reason's wording plays no part."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from charter.engine.replay import replay
from charter.engine.state import CONFLICT, FORBIDDEN, Rejection, RejectionKind
from charter.scenario import parse_scenario
from tests.engine.scenario_helpers import ev

PEOPLE = {"alice": "maintainer", "bob": "maintainer", "carl": "maintainer",
          "carol": "contributor", "dave": "contributor", "erin": "emeritus"}
OPEN = "2026-03-02T09:00:00Z"
NOMINATE = ev(OPEN, "alice", "nominate", id="N1", person="dave", role="maintainer")
PROPOSE = ev(OPEN, "carol", "propose", id="P1", process="lazy-consensus", title="Docs")


def rejections(events: list[dict[str, Any]]) -> list[Rejection]:
    scenario = parse_scenario({"policy": "llama-stack", "people": PEOPLE, "events": events},
                              "<test>", {}, Path.cwd())
    engine, _ = replay(scenario.policy.policy, scenario.people, scenario.commands,
                       scenario.as_of, policy_digest=scenario.policy.digest)
    return engine.rejected


@pytest.mark.parametrize(("events", "kind", "words"), [
    ([ev(OPEN, "carol", "nominate", id="N1", person="dave", role="maintainer")], FORBIDDEN,
     "only"),
    ([NOMINATE, ev("2026-03-03T09:00:00Z", "dave", "vote", id="N1", choice="yes")],
     FORBIDDEN, "subject"),
    ([PROPOSE, ev("2026-03-03T09:00:00Z", "alice", "withdraw", id="P1")], FORBIDDEN,
     "only the proposer"),
    ([ev(OPEN, "carol", "step-down")], FORBIDDEN, "is not one"),
    ([NOMINATE, ev("2026-04-30T09:00:00Z", "alice", "vote", id="N1", choice="yes")],
     CONFLICT, "no longer accepted"),
    ([PROPOSE, ev("2026-03-03T09:00:00Z", "carol", "withdraw", id="P1"),
      ev("2026-03-03T10:00:00Z", "carol", "withdraw", id="P1")], CONFLICT, "already"),
    ([ev(OPEN, "alice", "vote", id="N9", choice="yes")], CONFLICT, "there is no decision"),
], ids=["wrong-role", "subject", "not-the-proposer", "not-a-maintainer", "too-late",
        "closed", "unknown-id"])
def test_each_refusal_has_its_kind(events: list[dict[str, Any]], kind: RejectionKind,
                                   words: str) -> None:
    refused = rejections(events)
    assert len(refused) == 1 and words in refused[0].reason
    assert refused[0].kind == kind
