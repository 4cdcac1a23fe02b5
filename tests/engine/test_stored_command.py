"""A stored command rebuilt without the full check is the command the full check gives."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from charter.errors import CharterError
from charter.policy.loader import load_policy
from charter.scenario import COUNTER, VERBS, parse_command, stored_command

POLICY = load_policy("llama-stack")
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)

# Each field kind's values as JSON gives them back, in every form `parse_command` converts.
VALUES: dict[str, list[Any]] = {
    "id": ["X1", 7], "text": ["words", 3, 1.5], "choice": ["yes", True, " No ", "on"],
    "person": ["bob"], "nominee": ["dave"], "maintainers": ["alice", ["alice", "bob"]],
    "role": ["maintainer"], "process": ["lazy-consensus"], "duration": ["3 months"],
    "list": [["a", "b"], []], "ids": [["R1", 2]], "criterion": ["a", 1], "flag": [True],
    "tally": [{"yes": 1, "no": 0, "abstain": 2}], "policy": ["llama-stack"],
}


def _commands() -> list[dict[str, Any]]:
    """Every verb with its required fields, then with each optional field in each form."""
    out = []
    for verb, (required, optional) in VERBS.items():
        by = COUNTER if verb == "count" else "alice"
        base = {"do": verb, "by": by, **{k: VALUES[kind][0] for k, kind in required.items()}}
        if verb == "vote":
            base["choice"] = "yes"
        out.append(base)
        for key, kind in {**required, **optional}.items():
            for value in VALUES[kind]:
                command = {**base, key: value}
                if verb == "vote" and key == "sealed":
                    command.pop("choice")
                out.append(command)
        out.append({**base, "note": "why"})
    return out


@pytest.mark.parametrize("stored", _commands(), ids=lambda c: f"{c['do']}-{sorted(c)}")
def test_same_command_as_the_full_check(stored: dict[str, Any]) -> None:
    assert stored_command(stored, AT, POLICY, 4) == parse_command({**stored, "at": AT}, POLICY, 4)


@pytest.mark.parametrize(("stored", "words"), [
    ({"do": "fly", "by": "alice"}, "fly"),
    ({"do": "propose", "by": "alice", "id": "P1"}, "process"),
    ({"do": "propose", "by": "alice", "id": "P1", "process": "lazy-consensus", "x": 1}, "x"),
    ({"do": "vote", "by": "alice", "id": "V1"}, "choice"),
    ({"do": "vote", "by": "alice", "id": "V1", "choice": "yes", "sealed": True}, "sealed"),
    ({"do": "object", "by": 5, "id": "P1"}, "login"),
    ({"do": "object", "by": "alice", "id": ["P1"]}, "id"),
    ({"do": "incubate", "by": "alice", "id": "C", "goals": "g", "timeframe": "soon",
      "criteria": []}, "duration"),
])
def test_a_command_never_checked_is_refused(stored: dict[str, Any], words: str) -> None:
    with pytest.raises(CharterError) as refused:
        stored_command(stored, AT, POLICY, 0)
    with pytest.raises(CharterError) as full:
        parse_command({**stored, "at": AT}, POLICY, 0)
    assert words in refused.value.message or words in str(refused.value.field)
    assert full.value.field == refused.value.field or words in full.value.message
