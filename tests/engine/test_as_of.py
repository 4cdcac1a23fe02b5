"""Events after `as_of` are not applied, and every report says how many and from which event."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from charter.engine.explain import explain
from charter.engine.replay import replay
from charter.engine.state import Rejected
from charter.scenario import parse_scenario
from tests.engine.scenario_helpers import ev, run

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = {"alice": "maintainer", "bob": "maintainer", "carol": "contributor"}
EVENTS = [
    ev("2026-03-02T09:00:00Z", "carol", "propose", id="P0", process="lazy-consensus"),
    ev("2026-03-03T09:00:00Z", "carol", "propose", id="P1", process="lazy-consensus"),
    ev("2026-03-03T09:00:00Z", "bob", "object", id="P1"),
    ev("2026-03-05T09:00:00Z", "alice", "call-vote", id="P1", vote="V1"),
]


@pytest.mark.parametrize(
    ("as_of", "count", "first", "decisions"),
    [
        (None, 0, None, ["P0", "P1", "V1"]),
        ("2026-03-10T00:00:00Z", 0, None, ["P0", "P1", "V1"]),
        ("2026-03-05T09:00:00Z", 0, None, ["P0", "P1", "V1"]),  # at an event: applied
        ("2026-03-05T08:59:59Z", 1, 3, ["P0", "P1"]),
        ("2026-03-03T09:00:00Z", 1, 3, ["P0", "P1"]),  # equal times: both applied
        ("2026-03-02T12:00:00Z", 3, 1, ["P0"]),
        ("2026-03-01T00:00:00Z", 4, 0, []),
    ],
    ids=["default", "after-all", "at-last", "just-before-last", "at-a-tie", "after-first",
         "before-all"],
)
def test_events_after_as_of_are_counted(as_of: str | None, count: int, first: int | None,
                                        decisions: list[str]) -> None:
    state = run(EVENTS, people=PEOPLE, as_of=as_of)
    assert list(state["decisions"]) == decisions
    skipped = state["not_applied"]
    assert (skipped["events"], skipped["first_event"]) == (count, first)
    if count:
        assert f"{count} event{'s' if count > 1 else ''} after as_of ({as_of})" in \
            skipped["reason"]
        assert f"event{'s' if count > 1 else ''} {first}" in skipped["reason"]
    else:
        assert skipped["reason"] is None


def _engine(as_of: str) -> Any:
    data = {"policy": "llama-stack", "people": PEOPLE, "events": EVENTS, "as_of": as_of}
    scenario = parse_scenario(data, "<test>", {}, Path.cwd())
    return replay(scenario.policy.policy, scenario.people, scenario.commands, scenario.as_of)


@pytest.mark.parametrize(
    ("as_of", "asked", "words"),
    [
        ("2026-03-02T12:00:00Z", "P1",
         "there is no decision P1 as of 2026-03-02T12:00:00Z: event 1 (propose at "
         "2026-03-03T09:00:00Z) names it, but 3 events after as_of"),
        ("2026-03-04T00:00:00Z", "V1", "event 3 (call-vote at 2026-03-05T09:00:00Z) names it"),
        ("2026-03-04T00:00:00Z", "Q9", "the decisions are P0, P1; note: 1 event after as_of"),
    ],
    ids=["opened-later", "vote-called-later", "unknown-with-skipped-events"],
)
def test_explain_says_when_a_decision_lies_after_as_of(as_of: str, asked: str,
                                                       words: str) -> None:
    engine, end = _engine(as_of)
    with pytest.raises(Rejected) as err:
        explain(engine, asked, end)
    assert words in err.value.reason


def test_explain_of_a_known_decision_notes_skipped_events() -> None:
    engine, end = _engine("2026-03-04T00:00:00Z")
    account = explain(engine, "P1", end)
    assert account["not_applied"]["events"] == 1
    assert account["not_applied"]["first_event"] == 3


def test_the_text_reports_say_so(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("policy: llama-stack\nas_of: 2026-03-02T12:00:00Z\n"
                    "people: {alice: maintainer, bob: maintainer, carol: contributor}\n"
                    "events:\n"
                    "  - {at: 2026-03-02T09:00:00Z, by: carol, do: propose, id: P0, "
                    "process: lazy-consensus}\n"
                    "  - {at: 2026-03-03T09:00:00Z, by: carol, do: propose, id: P1, "
                    "process: lazy-consensus}\n")

    def charter(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "charter", *args], capture_output=True,
                              text=True, cwd=ROOT, check=False)

    text = charter("simulate", str(path))
    assert text.returncode == 0
    assert "Not applied: 1 event after as_of (2026-03-02T12:00:00Z) was not applied (event 1" \
        in text.stdout
    missing = charter("explain", str(path), "P1")
    assert missing.returncode == 2 and "names it, but 1 event after as_of" in missing.stderr
    known = charter("explain", str(path), "P0")
    assert known.returncode == 0 and "note: 1 event after as_of" in known.stdout
