"""Merging a policy onto the one it extends: choices replace choices, prose travels with values.

Both rules are checked against every place they apply in both presets, not a few examples.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from charter.policy.loader import PRESETS, load_policy, preset_text
from charter.policy.merge import PROSE, deep_merge
from charter.policy.render import render_governance
from charter.policy.schema import VOTE_TYPES, Policy
from charter.yamlio import parse_yaml, plain


def _preset(name: str) -> dict[str, Any]:
    data = plain(parse_yaml(preset_text(name), name))
    assert isinstance(data, dict)
    return data


def _extend(name: str, over: dict[str, Any]) -> Policy:
    return load_policy({"charter": 1, "extends": name, **over}).policy


# ------------------------------------------------------------- choices replace choices

BOUNDS = ("at_least", "more_than")
VOTES = [(name, pname, bound) for name in PRESETS
         for pname, proc in _preset(name).get("processes", {}).items()
         if isinstance(proc.get("pass"), Mapping)
         for bound in BOUNDS if bound in proc["pass"]]


@pytest.mark.parametrize(("preset", "process", "bound"), VOTES,
                         ids=[f"{p}-{n}" for p, n, _ in VOTES])
def test_naming_the_other_bound_replaces_the_presets(preset: str, process: str, bound: str
                                                    ) -> None:
    other = next(b for b in BOUNDS if b != bound)
    before = _preset(preset)["processes"][process]["pass"]
    proc = _extend(preset, {"processes": {process: {"pass": {other: "2/3"}}}}).processes[process]
    assert isinstance(proc, VOTE_TYPES)
    assert getattr(proc.pass_, other) == Fraction(2, 3) and getattr(proc.pass_, bound) is None
    assert proc.pass_.of == before.get("of", "cast")  # the pool is not part of the choice


def test_vote_processes_exist_in_the_presets() -> None:
    assert {b for _, _, b in VOTES} == set(BOUNDS) and len(VOTES) >= 4


def test_the_tier_extension_is_one_choice() -> None:
    over: dict[str, Any] = {"pull_requests": {"api": {"tiers": {
        "x-lifecycle": {"beta": "experimental"}}}}}
    api = _extend("llm-d", over).pull_requests.api
    assert api is not None and api.tiers is not None
    assert api.tiers.extension == "x-lifecycle" and api.tiers.values == {"beta": "experimental"}
    assert api.tiers.tags == {"experimental": "experimental"}  # the rest still merges
    over = {"pull_requests": {"api": {"tiers": {"extension": "x-maturity"}}}}
    tiers = _extend("llm-d", over).pull_requests.api.tiers  # type: ignore[union-attr]
    assert tiers is not None and tiers.extension == "x-maturity" and tiers.values == {}


def test_another_process_type_replaces_the_process() -> None:
    over = {"processes": {"lazy-consensus": {
        "type": "vote", "min_open": "3 days", "pass": {"more_than": "50%"}},
        "reinstatement": {"on_objection": None}}}
    policy = _extend("llama-stack", over)
    vote = policy.processes["lazy-consensus"]
    assert type(vote).__name__ == "VoteProcess" and vote.source is None


def test_giving_both_bounds_is_still_an_error() -> None:
    from charter.errors import CharterError

    with pytest.raises(CharterError, match="exactly one"):
        _extend("llama-stack", {"processes": {"governance-vote": {
            "pass": {"at_least": "50%", "more_than": "50%"}}}})


# ------------------------------------------------------------- prose travels with values


def _prose_mappings(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(node, Mapping):
        if any(k in node for k in PROSE):
            yield path
        for key, value in node.items():
            yield from _prose_mappings(value, (*path, str(key)))


def _leaves(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key not in PROSE and key != "type":
                yield from _leaves(value, (*path, str(key)))
    else:
        yield path, node


def _other(value: Any) -> Any:
    """A different value of the same kind that the schema still accepts, or None."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str) and (m := re.fullmatch(r"(\d+)(%| .*)", value)):
        return f"{int(m[1]) + 1 if m[2] != '%' else int(m[1]) - 1}{m[2]}"
    if value == "UTC":
        return "Europe/Paris"
    if isinstance(value, list) and value:
        return value[:-1]  # lists replace: a shorter one is a change the schema accepts
    return None


