"""Errors quote inputs only in short excerpts, and a policy's problems are listed all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.errors import MESSAGE_LIMIT, PROBLEM_LIMIT, QUOTE_LIMIT, CharterError, excerpt
from charter.policy.loader import load_policy
from charter.scenario import load_scenario
from tests.policy.helpers import run_charter

HUGE = "A" * 120_000
#: A rendered problem: file and field (each at most 200 characters), the line, the message.
LINE_LIMIT = MESSAGE_LIMIT + 2 * 200 + 20

POLICY = "charter: 1\nextends: llama-stack\nproject: {name: x}\n"
SCENARIO_HEAD = "policy: llama-stack\npeople: {a: maintainer}\n"
EVENT = "  - {at: 2026-03-02T09:00:00Z, by: a, do: propose, id: P1, process: lazy-consensus}\n"

# Huge inputs in every kind of spot: keys, values, lists, names, references.
POLICIES = {
    "unknown-key": POLICY + f"{HUGE}: 1\n",
    "process-name": POLICY + f"processes:\n  {HUGE}: {{type: vote}}\n",
    "process-type": POLICY + f"processes:\n  x: {{type: {HUGE}}}\n",
    "duration": POLICY + f"processes:\n  lazy-consensus: {{window: {HUGE}}}\n",
    "share": POLICY + f"processes:\n  decision-vote: {{pass: {{at_least: '{HUGE}'}}}}\n",
    "role": POLICY + f"processes:\n  nomination: {{voters: {HUGE}}}\n",
    "role-list": POLICY + "processes:\n  nomination: {voters: [" + ", ".join(
        f"r{i}" * 40 for i in range(2000)) + "]}\n",
    "zone": POLICY + f"calendar: {{weekend_zone: {HUGE}}}\n",
    "enum": POLICY + f"pull_requests: {{commits: {{body: {HUGE}}}}}\n",
    "since": POLICY + f"pull_requests: {{dco: {{since: '{HUGE}'}}}}\n",
    "extends": f"charter: 1\nextends: {HUGE}\n",
    "extends-path": f"charter: 1\nextends: ./{HUGE[:200]}/{HUGE[:200]}.yaml\n",
    "duplicate-key": f"charter: 1\n{HUGE}: 1\n{HUGE}: 2\n",
    "not-a-mapping": f"- {HUGE}\n",
    "malformed": f"charter: 1\nproject: {{name: '{HUGE}\n",
    "control-characters": POLICY + "processes:\n  \"x\\n::error::forged\": {type: nope}\n",
}
SCENARIOS = {
    "verb": SCENARIO_HEAD + f"events:\n  - {{at: 2026-03-02T09:00:00Z, by: a, do: {HUGE}}}\n",
    "person": SCENARIO_HEAD + f"events:\n  - {{at: 2026-03-02T09:00:00Z, by: {HUGE}, do: x}}\n",
    "time": SCENARIO_HEAD + f"events:\n  - {{at: '{HUGE}', by: a, do: propose}}\n",
    "top-key": SCENARIO_HEAD + f"{HUGE}: 1\nevents: []\n",
    "role": f"policy: llama-stack\npeople: {{a: {HUGE}}}\nevents: []\n",
    "field": SCENARIO_HEAD + "events:\n" + EVENT.replace("}", f", {HUGE}: 1}}"),
    "policy-ref": f"policy: {HUGE}\npeople: {{}}\n",
    "inline-policy": f"policy: {{extends: llama-stack, {HUGE}: 1}}\npeople: {{}}\n",
}


def _problem_lines(err: CharterError) -> list[str]:
    return err.lines()


@pytest.mark.parametrize(("kind", "text"), [*(("policy", t) for t in POLICIES.values()),
                                            *(("scenario", t) for t in SCENARIOS.values())],
                         ids=[*(f"policy-{n}" for n in POLICIES),
                              *(f"scenario-{n}" for n in SCENARIOS)])
def test_every_message_stays_short(tmp_path: Path, kind: str, text: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text)
    with pytest.raises(CharterError) as caught:
        load_policy(path) if kind == "policy" else load_scenario(path)
    lines = _problem_lines(caught.value)
    assert 1 <= len(lines) <= PROBLEM_LIMIT + 1
    for line in lines:
        assert len(line) <= LINE_LIMIT, line[:300]
        assert "A" * (QUOTE_LIMIT + 50) not in line
        assert "\n" not in line and "\x00" not in line


def test_messages_are_capped_whatever_the_caller_wrote() -> None:
    err = CharterError(f"unknown key {HUGE!r}; check its spelling", file=HUGE, field=HUGE)
    assert len(err.render()) <= LINE_LIMIT
    assert err.message.endswith(" check its spelling")  # the advice survives
    assert len(err.message) <= MESSAGE_LIMIT


@pytest.mark.parametrize(("value", "shown"), [
    ("short", "'short'"),
    ("x" * 1000, "'" + "x" * (QUOTE_LIMIT - 1) + "…"),
    ("a\nb", "'a\\nb'"),
    (["x"] * 1000, None),
])
def test_excerpt(value: object, shown: str | None) -> None:
    text = excerpt(value)
    assert len(text) <= QUOTE_LIMIT + 1
    if shown is not None:
        assert text == shown


def test_control_characters_cannot_forge_lines() -> None:
    err = CharterError("bad\n::error::forged", file="a\nb.yaml", field="x\ry")
    assert "\n" not in err.render() and "\r" not in err.render()


# ---------------------------------------------------------------- every problem at once

MANY = """\
charter: 1
extends: llama-stack
project: {name: x}
calendar: {weekend_zone: Mars/Olympus}
processes:
  lazy-consensus: {windw: 3 days}
  nomination: {min_open: soon, voters: wizard}
  x: {type: referendum}
pull_requests:
  commits: {body: sometimes}
"""


def test_policy_check_lists_every_problem(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(MANY)
    code, out, err = run_charter(["policy", "check", str(path)], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert all(line.startswith(f"charter: {path}:") for line in lines)
    expected = [(4, "calendar.weekend_zone: unknown time zone"),
                (6, "processes.lazy-consensus.windw: unknown key"),
                (7, "processes.nomination.min_open: expected a duration"),
                (8, "processes.x.type: unknown process type 'referendum'"),
                (10, "pull_requests.commits.body:")]
    assert len(lines) == len(expected)
    for line, (number, words) in zip(lines, expected, strict=True):
        assert f"{path}:{number}: {words}" in line
    assert "more problem" not in err


def test_references_are_checked_once_the_shapes_are_right(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(POLICY + "processes:\n  nomination: {voters: wizard, nominators: elf}\n"
                    "  lazy-consensus: {on_objection: {vote: nothing}}\n")
    with pytest.raises(CharterError) as caught:
        load_policy(path)
    lines = caught.value.lines()
    assert len(lines) == 3
    assert [p.line for p in caught.value.problems] == [5, 5, 6]


def test_thousands_of_problems_are_cut_to_a_readable_list(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(POLICY + "processes:\n" + "".join(
        f"  p{i}: {{type: nope}}\n" for i in range(500)))
    with pytest.raises(CharterError) as caught:
        load_policy(path)
    lines = caught.value.lines()
    assert len(lines) == PROBLEM_LIMIT + 1
    assert lines[-1].startswith(f"... and {500 - PROBLEM_LIMIT} more problem(s)")
