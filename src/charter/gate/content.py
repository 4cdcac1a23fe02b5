"""Requirements read from what a pull request changes: proposals, RFCs, flags, API breaks.

`proposal.required` (llm-d): a pull request needs an approved proposal when it touches a path
matching `needs_proposal.paths`, carries one of `needs_proposal.labels`, or (with
`new_component`) adds a new component, meaning a new top-level folder (one absent at the merge
base; dot-folders such as `.github` excluded). It has one when it adds or changes a proposal file
itself (the process's `path` globs, its template excepted), so that the proposal is approved
together with the change; or when one of its commits has a `Proposal: docs/proposals/NAME.md`
trailer naming a proposal merged into BASE (merged proposals are approved ones).

`rfc.requested` (llama-stack) is advisory: the charter says such a pull request "may be closed
with a polite request", not that it cannot merge, so it never blocks `mergeable`. Substantial
means, for each trigger the policy lists:
- `config-options`: a flag added (`find_flags`, Python and Go) or a key added to a config file
  (a YAML, JSON or TOML file with `config` in its path);
- `feature-removal`: a flag removed, a public Python module deleted (no path part starting with
  `_`, not a test), or an API operation removed from a spec under `pull_requests.api.specs`;
- `architecture`: the label `architecture`.
A label in `needs_rfc.labels` always marks the change as substantial. A label in
`exempt_labels` exempts it; an RFC file added or changed in the pull request (`rfcs/*.md`), or an
`RFC: rfcs/NAME.md` trailer naming an RFC merged into BASE, satisfies it.

`flags.experimental`: experimental flags in changed Python and Go files that break the naming or
default-off rule and did not already break it at the merge base. `api.breaking`: breaking changes
to stable operations, from the merge base to HEAD, with the policy's tiers and deprecation
period; the specs (`specs` and those the tiers name) are compared as one API, so an operation
moved from an experimental spec file to a stable one is a promotion, while a spec deleted by the
pull request removes every operation it describes that did not move. When the policy counts
command-line flags as API (`includes` names flags, or is empty), flags removed or changed in
changed Python and Go files (`flagdiff`) are breaking changes too.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from charter.checks.files import glob_regex
from charter.checks.findings import Finding
from charter.errors import CharterError
from charter.gate.model import GateContext, Requirement, listed
from charter.policy.schema import ApiRule, Policy, ProposalProcess, RfcProcess

__all__ = ["api_requirement", "flags_requirement", "proposal_requirement", "rfc_requirement"]

REMOVAL_IDS = frozenset({"api-path-removed-without-deprecation",
                         "api-path-removed-with-deprecation", "api-removed-without-deprecation",
                         "api-removed-with-deprecation", "api-removed-before-sunset",
                         "api-path-removed-before-sunset"})
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
DEFAULT_RFC_REQUEST = ("This looks like a substantial change; please submit an RFC first, "
                       "as the governance asks.")


def _paths(ctx: GateContext) -> list[str]:
    """Every path the pull request touches: new and old names of renames included."""
    seen: dict[str, None] = {}
    for c in ctx.changes:
        seen.setdefault(c.path)
        if c.old_path:
            seen.setdefault(c.old_path)
    return list(seen)


def _trailers(ctx: GateContext, key: str) -> list[str]:
    pattern = re.compile(rf"^{re.escape(key)}:[ \t]*(\S+)[ \t]*$", re.I | re.M)
    found: dict[str, None] = {}
    for commit in ctx.commits:
        for m in pattern.finditer(commit.message):
            found.setdefault(m[1].removeprefix("./"))
    return list(found)


def _globs(policy: Policy, name: str, kind: type[ProposalProcess] | type[RfcProcess],
           default: str) -> tuple[tuple[str, ...], str | None]:
    proc = policy.processes.get(name)
    if isinstance(proc, kind):
        return tuple(proc.path), proc.template
    return (default,), None


def _document(ctx: GateContext, globs: tuple[str, ...], template: str | None,
              trailer: str) -> tuple[list[str], list[str], list[str]]:
    """(files in the PR, linked files merged at BASE, linked names that are not) for a doc kind."""
    rx = glob_regex(globs)
    in_pr = [c.path for c in ctx.changes
             if c.status != "D" and rx.match(c.path) and c.path != template]
    linked, bad = [], []
    for ref in _trailers(ctx, trailer):
        if rx.match(ref) and ref != template and ctx.read.blob(ctx.base, ref) is not None:
            linked.append(ref)
        else:
            bad.append(ref)
    return in_pr, linked, bad


def _new_top_folders(ctx: GateContext) -> list[str]:
    existing = ctx.read.top_folders(ctx.fork)
    new = {c.path.split("/", 1)[0] for c in ctx.changes
           if c.status in "ARC" and "/" in c.path and not c.path.startswith(".")}
    return sorted(new - existing)


def proposal_requirement(ctx: GateContext) -> Requirement | None:
    """`proposal.required`, or None when the policy names no changes that need a proposal."""
    rule = ctx.policy.pull_requests.needs_proposal
    if rule is None:
        return None
    triggers: list[str] = []
    if rule.paths:
        rx = glob_regex(rule.paths)
        touched = [p for p in _paths(ctx) if rx.match(p)]
        if touched:
            triggers.append(f"touches {listed(touched, 5, ', ')}")
    labels = sorted(set(rule.labels) & ctx.labels)
    if labels:
        triggers.append(f"has label {', '.join(labels)}")
    folders = _new_top_folders(ctx) if rule.new_component else []
    if folders:
        triggers.append(f"adds new component folder(s) {', '.join(folders)}")
    globs, template = _globs(ctx.policy, rule.process, ProposalProcess, "docs/proposals/*.md")
    details: dict[str, Any] = {"triggers": triggers}
    if not triggers:
        what = [f"touches none of {', '.join(rule.paths)}" if rule.paths else "",
                f"has none of the labels {', '.join(rule.labels)}" if rule.labels else "",
                "adds no new top-level folder" if rule.new_component else ""]
        return Requirement("proposal.required", True,
                           "no proposal needed: the pull request "
                           + ", ".join(w for w in what if w), rule.source, details=details)
    in_pr, linked, bad = _document(ctx, globs, template, "Proposal")
    details.update(proposal_files=in_pr, linked=linked, not_found=bad)
    why = "; ".join(triggers)
    if in_pr or linked:
        how = (f"it carries its proposal {', '.join(in_pr)}" if in_pr
               else f"it links the approved proposal {', '.join(linked)}")
        return Requirement("proposal.required", True, f"needs a proposal ({why}): {how}",
                           rule.source, details=details)
    message = (f"needs an approved proposal ({why}): add one under {', '.join(globs)} in this "
               f"pull request, or link a merged one with a commit trailer "
               f"`Proposal: {globs[0].replace('*', 'NAME')}`")
    if bad:
        message += f"; not a proposal merged into the base: {', '.join(bad)}"
    return Requirement("proposal.required", False, message, rule.source, details=details)


# ----------------------------------------------------------------------------- RFC request


def _texts(ctx: GateContext, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Text of each (rev, path) that exists and is UTF-8, read in one batch."""
    return ctx.read.texts(list(wanted))


