"""Scenario files: a policy, the people and timestamped events, checked before any replay."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from charter.engine.calendar import iso
from charter.engine.state import Command
from charter.errors import CharterError
from charter.policy.files import exists, policy_root
from charter.policy.loader import PRESETS, LoadedPolicy, load_policy
from charter.scenario.fields import (
    COMMON,
    COUNTER,
    NAMING_KINDS,
    VERBS,
    FieldProblem,
    check,
    excerpt,
    hint,
    login_problem,
    verb_problem,
    what,
)
from charter.scenario.positions import EagerPositions, Positions
from charter.scenario.reader import read_document
from charter.yamlio import Locations, date_problem

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
    positions: Positions | None = field(default=None, compare=False)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; every mistake names file:line and what to do."""
    path = Path(path)
    document = read_document(path)
    file = str(path)
    if not isinstance(document.data, Mapping):
        raise CharterError("a scenario must be a YAML mapping with policy, people and events",
                           file=file)
    return parse_scenario(document.data, file, document.positions, path.parent,
                          raw_policy=document.policy_node)


def _policy_root(ref: str, base_dir: Path) -> Path:
    """Where a scenario's policy file may be, as its inline `extends:` may: inside the
    repository holding the scenario (else its folder), or the working folder's when REF is
    found only from there (the loader's fallback); a scenario may come from anyone."""
    if not os.path.isabs(ref) and not exists(base_dir / ref) and exists(Path(ref)):
        return policy_root(Path.cwd())
    return policy_root(base_dir)


def parse_scenario(data: Mapping[Any, Any], file: str, positions: Positions | Locations,
                   base_dir: Path, raw_policy: Any = None) -> Scenario:
    """Check scenario DATA; POSITIONS says where its keys are (a Positions, or locations as
    `yamlio.locate` gives them); RAW_POLICY is an inline policy with its positions."""
    at_positions = EagerPositions(positions, file) if isinstance(positions, dict) else positions

    def fail(message: str, *at: Any) -> CharterError:
        f, line = at_positions.where(tuple(at))
        return CharterError(message, file=f or file, line=line,
                            field=".".join(str(a) for a in at) or None)

    for key in data:
        if key not in TOP_KEYS:
            raise fail(f"unknown key {excerpt(str(key))}{hint(str(key), TOP_KEYS)}; a scenario "
                       "has policy, as_of, people and events", str(key))
    if "policy" not in data:
        raise CharterError("missing 'policy:' (a preset name such as llama-stack, a path to a "
                           "policy file, or a mapping)", file=file)
    ref = data["policy"]
    if isinstance(ref, Mapping):
        inline = raw_policy if isinstance(raw_policy, Mapping) else ref
        policy = load_policy(inline, base_dir=base_dir, file=file)
    elif isinstance(ref, str):
        try:
            policy = load_policy(ref, base_dir=base_dir, root=_policy_root(ref, base_dir))
        except CharterError as err:
            raise (err if err.file else fail(err.message, "policy")) from None
    else:
        raise fail(f"expected a preset name, a file path or a mapping, got {what(ref)}",
                   "policy")
    roles = policy.policy.role_ids
    processes = tuple(policy.policy.processes)

    people = _people(data.get("people"), roles, fail)

    as_of = None
    if data.get("as_of") is not None:
        as_of = _instant(data["as_of"], fail, "as_of")
    title = data.get("title")
    if title is not None and (isinstance(title, bool) or not isinstance(title, str | int | float)):
        raise fail(f"expected text, got {what(title)}", "title")

    events = data.get("events") or []
    if not isinstance(events, list):
        raise fail(f"expected a list of events, got {what(events)}", "events")
    # Who may act: everyone listed, and anyone an earlier event named (a nominee, a component
    # maintainer), since being named is how a newcomer enters the history.
    known: set[str] = set(people)
    commands: list[Command] = []
    previous: datetime | None = None
    for index, event in enumerate(events):
        command = _command(index, event, known, roles, processes, fail)
        if command.verb == "adopt-policy":
            adopted = _adopted(command.get("policy"), base_dir, file, fail, index)
            command.args["policy"] = adopted
            # Later events name the roles and processes of the policy adopted.
            roles = adopted.policy.role_ids
            processes = tuple(adopted.policy.processes)
        if previous is not None and command.at < previous:
            raise fail(f"event {index} ({command.verb} at {iso(command.at)}) is earlier than "
                       f"the event before it ({iso(previous)}); events must be in time order",
                       "events", index)
        previous = command.at
        commands.append(command)
    return Scenario(file, policy, people, commands, as_of,
                    None if title is None else str(title), at_positions)


