"""Every field of every event, given a value of the wrong shape, is a clear error naming it.

The general rule: YAML hands a field a list, a mapping, a number, a boolean, a date or nothing
where text was meant (`do: [propose]`, `by: 123`, `id: {x: 1}`). Each verb's every field is
tried with each shape; the scenario is either accepted (where the kind takes that shape, such
as a number for an id) or refused with file:line, the field, and what was found, in YAML's
terms, never a TypeError. Then: who may be the subject of a verb (a nominee, a component
maintainer) against who may act.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from charter.errors import CharterError
from charter.scenario import COUNTER, VERBS, load_scenario
from tests.engine.scenario_helpers import ev, run

HEAD = ("policy: llama-stack\n"
        "people: {alice: maintainer, bob: maintainer, carol: contributor}\n"
        "events:\n")
AT = "2026-03-02T09:00:00Z"

# One valid value per field kind, written as YAML.
GOOD: dict[str, str] = {
    "id": "X1", "text": "words", "choice": "yes", "person": "bob", "nominee": "dave",
    "maintainers": "[alice]", "role": "triager", "process": "lazy-consensus",
    "duration": "3 months", "list": "[a, b]", "ids": "[R1, R2, R3]", "criterion": "a",
    "flag": "true", "tally": "{yes: 1, no: 0, abstain: 0}", "policy": "llm-d",
}
# Shapes YAML gives a field, and the words an error must use for each.
SHAPES: dict[str, tuple[str, str]] = {
    "list": ("[a, b]", "a list of 2 item(s)"),
    "mapping": ("{a: 1}", "a mapping"),
    "number": ("123", "the number 123"),
    "decimal": ("1.5", "the number 1.5"),
    "boolean": ("true", "the boolean true"),
    "null": ("~", "nothing"),
    "date": ("2026-03-02", "the date 2026-03-02"),
}
# The shapes each kind takes besides text (numbers become text; a choice may be a boolean).
TAKES: dict[str, set[str]] = {
    "id": {"number"}, "text": {"number", "decimal"}, "choice": {"boolean"},
    "criterion": {"number"}, "maintainers": {"list"}, "list": {"list"}, "ids": {"list"},
    "flag": {"boolean"},
}


def fields_of(verb: str) -> list[tuple[str, str]]:
    required, optional = VERBS[verb]
    return [*required.items(), *optional.items()]


def event_line(verb: str, override: dict[str, str]) -> str:
    required, _ = VERBS[verb]
    fields = {"at": AT, "by": COUNTER if verb == "count" else "alice", "do": verb,
              **{name: GOOD[kind] for name, kind in required.items()}, **override}
    if verb == "vote" and "sealed" not in override:
        fields.setdefault("choice", "yes")  # a vote needs a choice unless its ballot is sealed
    return "  - {" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + "}\n"


def load(tmp_path: Path, body: str, head: str = HEAD) -> Any:
    path = tmp_path / "s.yaml"
    path.write_text(head + body)
    return load_scenario(path)


CASES = [pytest.param(verb, name, kind, shape, id=f"{verb}.{name}={shape}")
         for verb in VERBS for name, kind in fields_of(verb) for shape in SHAPES]


@pytest.mark.parametrize(("verb", "name", "kind", "shape"), CASES)
def test_every_field_given_every_shape(tmp_path: Path, verb: str, name: str, kind: str,
                                       shape: str) -> None:
    written, words = SHAPES[shape]
    body = "  - {at: 2026-03-01T09:00:00Z, by: alice, do: rfc, id: R0, title: first}\n" + \
        event_line(verb, {name: written})
    if kind == "policy" and shape == "mapping":
        # A mapping is a policy's shape: this one is refused by the policy loader, at the event.
        with pytest.raises(CharterError) as err:
            load(tmp_path, body)
        assert (err.value.line, err.value.field) == (5, f"events.1.{name}"), err.value
        return
    if shape in TAKES.get(kind, set()) and not (kind == "maintainers" and shape != "list"):
        load(tmp_path, body)  # accepted: the kind takes this shape
        return
    with pytest.raises(CharterError) as err:
        load(tmp_path, body)
    assert (err.value.line, err.value.field) == (5, f"events.1.{name}"), err.value
    if kind not in ("list", "ids", "maintainers") or shape != "list":
        assert words in err.value.message, err.value.message


@pytest.mark.parametrize("field", ["at", "by", "do"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_common_fields_given_every_shape(tmp_path: Path, field: str, shape: str) -> None:
    written, words = SHAPES[shape]
    base = {"at": AT, "by": "alice", "do": "step-down"}
    base[field] = written
    body = "  - {" + ", ".join(f"{k}: {v}" for k, v in base.items()) + "}\n"
    with pytest.raises(CharterError) as err:
        load(tmp_path, body)
    assert (err.value.line, err.value.field) == (4, f"events.0.{field}"), err.value
    if not (field == "at" and shape == "date"):
        assert words in err.value.message, err.value.message


@pytest.mark.parametrize(
    ("head", "body", "field", "words"),
    [
        (HEAD, "  - {at: " + AT + ", by: 123, do: step-down}\n", "events.0.by",
         "a login is text, but YAML read the number 123; write it in quotes: '123'"),
        (HEAD, "  - {at: " + AT + ", by: alice, do: propose-removal, id: X, person: 7}\n",
         "events.0.person", "write it in quotes: '7'"),
        (HEAD, "  - {at: " + AT + ", by: alice, do: nominate, id: N, person: 7, role: triager}\n",
         "events.0.person", "write it in quotes: '7'"),
        (HEAD, "  - {at: " + AT + ", by: true, do: step-down}\n", "events.0.by",
         "YAML read the boolean true; write it in quotes: 'true'"),
        ("policy: llama-stack\npeople: {123: maintainer}\nevents: []\n", "", "people.123",
         "write it in quotes: '123'"),
        ("policy: llama-stack\npeople: {alice: 5}\nevents: []\n", "", "people.alice",
         "got the number 5"),
        ("policy: llama-stack\npeople: {alice: [maintainer, {x: 1}]}\nevents: []\n", "",
         "people.alice", "got a mapping"),
        (HEAD, "  - {at: " + AT + ", by: '', do: step-down}\n", "events.0.by",
         "a login cannot be empty"),
    ],
    ids=["by-number", "subject-number", "nominee-number", "by-boolean", "people-key-number",
         "role-number", "role-list-with-mapping", "empty-login"],
)
def test_a_login_is_text(tmp_path: Path, head: str, body: str, field: str, words: str) -> None:
    with pytest.raises(CharterError) as err:
        load(tmp_path, body, head)
    assert err.value.field == field and words in err.value.message, err.value
    assert "did you mean" not in err.value.message


def test_quoted_numeric_logins_work(tmp_path: Path) -> None:
    scenario = load(tmp_path, "  - {at: " + AT + ", by: '123', do: step-down}\n",
                    "policy: llama-stack\npeople: {'123': maintainer}\nevents:\n")
    assert scenario.people == {"123": ["maintainer"]} and scenario.commands[0].by == "123"


def test_a_huge_value_is_quoted_in_part(tmp_path: Path) -> None:
    with pytest.raises(CharterError) as err:
        load(tmp_path, "  - {at: " + AT + ", by: alice, do: " + "x" * 5000 + "}\n")
    assert len(err.value.message) < 600 and "xxxx…" in err.value.message


# --- who may be named, who may act ------------------------------------------------------

PEOPLE = {"alice": "maintainer", "bob": "maintainer", "carl": "maintainer",
          "carol": "contributor"}


def test_a_nominee_need_not_be_listed_and_gains_the_role() -> None:
    state = run([ev("2026-03-02T09:00:00Z", "alice", "nominate", id="N1", person="dave",
                    role="maintainer"),
                 *[ev("2026-03-02T10:00:00Z", voter, "vote", id="N1", choice="yes")
                   for voter in ("alice", "bob", "carl")]],
                people=PEOPLE, as_of="2026-03-20T00:00:00Z")
    assert state["rejected"] == []
    assert state["decisions"]["N1"]["status"] == "passed"
    assert state["people"]["dave"]["roles"] == ["maintainer"]
    assert state["people"]["dave"]["history"][0]["by"] == "N1"


@pytest.mark.parametrize(
    ("events", "rejected", "status"),
    [
        ([("alice", "nominate", {"id": "N1", "person": "dave", "role": "triager"}),
          ("dave", "decline", {"id": "N1"})], [], "declined"),
        ([("alice", "nominate", {"id": "N1", "person": "dave", "role": "triager"}),
          ("dave", "vote", {"id": "N1", "choice": "yes"})], [1], "open"),
        ([("carol", "nominate", {"id": "N1", "person": "dave", "role": "triager"}),
          ("dave", "decline", {"id": "N1"})], [0, 1], None),
    ],
    ids=["named-nominee-declines", "named-nominee-cannot-vote-on-self",
         "refused-nomination-still-names"],
)
def test_a_named_nominee_may_then_act(events: list[tuple[str, str, dict[str, str]]],
                                      rejected: list[int], status: str | None) -> None:
    state = run([ev(f"2026-03-02T09:0{i}:00Z", by, verb, **fields)
                 for i, (by, verb, fields) in enumerate(events)], people=PEOPLE)
    assert [r["event"] for r in state["rejected"]] == rejected
    if status:
        assert state["decisions"]["N1"]["status"] == status


@pytest.mark.parametrize(
    ("event", "field", "words"),
    [
        (ev(AT, "dave", "step-down"), "events.0.by", "unknown person 'dave'"),
        (ev(AT, "alice", "propose-removal", id="X1", person="dave"), "events.0.person",
         "unknown person 'dave'"),
        (ev(AT, "dave", "decline", id="N1"), "events.0.by", "unknown person 'dave'"),
    ],
    ids=["unlisted-actor", "unlisted-removal-subject", "nominee-acting-before-named"],
)
def test_who_acts_or_is_removed_must_be_known(event: dict[str, Any], field: str,
                                              words: str) -> None:
    with pytest.raises(CharterError) as err:
        run([event], people=PEOPLE)
    assert err.value.field == field and words in err.value.message


def test_a_component_maintainer_need_not_be_listed_and_may_review() -> None:
    people = {"alice": "maintainer", "bob": "maintainer", "carol": "contributor"}
    state = run([
        ev("2026-03-02T09:00:00Z", "alice", "incubate", id="kv", goals="g",
           timeframe="6 months", criteria=["a"], maintainers=["zoe"]),
        ev("2026-03-02T10:00:00Z", "carol", "propose", id="P1", process="proposal",
           components=["kv"]),
        ev("2026-03-02T11:00:00Z", "zoe", "review", id="P1"),
    ], people=people, policy="llm-d")
    assert state["rejected"] == []
    assert state["components"]["kv"]["maintainers"] == ["zoe"]


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("policy: [llama-stack]\n", "policy", "got a list of 1 item(s)"),
        ("policy: 7\n", "policy", "got the number 7"),
        ("policy: llama-stack\npeople: [alice]\n", "people", "got a list of 1 item(s)"),
        ("policy: llama-stack\nevents: {a: 1}\n", "events", "got a mapping"),
        ("policy: llama-stack\nas_of: [1]\n", "as_of", "got a list of 1 item(s)"),
        ("policy: llama-stack\nas_of: 2026-03-02\n", "as_of", "is a date"),
        ("policy: llama-stack\ntitle: {a: 1}\n", "title", "got a mapping"),
        ("policy: llama-stack\nevents: [[1]]\n", "events.0", "got a list of 1 item(s)"),
        ("policy: llama-stack\n7: x\n", "7", "unknown key '7'"),
        ("policy: llama-stack\nas_of: '0001-01-01T00:00:00+01:00'\n", "as_of",
         "outside the years Charter reads"),
        ("policy: llama-stack\npeople: {a: maintainer}\nevents:\n"
         "  - {at: '9999-12-31T23:00:00-05:00', by: a, do: step-down}\n", "events.0.at",
         "outside the years Charter reads"),
    ],
    ids=["policy-list", "policy-number", "people-list", "events-mapping", "as-of-list",
         "as-of-date", "title-mapping", "event-list", "numeric-top-key", "as-of-before-year-1",
         "at-after-year-9999"],
)
def test_top_level_shapes(tmp_path: Path, text: str, field: str, words: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(CharterError) as err:
        load_scenario(path)
    assert err.value.field == field and words in err.value.message, err.value
    assert err.value.line is not None