def _before_after(ctx: GateContext, keep: Any) -> list[tuple[str | None, str | None, str]]:
    """(old text, new text, path) for each changed file KEEP accepts (by its new or old path)."""
    pairs = [(c.old_path or c.path if c.status != "A" else None,
              c.path if c.status != "D" else None, c.path)
             for c in ctx.changes if keep(c.path) or (c.old_path and keep(c.old_path))]
    texts = _texts(ctx, [*((ctx.fork, old) for old, _, _ in pairs if old),
                         *((ctx.head, new) for _, new, _ in pairs if new)])
    return [(texts.get((ctx.fork, old)) if old else None,
             texts.get((ctx.head, new)) if new else None, path) for old, new, path in pairs]


def _flag_names(path: str, text: str | None, marker: str) -> set[str]:
    from charter.checks.flags.experimental import FlagSyntaxError, find_flags

    if text is None:
        return set()
    try:
        return {f.name for f in find_flags(path, text, marker=marker) if f.name_known}
    except FlagSyntaxError:
        return set()


def _config_keys(path: str, text: str | None) -> set[str]:
    if text is None:
        return set()
    try:
        if path.endswith(".json"):
            data = json.loads(text)
        elif path.endswith(".toml"):
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return set()  # a file that does not parse adds no option we can name
    return set(_flatten(data, ""))