def _adopted(ref: Any, base_dir: Path, file: str, fail: Any, index: int) -> LoadedPolicy:
    """The policy an adopt-policy event names, loaded as a scenario's `policy:` is."""
    at = ("events", index, "policy")
    try:
        if isinstance(ref, Mapping):
            return load_policy(ref, base_dir=base_dir, file=file)
        return load_policy(ref, base_dir=base_dir, root=_policy_root(ref, base_dir))
    except CharterError as err:
        if err.file and err.file != file and not err.file.startswith("preset:"):
            raise  # a policy file's own mistake, named by its file and line
        inner = f"{err.field}: " if err.field else ""
        raise fail(f"{inner}{err.message}", *at) from None


def _people(raw: Any, roles: tuple[str, ...], fail: Any) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise fail(f"expected a mapping of login -> role or list of roles, got {what(raw)}",
                   "people")
    people: dict[str, list[str]] = {}
    for login, value in raw.items():
        problem = login_problem(login)
        if problem:
            raise fail(problem, "people", str(login))
        held = [value] if isinstance(value, str) else value if isinstance(value, list) else None
        if held is None or not all(isinstance(r, str) for r in held):
            found = value if held is None else next(r for r in held if not isinstance(r, str))
            raise fail(f"expected a role id or a list of role ids, got {what(found)}",
                       "people", login)
        for role in held:
            if role not in roles:
                raise fail(f"unknown role {excerpt(role)}{hint(role, roles)}; the roles are "
                           f"{', '.join(roles)}", "people", login)
        people[login] = list(held)
    return people


def _command(index: int, event: Any, known: set[str], roles: tuple[str, ...],
             processes: tuple[str, ...], fail: Any) -> Command:
    at_path = ("events", index)
    if not isinstance(event, Mapping):
        raise fail(f"expected an event mapping such as {{at: ..., by: ..., do: ...}}, got "
                   f"{what(event)}", *at_path)
    for key in ("at", "by", "do"):
        if key not in event:
            raise fail(f"event {index} has no {key!r}", *at_path)
    verb = event["do"]
    problem = verb_problem(verb)
    if problem:
        raise fail(problem, *at_path, "do")
    at = _instant(event["at"], fail, *at_path, "at")
    by = event["by"]
    if verb == "count" and by != COUNTER:
        raise fail(f"a count is sent by {COUNTER!r}, the service that keeps the ballot box",
                   *at_path, "by")
    problem = login_problem(by)
    if problem:
        raise fail(problem, *at_path, "by")
    # The service adopts a merged policy file as COUNTER, which is nobody's login.
    system = verb == "count" or (verb == "adopt-policy" and by == COUNTER)
    if not system and by not in known:
        raise fail(f"unknown person {excerpt(by)}{hint(by, known)}; list everyone who acts "
                   "under 'people:'", *at_path, "by")
    required, optional = VERBS[verb]
    args: dict[str, Any] = {}
    for key, value in event.items():
        if key in COMMON:
            if key == "note":
                args["note"] = value
            continue
        name = str(key)
        kind = required.get(name) or optional.get(name)
        if kind is None:
            allowed = sorted(set(required) | set(optional))
            raise fail(f"{verb} takes no field {excerpt(name)}{hint(name, allowed)}; its fields "
                       f"are {', '.join(allowed) or 'none'}", *at_path, name)
        try:
            args[name] = check(kind, value, known, roles, processes)
        except FieldProblem as err:
            raise fail(str(err), *at_path, name) from None
    for key in required:
        if key not in args:
            raise fail(f"{verb} needs {key!r}", *at_path)
    if verb == "vote" and "choice" not in args and not args.get("sealed"):
        raise fail("vote needs 'choice' (yes, no or abstain)", *at_path)
    if verb == "vote" and args.get("sealed") and "choice" in args:
        raise fail("a sealed ballot carries no choice: the ballot box keeps it", *at_path)
    for key, kind in {**required, **optional}.items():
        if kind in NAMING_KINDS and key in args:
            named = args[key]
            known.update((named,) if isinstance(named, str) else named)
    return Command(index, at, by, verb, args)


