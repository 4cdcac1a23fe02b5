"""Load a policy: a preset name, a file, or a mapping; `extends:` deep-merges it onto its base."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from charter.errors import CharterError, excerpt, gather
from charter.policy.files import (
    Folder,
    Found,
    Missing,
    PolicyFiles,
    Refused,
    exists,
    policy_root,
)
from charter.policy.merge import deep_merge
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
from charter.yamlio import Locations, locate, parse_yaml, plain, read_text, where

PRESETS = ("llama-stack", "llm-d")
DEFAULT_FILE = "charter.yaml"
#: How many files may extend one another in a chain; real policies use one or two.
MAX_EXTENDS = 10


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

    @property
    def digest(self) -> str:
        """The sha256 of `data` as canonical JSON: the policy's identity in the event log."""
        return policy_digest(self.data)


def policy_digest(data: Mapping[str, Any]) -> str:
    """The content hash of an effective policy (sorted keys, no spaces), as the store keeps it."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def preset_text(name: str) -> str:
    """The YAML text of a shipped preset."""
    if name not in PRESETS:
        raise CharterError(f"unknown preset {name!r}; the presets are {', '.join(PRESETS)} "
                           "(or give a path to a policy file)")
    return (resources.files("charter.policy") / "presets" / f"{name}.yaml").read_text("utf-8")


def load_policy(ref: str | Path | Mapping[str, Any] | None = None, *,
                base_dir: Path | None = None, file: str = "<policy>",
                root: Path | None = None) -> LoadedPolicy:
    """Load REF: a preset name, a path (relative to BASE_DIR), or an already-parsed mapping.

    What the policy extends must stay inside ROOT (default: the repository holding the policy,
    else its folder); so must a policy file itself, once its links are followed.
    """
    if ref is None:
        path = (base_dir or Path.cwd()) / DEFAULT_FILE
        if not exists(path):
            raise CharterError(f"no {DEFAULT_FILE} here; pass --policy FILE or a preset name "
                               f"({', '.join(PRESETS)})")
        ref = path
    if isinstance(ref, Mapping):
        here = base_dir or Path.cwd()
        return load_policy_node(ref, file=file, files=Folder(root or policy_root(here)),
                                folder=str(here))
    text_ref = str(ref)
    if text_ref in PRESETS and not (base_dir or Path.cwd()).joinpath(text_ref).is_file():
        raw, locations = _resolve(parse_yaml(preset_text(text_ref), f"preset:{text_ref}"),
                                  f"preset:{text_ref}", None, None, ())
        return _validate(raw, locations, text_ref)
    path = Path(text_ref)
    if not path.is_absolute() and base_dir is not None and (
            exists(base_dir / path) or not exists(path)):
        # Relative to the file that names it (a scenario's folder); else to the working folder.
        path = base_dir / path
    if not exists(path) and "/" not in text_ref and not text_ref.endswith((".yaml", ".yml")):
        raise CharterError(f"unknown preset or file {excerpt(text_ref)}; the presets are "
                           f"{', '.join(PRESETS)}, or give a path to a policy file")
    files = Folder(root or policy_root(path.parent))
    try:
        real = files.inside(path)
    except Refused as err:
        raise CharterError(err.message) from None
    node = parse_yaml(read_text(path), str(path))
    if not isinstance(node, Mapping):
        raise CharterError(f"{_holds(node)}; a policy file is a YAML mapping (charter: 1, "
                           "project: ..., roles: ..., processes: ...)", file=str(path))
    raw, locations = _resolve(node, str(path), files, os.path.dirname(path) or ".",
                              ((str(real), str(path)),))
    return _validate(raw, locations, str(path))


def load_policy_node(node: Mapping[str, Any], *, file: str, files: PolicyFiles | None,
                     folder: str | None, identity: str | None = None) -> LoadedPolicy:
    """Load the parsed policy NODE (named FILE in messages); its `extends:` paths are looked up
    in FILES, relative to FOLDER. IDENTITY: NODE's own key in FILES, when it is a file there."""
    raw, locations = _resolve(node, file, files, folder, ((identity, file),) if identity else ())
    return _validate(raw, locations, file)


def _holds(node: Any) -> str:
    """What a YAML document that is not a mapping holds, in words."""
    if node is None:
        return "is empty"
    kind = "a list" if isinstance(node, list) else "text" if isinstance(node, str) else \
        f"a single value ({type(node).__name__})"
    return f"holds {kind}, not a mapping"


