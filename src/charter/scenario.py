"""Scenario files: a policy, the people and timestamped events, checked before any replay."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from charter.engine.calendar import iso
from charter.engine.state import Command
from charter.errors import CharterError
from charter.policy.durations import parse_duration
from charter.policy.loader import LoadedPolicy, load_policy
from charter.yamlio import Locations, date_problem, locate, plain, read_yaml, where

# verb -> (required fields, optional fields); each field has a kind checked below.
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
    "nominate": ({"id": "id", "person": "person", "role": "role"},
                 {"scope": "text", "process": "process", "title": "text"}),
    "decline": ({"id": "id"}, {"reason": "text"}),
    "request-explanations": ({"id": "id"}, {}),
    "step-down": ({}, {"reason": "text", "process": "process"}),
    "request-reinstatement": ({"id": "id"}, {"title": "text", "process": "process"}),
    "propose-removal": ({"id": "id", "person": "person"},
                        {"reason": "text", "title": "text", "process": "process"}),
    "rfc": ({"id": "id", "title": "text"}, {"process": "process"}),
    "upvote": ({"id": "id"}, {}),
    "complete": ({"id": "id"}, {}),
    "approve": ({"id": "id"}, {}),
    "review": ({"id": "id"}, {}),
    "select-roadmap": ({"id": "id", "items": "ids"}, {"process": "process"}),
    "incubate": ({"id": "id", "goals": "text", "timeframe": "duration", "criteria": "list"},
                 {"maintainers": "people", "title": "text", "process": "process"}),
    "graduate": ({"id": "id"}, {}),
    "meet": ({"id": "id", "criterion": "criterion"}, {}),
    "archive": ({"id": "id"}, {"reason": "text"}),
    "remove": ({"id": "id"}, {"reason": "text"}),
}
COMMON = {"at", "by", "do", "note"}
COUNTER = "charter"
YAML11_TRUE = {"y", "true", "on"}
YAML11_FALSE = {"n", "false", "off"}
TOP_KEYS = {"policy", "as_of", "people", "events", "title", "description"}


@dataclass(frozen=True)
class Scenario:
    """A checked scenario, ready to replay."""

    file: str
    policy: LoadedPolicy
    people: dict[str, list[str]]
    commands: list[Command]
    as_of: datetime | None
    title: str | None = None
    locations: Locations = field(default_factory=dict, compare=False)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; every mistake names file:line and what to do."""
    path = Path(path)
    node = read_yaml(path)
    file = str(path)
    if not isinstance(node, Mapping):
        raise CharterError("a scenario must be a YAML mapping with policy, people and events",
                           file=file)
    locations = locate(node, file)
    data = plain(node)
    return parse_scenario(data, file, locations, path.parent, raw_policy=node.get("policy"))


def parse_scenario(data: dict[str, Any], file: str, locations: Locations,
                   base_dir: Path, raw_policy: Any = None) -> Scenario:
    """Check scenario DATA (RAW_POLICY: the policy node as parsed, to keep its line numbers)."""
    def fail(message: str, *at: Any) -> CharterError:
        f, line = where(locations, tuple(at))
        return CharterError(message, file=f or file, line=line,
                            field=".".join(str(a) for a in at) or None)

    for key in data:
        if key not in TOP_KEYS:
            raise fail(f"unknown key {key!r}{_hint(key, TOP_KEYS)}; a scenario has "
                       "policy, as_of, people and events", key)
    if "policy" not in data:
        raise CharterError("missing 'policy:' (a preset name such as llama-stack, a path to a "
                           "policy file, or a mapping)", file=file)
    ref = data["policy"]
    if isinstance(ref, Mapping):
        inline = raw_policy if isinstance(raw_policy, Mapping) else ref
        policy = load_policy(inline, base_dir=base_dir, file=file)
    elif isinstance(ref, str):
        policy = load_policy(ref, base_dir=base_dir)
    else:
        raise fail("expected a preset name, a file path or a mapping", "policy")
    roles = policy.policy.role_ids

    people_raw = data.get("people") or {}
    if not isinstance(people_raw, Mapping):
        raise fail("expected a mapping of login -> role or list of roles", "people")
    people: dict[str, list[str]] = {}
    for login, value in people_raw.items():
        held = [value] if isinstance(value, str) else value if isinstance(value, list) else None
        if held is None or not all(isinstance(r, str) for r in held):
            raise fail("expected a role id or a list of role ids", "people", login)
        for role in held:
            if role not in roles:
                raise fail(f"unknown role {role!r}{_hint(role, roles)}; the roles are "
                           f"{', '.join(roles)}", "people", login)
        people[str(login)] = list(held)

    as_of = None
    if data.get("as_of") is not None:
        as_of = _instant(data["as_of"], fail, "as_of")

    events = data.get("events") or []
    if not isinstance(events, list):
        raise fail("expected a list of events", "events")
    commands: list[Command] = []
    previous: datetime | None = None
    for index, event in enumerate(events):
        command = _command(index, event, people, policy, fail)
        if previous is not None and command.at < previous:
            raise fail(f"event {index} ({command.verb} at {iso(command.at)}) is earlier than "
                       f"the event before it ({iso(previous)}); events must be in time order",
                       "events", index)
        previous = command.at
        commands.append(command)
    title = data.get("title") if isinstance(data.get("title"), str) else None
    return Scenario(file, policy, people, commands, as_of, title, locations)