def _flatten(node: Any, prefix: str) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            yield name
            yield from _flatten(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from _flatten(item, prefix + "[]")


def _is_config(path: str) -> bool:
    return path.endswith(CONFIG_SUFFIXES) and "config" in path.lower()


def _public_module(path: str) -> bool:
    parts = path.split("/")
    if not path.endswith(".py") or any(p in ("tests", "test") for p in parts[:-1]):
        return False
    name = parts[-1]
    return not (name.startswith("test_") or name.endswith("_test.py")) and not any(
        p.startswith("_") for p in [*parts[:-1], name.removesuffix(".py")]
        if p != "__init__")


def _substantial(ctx: GateContext, triggers: tuple[str, ...]) -> list[str]:
    reasons: list[str] = []
    if "config-options" in triggers or "feature-removal" in triggers:
        marker = (ctx.policy.pull_requests.experimental.marker
                  if ctx.policy.pull_requests.experimental else "experimental")
        old_names: set[str] = set()
        new_names: set[str] = set()
        for old, new, path in _before_after(ctx, lambda p: p.endswith((".py", ".go"))):
            old_names |= _flag_names(path, old, marker)
            new_names |= _flag_names(path, new, marker)
        if "config-options" in triggers:
            added = sorted(new_names - old_names)
            if added:
                reasons.append(f"adds flag(s) {listed(added, 5, ', ')}")
            for old, new, path in _before_after(ctx, _is_config):
                keys = sorted(_config_keys(path, new) - _config_keys(path, old))
                if keys:
                    reasons.append(f"adds configuration key(s) {listed(keys, 5, ', ')} "
                                   f"in {path}")
        if "feature-removal" in triggers:
            removed = sorted(old_names - new_names)
            if removed:
                reasons.append(f"removes flag(s) {listed(removed, 5, ', ')}")
            modules = [c.path for c in ctx.changes if c.status == "D" and _public_module(c.path)]
            if modules:
                reasons.append(f"deletes public module(s) {listed(modules, 5, ', ')}")
            api = ctx.policy.pull_requests.api
            for spec, outcome in _api_outcomes(ctx, api) if api else []:
                if isinstance(outcome, str):
                    if outcome == "deleted":
                        reasons.append(f"deletes the API spec {spec}")
                    continue
                ops = sorted({c.operation for c in outcome if c.id in REMOVAL_IDS})
                if ops:
                    reasons.append(f"removes API operation(s) {listed(ops, 5, ', ')} "
                                   f"from {spec}")
    return reasons


def rfc_requirement(ctx: GateContext) -> Requirement | None:
    """`rfc.requested` (advisory), or None when the policy has no RFC request rule."""
    rule = ctx.policy.pull_requests.needs_rfc
    if rule is None:
        return None
    reasons = _substantial(ctx, rule.triggers)
    marking = set(rule.labels) | ({"architecture"} if "architecture" in rule.triggers else set())
    labels = sorted(marking & ctx.labels)
    if labels:
        reasons.append(f"has label {', '.join(labels)}")
    details: dict[str, Any] = {"reasons": reasons}
    if not reasons:
        return Requirement("rfc.requested", True,
                           "not a substantial change: no new configuration option, no removed "
                           "feature, no architecture label", rule.source, "advisory", details)
    why = "; ".join(reasons)
    exempt = sorted(set(rule.exempt_labels) & ctx.labels)
    if exempt:
        return Requirement("rfc.requested", True,
                           f"substantial ({why}) but exempt from an RFC by label "
                           f"{', '.join(exempt)}", rule.source, "advisory", details)
    globs, template = _globs(ctx.policy, rule.process, RfcProcess, "rfcs/*.md")
    in_pr, linked, bad = _document(ctx, globs, template, "RFC")
    details.update(rfc_files=in_pr, linked=linked, not_found=bad)
    if in_pr or linked:
        return Requirement("rfc.requested", True,
                           f"substantial ({why}); the RFC is "
                           f"{', '.join(in_pr or linked)}", rule.source, "advisory", details)
    details["request"] = rule.message or DEFAULT_RFC_REQUEST
    message = f"{rule.message or DEFAULT_RFC_REQUEST} (substantial: {why})"
    if bad:
        message += f"; not an RFC merged into the base: {', '.join(bad)}"
    return Requirement("rfc.requested", False, message, rule.source, "advisory", details)


# ----------------------------------------------------------------------------- flags, API


def flags_requirement(ctx: GateContext) -> Requirement | None:
    """`flags.experimental`: new naming or default-off violations in changed source files."""
    from charter.checks.flags.experimental import FlagRules

    rule = ctx.policy.pull_requests.experimental
    if rule is None:
        return None
    rules = FlagRules(marker=rule.marker, default_off=rule.default_off)
    source = [c for c in ctx.changes if c.status != "D" and c.path.endswith((".py", ".go"))]
    if not source:
        return Requirement("flags.experimental", True, "no Python or Go file changed",
                           rule.source)
    renamed = {c.old_path: c.path for c in source if c.old_path}
    before = ctx.read.flag_findings(ctx.fork, rules, [c.old_path or c.path for c in source])
    known = {(f.rule, renamed.get(f.path or "", f.path), f.message) for f in before}
    after = ctx.read.flag_findings(ctx.head, rules, [c.path for c in source])
    new = [f for f in after if (f.rule, f.path, f.message) not in known]
    errors = [f for f in new if f.severity == "error"]
    details: dict[str, Any] = {"findings": [f.to_json() for f in new]} if new else {}
    if errors:
        return Requirement("flags.experimental", False, listed([_at(f) for f in errors]),
                           rule.source, details=details)
    return Requirement("flags.experimental", True,
                       f"no experimental flag in the {len(source)} changed source file(s) "
                       "breaks the naming or default-off rule", rule.source, details=details)


_TEST_PATH = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.(py|go)$)")