def _at(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: Any = value
    for key in reversed(path):
        out = {key: out}
    assert isinstance(out, dict)
    return out


def _prose_of(policy: Policy, path: tuple[str, ...]) -> dict[str, Any]:
    node = policy.model_dump(by_alias=True)
    for key in path:
        node = node[key]
    return {k: node.get(k) for k in PROSE if node.get(k)}


CHANGES = [(name, owner, leaf, _other(value))
           for name in PRESETS for owner in _prose_mappings(_preset(name))
           if owner and owner[0] != "roles"
           for leaf, value in [next(((lp, v) for lp, v in _leaves(_at(_preset(name), owner),
                                                                  owner)
                                     if _other(v) is not None), ((), None))]
           if leaf]


@pytest.mark.parametrize(("preset", "owner", "leaf", "value"), CHANGES,
                         ids=[f"{p}-{'.'.join(o)}" for p, o, _, _ in CHANGES])
def test_changing_a_value_drops_the_prose_that_described_it(
        preset: str, owner: tuple[str, ...], leaf: tuple[str, ...], value: Any) -> None:
    base = _preset(preset)
    policy = _extend(preset, _nest(leaf, value))
    for path in _prose_mappings(base):
        if not path or path[0] == "roles":
            continue
        encloses = leaf[:len(path)] == path
        kept = _prose_of(policy, path)
        if encloses:
            assert kept == {}, f"{'.'.join(path)} still says {kept}"
        else:
            assert kept == {k: _at(base, path)[k] for k in PROSE if _at(base, path).get(k)}


def test_every_rule_with_prose_is_exercised() -> None:
    owners = {(p, o) for p, o, _, _ in CHANGES}
    assert len(owners) >= 33
    assert {("llama-stack", ("calendar",)), ("llm-d", ("calendar",))} <= owners


@pytest.mark.parametrize("preset", PRESETS)
def test_the_issue_calendar_renders_without_the_presets_note(preset: str) -> None:
    over = {"project": {"name": "Mine"},
            "calendar": {"weekend_zone": "Europe/Paris", "holidays": ["2026-12-25"]}}
    policy = _extend(preset, over)
    assert policy.calendar.source is None and policy.calendar.preset_choice is None
    document = render_governance(policy)
    time_section = document.split("## Time", 1)[1].split("## Roles", 1)[0]
    assert "Europe/Paris" in time_section and "2026-12-25" in time_section
    assert "UTC" not in time_section and "no holidays" not in time_section


def test_restating_a_value_or_writing_new_prose_keeps_it() -> None:
    same = _extend("llama-stack", {"processes": {"lazy-consensus": {
        "window": "48 business hours"}}})
    assert same.processes["lazy-consensus"].source
    mine = _extend("llama-stack", {"processes": {"lazy-consensus": {
        "window": "72 business hours", "source": "Our charter: 72 hours."}}})
    assert mine.processes["lazy-consensus"].source == "Our charter: 72 hours."
    assert mine.processes["lazy-consensus"].description is None


def test_preset_notes_do_not_restate_values_of_other_rules() -> None:
    # A note may speak only of its own mapping's values: the merge can drop it with them.
    for name in PRESETS:
        policy = load_policy(name).policy
        cal = policy.calendar
        assert not re.search(r"\d", cal.preset_choice or ""), cal.preset_choice
        assert not re.search(r"\d", cal.source or ""), cal.source


def test_merge_keeps_lists_replacing_and_null_deleting() -> None:
    base = {"a": {"x": [1, 2], "y": 1, "source": "s"}, "b": 2}
    assert deep_merge(base, {"a": {"x": [3]}}) == {"a": {"x": [3], "y": 1}, "b": 2}
    assert deep_merge(base, {"b": None}) == {"a": base["a"]}
    assert deep_merge(base, {"a": {"y": 1}}) == base


def test_extending_a_file_applies_the_same_rules(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        "charter: 1\nextends: llama-stack\nproject: {name: base}\n"
        "processes:\n  decision-vote:\n    pass: {at_least: 60%}\n"
        "    preset_choice: Our base needs 60% of votes cast.\n")
    (tmp_path / "charter.yaml").write_text(
        "charter: 1\nextends: base.yaml\nproject: {name: team}\n"
        "processes:\n  decision-vote:\n    pass: {more_than: 2/3}\n")
    vote = load_policy(tmp_path / "charter.yaml").policy.processes["decision-vote"]
    assert isinstance(vote, VOTE_TYPES)
    assert vote.pass_.more_than == Fraction(2, 3) and vote.pass_.at_least is None
    assert vote.preset_choice is None
