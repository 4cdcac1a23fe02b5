"""The verbs a scenario event may use, and how each field of an event is checked.

A field's problem is returned as words for the person who wrote the file, naming what was found
in YAML's terms (a number, a list, a mapping) and what to write instead; the caller adds the
file, the line and the field.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from charter import errors
from charter.policy.durations import parse_duration

# verb -> (required fields, optional fields); each field has a kind checked by `check`.
VERBS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "propose": ({"id": "id", "process": "process"},
                {"title": "text", "components": "list"}),
    "object": ({"id": "id"}, {"reason": "text"}),
    "retract": ({"id": "id"}, {"reason": "text"}),
    "withdraw": ({"id": "id"}, {"reason": "text"}),
    "call-vote": ({"id": "id", "vote": "id"}, {"title": "text"}),
    # A sealed ballot (secret votes run by the service) records participation, not the choice.
    "vote": ({"id": "id"}, {"choice": "choice", "explanation": "text", "sealed": "flag"}),
    # A sealed vote's close: the ballot box's totals, its receipts' digest, the anonymous
    # explanations; sent by the counting authority (COUNTER), not by a person of the project.
    "count": ({"id": "id", "tally": "tally"}, {"receipts": "text", "explanations": "list"}),
    # A nominee is the subject of the verb, not an actor: anyone may be nominated, listed or
    # not (typically a contributor new to the roster).
    "nominate": ({"id": "id", "person": "nominee", "role": "role"},
                 {"scope": "text", "process": "process", "title": "text"}),
    "decline": ({"id": "id"}, {"reason": "text"}),
    "request-explanations": ({"id": "id"}, {}),
    "step-down": ({}, {"reason": "text", "process": "process"}),
    "request-reinstatement": ({"id": "id"}, {"title": "text", "process": "process"}),
    # Whoever is removed must hold a role already, so must be known.
    "propose-removal": ({"id": "id", "person": "person"},
                        {"reason": "text", "title": "text", "process": "process"}),
    "rfc": ({"id": "id", "title": "text"}, {"process": "process"}),
    "upvote": ({"id": "id"}, {}),
    "complete": ({"id": "id"}, {}),
    "approve": ({"id": "id"}, {}),
    "review": ({"id": "id"}, {}),
    "select-roadmap": ({"id": "id", "items": "ids"}, {"process": "process"}),
    # Component maintainers are named, like nominees: they need not be listed beforehand.
    "incubate": ({"id": "id", "goals": "text", "timeframe": "duration", "criteria": "list"},
                 {"maintainers": "maintainers", "title": "text", "process": "process"}),
    "graduate": ({"id": "id"}, {}),
    "meet": ({"id": "id", "criterion": "criterion"}, {}),
    "archive": ({"id": "id"}, {"reason": "text"}),
    "remove": ({"id": "id"}, {"reason": "text"}),
    # A new policy for decisions opened from now on: a preset name, a file or a mapping. Sent
    # by whoever adopted it (the service itself, COUNTER, when a merged policy file changed).
    "adopt-policy": ({"policy": "policy"}, {}),
}
COMMON = {"at", "by", "do", "note"}
COUNTER = "charter"
YAML11_TRUE = {"y", "true", "on"}
YAML11_FALSE = {"n", "false", "off"}
#: Kinds whose logins become known people: they may act in later events.
NAMING_KINDS = ("nominee", "maintainers")


class FieldProblem(ValueError):
    """A field's value is not one its kind accepts; the message says what to write."""


def excerpt(text: str, limit: int = 40) -> str:
    """TEXT quoted, cut short: an event's values are quoted in shorter excerpts than a file's."""
    return errors.excerpt(text, limit)