def flag_tests_requirement(ctx: GateContext) -> Requirement | None:
    """`flags.experimental-tests`: each experimental flag the PR adds is named in a test that
    sets it both on and off, as far as a text search can tell (advisory: a heuristic)."""
    from charter.checks.flags.experimental import FlagSyntaxError, find_flags

    rule = ctx.policy.pull_requests.experimental
    if rule is None or not rule.tests_both_states:
        return None
    added: list[str] = []
    for old, new, path in _before_after(ctx, lambda p: p.endswith((".py", ".go"))):
        if new is None:
            continue
        try:
            before = {f.name for f in find_flags(path, old or "", marker=rule.marker)}
            now = [f for f in find_flags(path, new, marker=rule.marker)
                   if f.experimental and f.name_known and f.name not in before]
        except FlagSyntaxError:
            continue
        added += [f.name for f in now]
    if not added:
        return Requirement("flags.experimental-tests", True, "no experimental flag added",
                           rule.source, severity="advisory")
    tests = [e.path for e in ctx.read.files(ctx.head) if _TEST_PATH.search(e.path)]
    texts = _texts(ctx, ((ctx.head, path) for path in tests)).values()
    lacking = [name for name in dict.fromkeys(added) if not _tested_both_ways(name, texts)]
    if lacking:
        return Requirement(
            "flags.experimental-tests", False,
            f"no test found that sets {', '.join(lacking)} both on and off; add tests for both "
            "states (checked: a test file naming the flag with both an on and an off value)",
            rule.source, severity="advisory", details={"flags": lacking})
    return Requirement("flags.experimental-tests", True,
                       f"tests name {', '.join(dict.fromkeys(added))} with both states",
                       rule.source, severity="advisory")


_ON = re.compile(r"\b(true|True|on|enabled?|1)\b")
_OFF = re.compile(r"\b(false|False|off|disabled?|0)\b|--no-")


def _tested_both_ways(name: str, texts: Iterable[str]) -> bool:
    """True when some test text names the flag and holds both an on and an off value."""
    bare = name.lstrip("-")
    forms = {bare, bare.replace("-", "_")}
    for text in texts:
        if any(form in text for form in forms) and _ON.search(text) and _OFF.search(text):
            return True
    return False


def _at(f: Finding) -> str:
    return f"{f.path}:{f.line}: {f.message}" if f.line else f"{f.path}: {f.message}"


def _diff_set(ctx: GateContext, api: ApiRule, old: tuple[str, ...],
              new: tuple[str, ...]) -> Any:
    """The changes across every spec (a list), or "unreadable: SPEC: why"."""
    from charter.apidiff.tiers import tier_rules_from_policy

    try:
        return ctx.read.api_changes(
            {s: f"{ctx.fork}:{s}" for s in old}, {s: f"{ctx.head}:{s}" for s in new},
            tier_rules_from_policy(api))
    except CharterError as err:
        where = (err.file or "").partition(":")[2]
        return f"unreadable: {where}: {err.message}"


def _api_outcomes(ctx: GateContext, api: ApiRule) -> list[tuple[str, Any]]:
    """(spec, its changes or "added" / "deleted" / "absent" / "unreadable: ...") per spec."""
    specs = api.all_specs()
    at_fork = {s for s in specs if ctx.read.blob(ctx.fork, s) is not None}
    at_head = {s for s in specs if ctx.read.blob(ctx.head, s) is not None}
    changes = _diff_set(ctx, api, tuple(s for s in specs if s in at_fork),
                        tuple(s for s in specs if s in at_head)) if at_fork | at_head else ()
    out: list[tuple[str, Any]] = []
    for spec in specs:
        if isinstance(changes, str):
            bad = changes.split(": ", 2)[1] == spec
            out.append((spec, f"unreadable: {changes.split(': ', 2)[2]}" if bad else []))
        elif spec not in at_fork:
            out.append((spec, "added" if spec in at_head else "absent"))
        elif spec not in at_head:
            out.append((spec, "deleted"))
        else:
            out.append((spec, [c for c in changes if c.spec == spec]))
    return out


