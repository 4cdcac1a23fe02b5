"""Load a policy: a preset name, a file, or a mapping; `extends:` deep-merges onto a preset."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.policy.schema import (
    ANYONE,
    LAZY_TYPES,
    PROCESS_TYPES,
    VOTE_TYPES,
    NominationProcess,
    Policy,
    RemovalProcess,
    RoadmapProcess,
    StepDownProcess,
)
from charter.yamlio import Locations, locate, parse_yaml, plain, read_yaml, where

PRESETS = ("llama-stack", "llm-d")
DEFAULT_FILE = "charter.yaml"


@dataclass(frozen=True)
class LoadedPolicy:
    """A validated policy, the name it was loaded by, and where each of its keys was written."""

    policy: Policy
    name: str
    locations: Locations = field(default_factory=dict, compare=False)
    # The policy as plain data with its `extends:` chain merged in: loading it again gives the
    # same policy without any preset or file, which is how the service stores a policy.
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def where(self, *path: Any) -> tuple[str | None, int | None]:
        return where(self.locations, tuple(path))


def preset_text(name: str) -> str:
    """The YAML text of a shipped preset."""
    if name not in PRESETS:
        raise CharterError(f"unknown preset {name!r}; the presets are {', '.join(PRESETS)} "
                           "(or give a path to a policy file)")
    return (resources.files("charter.policy") / "presets" / f"{name}.yaml").read_text("utf-8")


def load_policy(ref: str | Path | Mapping[str, Any] | None = None, *,
                base_dir: Path | None = None, file: str = "<policy>") -> LoadedPolicy:
    """Load REF: a preset name, a path (relative to BASE_DIR), or an already-parsed mapping."""
    if ref is None:
        path = (base_dir or Path.cwd()) / DEFAULT_FILE
        if not path.exists():
            raise CharterError(f"no {DEFAULT_FILE} here; pass --policy FILE or a preset name "
                               f"({', '.join(PRESETS)})")
        ref = path
    if isinstance(ref, Mapping):
        raw, locations = _resolve(ref, file, base_dir or Path.cwd(), ())
        return _validate(raw, locations, file)
    text_ref = str(ref)
    if text_ref in PRESETS and not (base_dir or Path.cwd()).joinpath(text_ref).is_file():
        raw, locations = _load_preset(text_ref, ())
        return _validate(raw, locations, text_ref)
    path = Path(text_ref)
    if not path.is_absolute() and base_dir is not None and (
            (base_dir / path).exists() or not path.exists()):
        # Relative to the file that names it (a scenario's folder); else to the working folder.
        path = base_dir / path
    if not path.exists() and "/" not in text_ref and not text_ref.endswith((".yaml", ".yml")):
        raise CharterError(f"unknown preset or file {text_ref!r}; the presets are "
                           f"{', '.join(PRESETS)}, or give a path to a policy file")
    node = read_yaml(path)
    if not isinstance(node, Mapping):
        raise CharterError("a policy file must be a YAML mapping (charter: 1, project: ..., "
                           "roles: ..., processes: ...)", file=str(path))
    raw, locations = _resolve(node, str(path), path.parent, (str(path.resolve()),))
    return _validate(raw, locations, str(path))


def _load_preset(name: str, seen: tuple[str, ...]) -> tuple[dict[str, Any], Locations]:
    file = f"preset:{name}"
    node = parse_yaml(preset_text(name), file)
    return _resolve(node, file, None, seen)


def _resolve(node: Mapping[str, Any], file: str, base_dir: Path | None,
             seen: tuple[str, ...]) -> tuple[dict[str, Any], Locations]:
    """Plain data plus locations for NODE, with its `extends:` chain merged underneath."""
    locations = locate(node, file)
    data = plain(node)
    parent = data.get("extends")
    if parent is None:
        return data, locations
    if not isinstance(parent, str):
        f, line = where(locations, ("extends",))
        raise CharterError("extends: expected a preset name or a policy file path",
                           file=f, line=line)
    key = parent if parent in PRESETS else str((base_dir or Path.cwd()) / parent)
    if key in seen:
        f, line = where(locations, ("extends",))
        raise CharterError(f"extends: {parent!r} extends itself (a cycle)", file=f, line=line)
    if parent in PRESETS:
        base, base_locations = _load_preset(parent, (*seen, key))
    else:
        path = Path(key)
        if not path.exists():
            f, line = where(locations, ("extends",))
            raise CharterError(f"extends: no preset or file {parent!r}; the presets are "
                               f"{', '.join(PRESETS)}", file=f, line=line)
        base_node = read_yaml(path)
        base, base_locations = _resolve(base_node, str(path), path.parent, (*seen, key))
    base.pop("preset", None)  # the result is a policy built on the preset, not the preset
    merged = deep_merge(base, data)
    return merged, {**base_locations, **locations}


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """OVER onto BASE: mappings merge key by key, anything else replaces, null deletes."""
    out = dict(base)
    for key, value in over.items():
        if value is None and key in out and key not in ("quorum",):
            del out[key]
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _validate(raw: dict[str, Any], locations: Locations, name: str) -> LoadedPolicy:
    from pydantic import ValidationError

    _precheck(raw, locations, name)
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as err:
        raise _explain(err, raw, locations, name) from None
    loaded = LoadedPolicy(policy, name, locations, raw)
    problems = cross_check(policy)
    if problems:
        path, message = problems[0]
        file, line = loaded.where(*path)
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise CharterError(message + more, file=file or name, line=line,
                           field=".".join(str(p) for p in path))
    return loaded


def _precheck(raw: dict[str, Any], locations: Locations, name: str) -> None:
    """Catch what pydantic would explain badly: a process without a known `type`."""
    processes = raw.get("processes")
    if not isinstance(processes, Mapping):
        return
    for pname, proc in processes.items():
        file, line = where(locations, ("processes", pname))
        if not isinstance(proc, Mapping):
            raise CharterError(f"expected a mapping with a 'type' ({', '.join(PROCESS_TYPES)})",
                               file=file or name, line=line, field=f"processes.{pname}")
        if proc.get("type") not in PROCESS_TYPES:
            got = proc.get("type")
            raise CharterError(f"unknown process type {got!r}; expected one of "
                               f"{', '.join(PROCESS_TYPES)}", file=file or name, line=line,
                               field=f"processes.{pname}.type")


def _explain(err: Any, raw: dict[str, Any], locations: Locations, name: str) -> CharterError:
    errors = err.errors()
    first = errors[0]
    path = _data_path(first["loc"], raw)
    file, line = where(locations, path)
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = f"unknown key {path[-1]!r}; check its spelling against the policy reference"
    elif first["type"] == "missing":
        full = _data_path(first["loc"], raw, keep_missing=True)
        message = f"missing required key {full[-1]!r}" if full else "missing required key"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return CharterError(message + more, file=file or name, line=line,
                        field=".".join(str(p) for p in path) or None)


def _data_path(loc: tuple[Any, ...], raw: Any, keep_missing: bool = False) -> tuple[Any, ...]:
    """Drop pydantic's union tags and validator names from LOC, keeping real keys."""
    out: list[Any] = []
    node = raw
    for part in loc:
        if isinstance(node, Mapping) and str(part) in node:
            out.append(str(part))
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            node = node[part]
        elif keep_missing and isinstance(node, Mapping) and isinstance(part, str) \
                and part not in PROCESS_TYPES and not part.startswith("function"):
            out.append(part)
            node = None
    return tuple(out)