def _instant(value: Any, fail: Any, *at: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise fail(f"{excerpt(value)} is not an ISO 8601 time; write e.g. "
                       "2026-03-02T09:00:00Z", *at) from None
    if isinstance(value, date) and (problem := date_problem(value)):
        raise fail(problem, *at)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise fail(f"{value.isoformat()} has no zone; add one, e.g. Z for UTC or +02:00",
                       *at)
        try:
            return value.astimezone(UTC)
        except OverflowError:
            # 0001-01-01T00:00:00+01:00 or 9999-12-31T23:00:00-05:00: outside datetime's range.
            raise fail(f"{value.isoformat()} is outside the calendar Charter computes, "
                       "0001-01-01 to 9999-12-31 in UTC", *at) from None
    if isinstance(value, date):
        raise fail(f"{value.isoformat()} is a date; give a time with a zone, e.g. "
                   f"{value.isoformat()}T09:00:00Z", *at)
    raise fail(f"expected a time such as 2026-03-02T09:00:00Z, got {what(value)}", *at)


class _AnyLogin(set[str]):
    """The service's people: anyone with a login may act; roles come from the roster."""

    def __contains__(self, login: object) -> bool:
        return isinstance(login, str) and 0 < len(login) <= 100 and login.strip() == login


def parse_command(event: Mapping[str, Any], policy: LoadedPolicy, index: int) -> Command:
    """One command from the API or a slash command, checked exactly as a scenario event is."""
    def fail(message: str, *at: Any) -> CharterError:
        return CharterError(message, field=".".join(str(a) for a in at[2:]) or None)

    command = _command(index, event, _AnyLogin(), policy.policy.role_ids,
                       tuple(policy.policy.processes), fail)
    if command.verb == "adopt-policy":
        ref = command.get("policy")
        # The service stores a policy as a preset name or as plain data with nothing to extend:
        # nothing a command says may make the server read a file.
        if (isinstance(ref, str) and ref not in PRESETS) or \
                (isinstance(ref, Mapping) and ref.get("extends") not in (None, *PRESETS)):
            raise CharterError("an adopted policy is a preset name or a mapping that extends a "
                               f"preset ({', '.join(PRESETS)}) or nothing", field="policy")
        try:
            command.args["policy"] = load_policy(ref, file="policy")
        except CharterError as err:
            field = f"policy.{err.field}" if err.field else "policy"
            raise CharterError(err.message, field=field) from None
    return command


#: Field kinds whose checked form is the value itself: checking them again changes nothing.
_AS_IS = frozenset({"person", "nominee", "role", "process", "flag", "criterion"})


def stored_command(stored: Mapping[str, Any], at: datetime, policy: LoadedPolicy,
                   index: int) -> Command:
    """A command the service checked when it accepted it, rebuilt from its stored JSON.

    Only the conversions `parse_command` makes are redone (ids and texts to strings, choices,
    durations); a stored field the verb does not take falls back to the full check, so a
    command that was never checked is refused as `parse_command` would refuse it.
    """
    verb = stored.get("do")
    by = stored.get("by")
    fields = VERBS.get(verb) if isinstance(verb, str) else None
    if fields is None or not isinstance(verb, str) or not isinstance(by, str) \
            or verb == "adopt-policy":  # a policy is loaded, and checked, as it is adopted
        return parse_command({**stored, "at": at}, policy, index)
    required, optional = fields
    if any(key not in stored for key in required) or (
            verb == "vote" and ("choice" in stored) == bool(stored.get("sealed"))):
        # A ballot's choice-or-sealed rule and a missing field: the full check says why.
        return parse_command({**stored, "at": at}, policy, index)
    args: dict[str, Any] = {}
    for key, value in stored.items():
        if key in COMMON:
            if key == "note":
                args["note"] = value
            continue
        kind = required.get(key) or optional.get(key)
        if kind is None:
            return parse_command({**stored, "at": at}, policy, index)
        if kind in _AS_IS or (kind in ("id", "text") and type(value) is str):
            args[key] = value
        else:
            try:
                args[key] = check(kind, value, _AnyLogin(), policy.policy.role_ids,
                                  tuple(policy.policy.processes))
            except FieldProblem as err:
                raise CharterError(str(err), field=key) from None
    return Command(index, at, by, verb, args)