def _breaking_by_spec(ctx: GateContext, api: ApiRule) -> list[Any]:
    specs = api.all_specs()
    old = tuple(s for s in specs if ctx.read.blob(ctx.fork, s) is not None)
    new = tuple(s for s in specs if ctx.read.blob(ctx.head, s) is not None)
    found = _diff_set(ctx, api, old, new) if old or new else ()
    return [] if isinstance(found, str) else [c for c in found if c.breaking]


def _head_warnings(ctx: GateContext, api: ApiRule) -> list[dict[str, Any]]:
    """The warnings about the specs as the pull request leaves them, by spec file."""
    from charter.apidiff.tiers import tier_rules_from_policy

    specs = api.all_specs()
    old = {s: f"{ctx.fork}:{s}" for s in specs if ctx.read.blob(ctx.fork, s) is not None}
    new = {s: f"{ctx.head}:{s}" for s in specs if ctx.read.blob(ctx.head, s) is not None}
    if not old and not new:
        return []
    try:
        found = ctx.read.api_warnings(old, new, tier_rules_from_policy(api))
    except CharterError:
        return []  # an unreadable spec is already a problem of the requirement
    prefix = f"{ctx.head}:"
    return [{**w.to_json(), "spec": w.spec[len(prefix):]} for w in found
            if w.spec.startswith(prefix)]


def api_requirement(ctx: GateContext) -> Requirement | None:
    """`api.breaking`: no breaking change to a stable operation or CLI flag."""
    from charter.apidiff.tiers import flags_included

    api = ctx.policy.pull_requests.api
    if api is None:
        return None
    specs = api.all_specs()
    with_flags = flags_included(api)
    if not specs and not with_flags:
        return Requirement("api.breaking", True, "no OpenAPI spec is listed under "
                           "pull_requests.api.specs, so no API was compared", api.source)
    problems: list[str] = []
    breaking: list[dict[str, Any]] = []
    notes: list[str] = []
    moved_breaks = _breaking_by_spec(ctx, api) if specs else []
    for spec, outcome in _api_outcomes(ctx, api):
        if outcome == "deleted":
            if any(c.spec == spec and c.tier == "stable" for c in moved_breaks):
                problems.append(f"{spec} is deleted, removing the stable operations it "
                                "describes that moved nowhere")
            else:
                notes.append(f"{spec} is deleted; its operations moved or were not stable")
        elif outcome == "added":
            notes.append(f"{spec} is new")
        elif isinstance(outcome, str) and outcome.startswith("unreadable"):
            problems.append(f"{spec} cannot be compared ({outcome})")
    for change in moved_breaks:
        if change.tier == "stable":
            breaking.append(change.to_json())
            problems.append(f"{change.spec}: {change.operation}: {change.message}")
    if with_flags:
        marker = (ctx.policy.pull_requests.experimental.marker
                  if ctx.policy.pull_requests.experimental else "experimental")
        for change in ctx.read.flag_changes(ctx.fork, ctx.head, marker):
            if change.breaking and change.tier == "stable":
                breaking.append(change.to_json())
                problems.append(f"{change.location}: flag {change.operation}: {change.message}")
    details: dict[str, Any] = {"breaking": breaking} if breaking else {}
    warnings = _head_warnings(ctx, api) if specs else []
    if warnings:
        details["warnings"] = warnings
        notes.append(f"{len(warnings)} warning(s) about the specs, listed in the details")
    if problems and api.breaking == "forbidden":
        return Requirement("api.breaking", False, listed(problems), api.source, details=details)
    compared = ([f"no breaking change to a stable operation in {', '.join(specs)}"] if specs
                else ["no OpenAPI spec is listed under pull_requests.api.specs, so no API "
                      "was compared"])
    if with_flags:
        compared.append("no stable CLI flag removed or changed")
    message = ("; ".join(compared) if not problems else
               f"breaking changes are allowed by the policy: {listed(problems)}")
    if notes:
        message += f" ({'; '.join(notes)})"
    return Requirement("api.breaking", True, message, api.source, details=details)