def what(value: Any) -> str:
    """VALUE as YAML read it, in words: 'the number 123', 'a list of 2 items', 'a mapping'."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "nothing (an empty value or null)"
    if isinstance(value, datetime):
        return f"the time {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, str):
        return excerpt(value)
    return type(value).__name__


def hint(word: str, choices: Iterable[Any]) -> str:
    """' (did you mean 'x'?)' when WORD is close to one of CHOICES."""
    if len(word) > 100:
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def login_problem(value: Any) -> str | None:
    """Why VALUE cannot be a login (None when it can): a login is text, quoted if need be."""
    if isinstance(value, str):
        return None if value.strip() else "a login cannot be empty"
    if isinstance(value, bool | int | float | date):
        written = str(value).lower() if isinstance(value, bool) else str(value)
        return f"a login is text, but YAML read {what(value)}; write it in quotes: '{written}'"
    if isinstance(value, list):
        return f"expected one login, got {what(value)}"
    return f"expected a login, got {what(value)}"


def verb_problem(value: Any) -> str | None:
    """Why VALUE is not a verb (None when it is one)."""
    if not isinstance(value, str):
        return f"expected a verb such as propose, got {what(value)}; the verbs are " \
               f"{', '.join(VERBS)}"
    if value not in VERBS:
        return f"unknown verb {excerpt(value)}{hint(value, VERBS)}; the verbs are " \
               f"{', '.join(VERBS)}"
    return None


def check(kind: str, value: Any, known: Mapping[str, Any] | set[str],
          roles: tuple[str, ...], processes: tuple[str, ...]) -> Any:
    """VALUE checked as a field of KIND, in the form the engine takes; raises FieldProblem.

    KNOWN holds the logins that may be named where a known person is required.
    """
    if kind == "id":
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            raise FieldProblem(f"expected an id such as P1, got {what(value)}")
        return str(value)
    if kind == "text":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise FieldProblem(f"expected text, got {what(value)}")
        return str(value)
    if kind == "choice":
        return _choice(value)
    if kind in ("person", "nominee"):
        problem = login_problem(value)
        if problem:
            raise FieldProblem(problem)
        if kind == "person" and value not in known:
            raise FieldProblem(f"unknown person {excerpt(value)}{hint(value, known)}; list "
                               "everyone who acts or holds a role under 'people:'")
        return value
    if kind == "maintainers":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise FieldProblem(f"expected a login or a list of logins, got {what(value)}")
        for item in items:
            problem = login_problem(item)
            if problem:
                raise FieldProblem(problem)
        return tuple(items)
    if kind == "role":
        return _named(value, roles, "role id", "maintainer", "the roles are")
    if kind == "process":
        return _named(value, processes, "process name", "lazy-consensus",
                      "this policy's processes are")
    if kind == "duration":
        if not isinstance(value, str):
            raise FieldProblem("expected a duration such as '6 months' or '90 days', got "
                               f"{what(value)}")
        try:
            return parse_duration(value)
        except ValueError as err:
            raise FieldProblem(str(err)) from None
    if kind in ("list", "ids"):
        if not isinstance(value, list):
            raise FieldProblem(f"expected a list, got {what(value)}")
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int):
                noun = "an id" if kind == "ids" else "text"
                raise FieldProblem(f"each item must be {noun}; got {what(item)}")
        return [str(v) for v in value]
    if kind == "flag":
        if not isinstance(value, bool):
            raise FieldProblem(f"expected true or false, got {what(value)}")
        return value
    if kind == "tally":
        keys = ("yes", "no", "abstain")
        if not isinstance(value, Mapping) or set(value) != set(keys) or not all(
                isinstance(value[k], int) and not isinstance(value[k], bool) and value[k] >= 0
                for k in keys):
            raise FieldProblem("expected {yes: N, no: N, abstain: N} with whole numbers, got "
                               f"{what(value)}")
        return {k: value[k] for k in keys}
    if kind == "policy":
        if isinstance(value, bool) or not isinstance(value, str | Mapping) or value == "":
            raise FieldProblem(f"expected a preset name, a policy file or a policy mapping, got "
                               f"{what(value)}")
        return value  # loaded by the scenario's reader, which knows where files may be
    if kind == "criterion":
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise FieldProblem(f"expected a criterion's text (or its number in the list), got "
                               f"{what(value)}")
        return value
    raise AssertionError(kind)


def _choice(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    word = value.strip().lower() if isinstance(value, str) else None
    if word in ("yes", "no", "abstain"):
        return word
    # The other YAML 1.1 booleans, which a YAML 1.2 reader leaves as strings.
    if word in YAML11_TRUE:
        return "yes"
    if word in YAML11_FALSE:
        return "no"
    raise FieldProblem(f"choice must be yes, no or abstain, not {what(value)}")


def _named(value: Any, names: tuple[str, ...], noun: str, example: str, listed: str) -> str:
    if not isinstance(value, str):
        raise FieldProblem(f"expected a {noun} such as {example}, got {what(value)}; "
                           f"{listed} {', '.join(names)}")
    if value not in names:
        raise FieldProblem(f"unknown {noun.split()[0]} {excerpt(value)}{hint(value, names)}; "
                           f"{listed} {', '.join(names)}")
    return value