def _resolve(node: Mapping[str, Any], file: str, files: PolicyFiles | None, folder: str | None,
             chain: tuple[tuple[str, str], ...]) -> tuple[dict[str, Any], Locations]:
    """Plain data plus locations for NODE, with its `extends:` chain merged underneath.

    CHAIN: (identity, name) of each file on the way here, NODE's own last, to report cycles.
    """
    locations = locate(node, file)
    data = plain(node)
    parent = data.get("extends")
    if parent is None:
        return data, locations
    at_file, at_line = where(locations, ("extends",))

    def refuse(message: str) -> CharterError:
        return CharterError(message, file=at_file or file, line=at_line, field="extends")

    if not isinstance(parent, str):
        raise refuse(f"expected a preset name ({', '.join(PRESETS)}) or a policy file path, "
                     f"not {_kind(parent)}")
    if not parent.strip():
        raise refuse(f"is empty; name a preset ({', '.join(PRESETS)}) or a policy file, or "
                     "delete the line")
    if len(chain) > MAX_EXTENDS:
        raise refuse(f"more than {MAX_EXTENDS} files extend one another; merge some of them")
    if parent in PRESETS:
        found = Found(f"preset:{parent}", f"preset:{parent}", "")
        _check_cycle(found, chain, refuse)
        base_node: Any = parse_yaml(preset_text(parent), found.label)
        base_files, base_folder = None, None
    elif files is None or folder is None:
        raise refuse(f"{excerpt(parent)} is not a preset; a preset extends only presets "
                     f"({', '.join(PRESETS)})")
    else:
        try:
            found = files.find(parent, folder)
            _check_cycle(found, chain, refuse)
            text = files.read(found)
        except Missing as err:
            raise refuse(f"no preset or file {excerpt(parent)} ({err.message}); the presets "
                         f"are {', '.join(PRESETS)}") from None
        except Refused as err:
            raise refuse(err.message) from None
        try:
            base_node = parse_yaml(text, found.label)
        except CharterError as err:
            raise CharterError(f"{err.message} ({at_file}:{at_line} extends this file)",
                               file=err.file, line=err.line) from None
        base_files, base_folder = files, found.folder
    if not isinstance(base_node, Mapping):
        raise refuse(f"{found.label} {_holds(base_node)}; the file it names must be a policy "
                     "mapping (charter: 1, project: ..., roles: ...)")
    base, base_locations = _resolve(base_node, found.label, base_files, base_folder,
                                    (*chain, (found.key, found.label)))
    base.pop("preset", None)  # the result is a policy built on the preset, not the preset
    return deep_merge(base, data), {**base_locations, **locations}


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, Mapping) \
        else f"{excerpt(value)}"


def _check_cycle(found: Found, chain: tuple[tuple[str, str], ...],
                 refuse: Callable[[str], CharterError]) -> None:
    keys = [key for key, _ in chain]
    if found.key not in keys:
        return
    loop = [label for _, label in chain[keys.index(found.key):]] + [found.label]
    if len(loop) == 2:
        raise refuse(f"{loop[0]} extends itself; delete this line or name another file")
    raise refuse(f"a cycle: {' → '.join(loop)}; each file extends the next, so none can be "
                 "loaded; delete one of these extends:")


def _validate(raw: dict[str, Any], locations: Locations, name: str) -> LoadedPolicy:
    """Validate RAW; every problem found is reported at once, each at its file:line."""
    from pydantic import ValidationError

    problems, refused = _precheck(raw, locations, name)
    candidate = raw
    if refused:  # leave them out, so their problem is said once, not as a union's noise
        processes = {k: v for k, v in raw["processes"].items() if k not in refused}
        candidate = {**raw, "processes": processes}
    try:
        policy = Policy.model_validate(candidate)
    except ValidationError as err:
        problems += [_explain(e, candidate, locations, name) for e in err.errors()]
        raise _all(problems) from None
    if problems:
        raise _all(problems)
    loaded = LoadedPolicy(policy, name, locations, raw)
    found = []
    for path, message in cross_check(policy):
        file, line = loaded.where(*path)
        found.append(CharterError(message, file=file or name, line=line,
                                  field=".".join(str(p) for p in path)))
    if found:
        raise _all(found)
    return loaded


def _all(problems: list[CharterError]) -> CharterError:
    """One error listing PROBLEMS by file and line, each once."""
    unique = {p.render_one(): p for p in problems}
    order = sorted(unique.values(), key=lambda p: (p.file or "", p.line or 0))
    return gather(order)


def _precheck(raw: dict[str, Any], locations: Locations, name: str
              ) -> tuple[list[CharterError], set[str]]:
    """What pydantic would explain badly: processes that are not a mapping with a known `type`
    (returned with their names)."""
    processes = raw.get("processes")
    problems: list[CharterError] = []
    refused: set[str] = set()
    if not isinstance(processes, Mapping):
        return problems, refused
    for pname, proc in processes.items():
        file, line = where(locations, ("processes", pname))
        if not isinstance(proc, Mapping):
            problems.append(CharterError(
                f"expected a mapping with a 'type' ({', '.join(PROCESS_TYPES)})",
                file=file or name, line=line, field=f"processes.{pname}"))
            refused.add(pname)
        elif proc.get("type") not in PROCESS_TYPES:
            file, line = where(locations, ("processes", pname, "type"))
            problems.append(CharterError(
                f"unknown process type {excerpt(proc.get('type'))}; expected one of "
                f"{', '.join(PROCESS_TYPES)}", file=file or name, line=line,
                field=f"processes.{pname}.type"))
            refused.add(pname)
    return problems, refused


def _explain(error: Any, raw: dict[str, Any], locations: Locations, name: str) -> CharterError:
    path = _data_path(error["loc"], raw)
    file, line = where(locations, path)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown key {excerpt(path[-1])}; check its spelling against the policy " \
                  "reference"
    elif error["type"] == "missing":
        full = _data_path(error["loc"], raw, keep_missing=True)
        message = f"missing required key {excerpt(full[-1])}" if full else \
            "missing required key"
    return CharterError(message, file=file or name, line=line,
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
                problems.append((path, f"unknown role {excerpt(actor)}; the roles are "
                                       f"{', '.join(policy.role_ids)}"))

    if policy.notices.triage_label is not None:
        need_roles(("notices", "triagers"), policy.notices.triagers, allow_anyone=False)
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
                                     f"{excerpt(proc.on_objection.vote)} is not a vote process of "
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
            problems.append(((*base, "from"),
                             f"no process named {excerpt(proc.from_)} to select from"))
    return problems