def cross_check(policy: Policy) -> list[tuple[tuple[Any, ...], str]]:
    """References between parts of the policy: roles and processes that must exist."""
    roles = set(policy.role_ids)
    problems: list[tuple[tuple[Any, ...], str]] = []
    if len(roles) != len(policy.roles):
        problems.append((("roles",), "a role id is listed twice"))

    def need_roles(path: tuple[Any, ...], actors: tuple[str, ...] | None,
                   allow_anyone: bool = True) -> None:
        for actor in actors or ():
            if actor == ANYONE and allow_anyone:
                continue
            if actor not in roles:
                problems.append((path, f"unknown role {actor!r}; the roles are "
                                       f"{', '.join(policy.role_ids)}"))

    for pname, proc in policy.processes.items():
        base: tuple[Any, ...] = ("processes", pname)
        if isinstance(proc, LAZY_TYPES):
            need_roles((*base, "objectors"), proc.objectors)
            need_roles((*base, "proposers"), proc.proposers)
            if proc.on_objection is not None:
                target = policy.processes.get(proc.on_objection.vote)
                if not isinstance(target, VOTE_TYPES) or isinstance(
                        target, NominationProcess | RemovalProcess):
                    problems.append(((*base, "on_objection", "vote"),
                                     f"{proc.on_objection.vote!r} is not a vote process of "
                                     "this policy (type: vote)"))
                need_roles((*base, "on_objection", "called_by"), proc.on_objection.called_by)
        if isinstance(proc, VOTE_TYPES):
            need_roles((*base, "voters"), proc.voters, allow_anyone=False)
        if isinstance(proc, NominationProcess):
            need_roles((*base, "nominators"), proc.nominators)
            need_roles((*base, "roles"), proc.roles, allow_anyone=False)
        if isinstance(proc, RemovalProcess):
            need_roles((*base, "removes"), (proc.removes,), allow_anyone=False)
        if isinstance(proc, StepDownProcess):
            need_roles((*base, "from"), (proc.from_,), allow_anyone=False)
            need_roles((*base, "to"), (proc.to,), allow_anyone=False)
        if isinstance(proc, RoadmapProcess) and proc.from_ not in policy.processes:
            problems.append(((*base, "from"), f"no process named {proc.from_!r} to select from"))
    return problems