def _command(index: int, event: Any, people: dict[str, list[str]], policy: LoadedPolicy,
             fail: Any) -> Command:
    at_path = ("events", index)
    if not isinstance(event, Mapping):
        raise fail("expected an event mapping such as {at: ..., by: ..., do: ...}", *at_path)
    for key in ("at", "by", "do"):
        if key not in event:
            raise fail(f"event {index} has no {key!r}", *at_path)
    verb = event["do"]
    if verb not in VERBS:
        raise fail(f"unknown verb {verb!r}{_hint(str(verb), VERBS)}; the verbs are "
                   f"{', '.join(VERBS)}", *at_path, "do")
    at = _instant(event["at"], fail, *at_path, "at")
    by = event["by"]
    if verb == "count" and by != COUNTER:
        raise fail(f"a count is sent by {COUNTER!r}, the service that keeps the ballot box",
                   *at_path, "by")
    if verb != "count" and (not isinstance(by, str) or by not in people):
        raise fail(f"unknown person {by!r}{_hint(str(by), people)}; list everyone under "
                   "'people:'", *at_path, "by")
    required, optional = VERBS[verb]
    args: dict[str, Any] = {}
    for key, value in event.items():
        if key in COMMON:
            if key == "note":
                args["note"] = value
            continue
        kind = required.get(key) or optional.get(key)
        if kind is None:
            allowed = sorted(set(required) | set(optional))
            raise fail(f"{verb} takes no field {key!r}{_hint(key, allowed)}; its fields are "
                       f"{', '.join(allowed) or 'none'}", *at_path, key)
        args[key] = _field(kind, value, people, policy, fail, (*at_path, key))
    for key in required:
        if key not in args:
            raise fail(f"{verb} needs {key!r}", *at_path)
    if verb == "vote" and "choice" not in args and not args.get("sealed"):
        raise fail("vote needs 'choice' (yes, no or abstain)", *at_path)
    if verb == "vote" and args.get("sealed") and "choice" in args:
        raise fail("a sealed ballot carries no choice: the ballot box keeps it", *at_path)
    return Command(index, at, by, verb, args)


def _field(kind: str, value: Any, people: dict[str, list[str]], policy: LoadedPolicy,
           fail: Any, at: tuple[Any, ...]) -> Any:
    if kind == "id":
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            raise fail("expected an id such as P1", *at)
        return str(value)
    if kind == "text":
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise fail("expected text", *at)
        return str(value)
    if kind == "choice":
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
        raise fail(f"choice must be yes, no or abstain, not {value!r}", *at)
    if kind == "person":
        if not isinstance(value, str) or value not in people:
            raise fail(f"unknown person {value!r}{_hint(str(value), people)}; list everyone "
                       "under 'people:'", *at)
        return value
    if kind == "people":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise fail("expected a login or a list of logins", *at)
        for item in items:
            if item not in people:
                raise fail(f"unknown person {item!r}; list everyone under 'people:'", *at)
        return tuple(items)
    if kind == "role":
        roles = policy.policy.role_ids
        if value not in roles:
            raise fail(f"unknown role {value!r}{_hint(str(value), roles)}; the roles are "
                       f"{', '.join(roles)}", *at)
        return value
    if kind == "process":
        names = list(policy.policy.processes)
        if value not in names:
            raise fail(f"unknown process {value!r}{_hint(str(value), names)}; this policy's "
                       f"processes are {', '.join(names)}", *at)
        return value
    if kind == "duration":
        try:
            return parse_duration(value)
        except ValueError as err:
            raise fail(str(err), *at) from None
    if kind in ("list", "ids"):
        items = value if isinstance(value, list) else None
        if items is None or not all(isinstance(v, str | int) and not isinstance(v, bool)
                                    for v in items):
            raise fail("expected a list", *at)
        return [str(v) for v in items]
    if kind == "flag":
        if not isinstance(value, bool):
            raise fail("expected true or false", *at)
        return value
    if kind == "tally":
        keys = ("yes", "no", "abstain")
        if not isinstance(value, Mapping) or set(value) != set(keys) or not all(
                isinstance(value[k], int) and not isinstance(value[k], bool) and value[k] >= 0
                for k in keys):
            raise fail("expected {yes: N, no: N, abstain: N} with whole numbers", *at)
        return {k: value[k] for k in keys}
    if kind == "criterion":
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise fail("expected a criterion's text (or its number in the list)", *at)
        return value
    raise AssertionError(kind)


def _instant(value: Any, fail: Any, *at: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise fail(f"{value!r} is not an ISO 8601 time; write e.g. "
                       "2026-03-02T09:00:00Z", *at) from None
    if isinstance(value, date) and (problem := date_problem(value)):
        raise fail(problem, *at)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise fail(f"{value.isoformat()} has no zone; add one, e.g. Z for UTC or +02:00",
                       *at)
        return value.astimezone(UTC)
    if isinstance(value, date):
        raise fail(f"{value.isoformat()} is a date; give a time with a zone, e.g. "
                   f"{value.isoformat()}T09:00:00Z", *at)
    raise fail(f"expected a time such as 2026-03-02T09:00:00Z, got {value!r}", *at)


def _hint(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _AnyLogin(dict[str, list[str]]):
    """The service's people: anyone with a login may act; roles come from the roster."""

    def __contains__(self, login: object) -> bool:
        return isinstance(login, str) and 0 < len(login) <= 100 and login.strip() == login


def parse_command(event: Mapping[str, Any], policy: LoadedPolicy, index: int) -> Command:
    """One command from the API or a slash command, checked exactly as a scenario event is."""
    def fail(message: str, *at: Any) -> CharterError:
        return CharterError(message, field=".".join(str(a) for a in at[2:]) or None)

    return _command(index, event, _AnyLogin(), policy, fail)
