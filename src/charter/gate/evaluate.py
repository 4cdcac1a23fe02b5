"""`charter gate`: one pull request against the policy, as the service judges it on every event.

The pull request is BASE (its target) and HEAD (its tip). Its commits are merge-base..HEAD and its
changed files are those of `git diff -M merge-base HEAD`. Ownership files and the policy are read
from BASE, never from HEAD, so a pull request cannot pick its own approvers or rules.

Each requirement has a stable `rule` id, a `met` verdict, a message saying what is missing and
from whom, and the charter sentence it encodes (`source`). A requirement is `blocking` or
`advisory`; the pull request is mergeable when every blocking requirement is met. The rules:

- `dco`, `commits`: sign-off and commit style of the pull request's commits;
- `approval.owners`: see `gate_approval`;
- `checks.required`: each required check reported as passing (`success`, `neutral`, `skipped`,
  which GitHub also accepts for required checks); a check not reported is "not reported yet";
- `hold`: no hold label is set;
- `proposal.required`, `rfc.requested` (advisory), `flags.experimental`, `api.breaking`: see
  `gate_content`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from charter.checks.findings import Finding
from charter.errors import CharterError
from charter.git.command import ensure_repo, resolve_rev, run_git
from charter.git.history import Commit, iter_commits
from charter.git.objects import read_blob
from charter.policy.schema import Policy, Sourced

__all__ = ["CHECK_STATES", "Approval", "FileChange", "GateContext", "GateResult", "Requirement",
           "changed_files", "default_policy", "evaluate_gate", "parse_approval", "parse_check",
           "policy_at"]

Severity = Literal["blocking", "advisory"]

#: GitHub's check conclusions and statuses, by what they mean for a required check.
PASSING_STATES = frozenset({"success", "neutral", "skipped"})
FAILING_STATES = frozenset({"failure", "error", "cancelled", "timed_out", "action_required",
                            "stale", "startup_failure"})
PENDING_STATES = frozenset({"pending", "queued", "in_progress", "expected", "waiting",
                            "requested"})
CHECK_STATES = PASSING_STATES | FAILING_STATES | PENDING_STATES

#: How many items a message names before it says "and N more" (details keep them all).
MESSAGE_ITEMS = 10


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement of the policy and whether the pull request meets it."""

    rule: str
    met: bool
    message: str
    source: str | None = None
    severity: Severity = "blocking"
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return not self.met and self.severity == "blocking"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.rule, "met": self.met, "message": self.message,
                                "severity": self.severity, "source": self.source}
        if self.details:
            data["details"] = dict(self.details)
        return data


@dataclass(frozen=True, slots=True)
class GateResult:
    """The verdict: mergeable when every blocking requirement is met."""

    requirements: tuple[Requirement, ...]
    base: str
    head: str
    merge_base: str

    @property
    def mergeable(self) -> bool:
        return not any(r.blocks for r in self.requirements)

    def to_json(self) -> dict[str, Any]:
        return {"mergeable": self.mergeable,
                "requirements": [r.to_json() for r in self.requirements]}


@dataclass(frozen=True, slots=True)
class Approval:
    """An `/approve` by LOGIN, given on the head or when the head was AT (a revision)."""

    login: str
    at: str | None = None

    def __str__(self) -> str:
        return self.login if self.at is None else f"{self.login}@{self.at}"


@dataclass(frozen=True, slots=True)
class FileChange:
    """One entry of `git diff --name-status -M`: A, M, D, T, R (with old_path) or C."""

    status: str
    path: str
    old_path: str | None = None


@dataclass(frozen=True)
class GateContext:
    """Everything the requirement builders read: the repository, revisions, inputs, policy."""

    repo: Path
    base: str
    head: str
    fork: str
    author: str | None
    approvals: tuple[Approval, ...]
    checks: Mapping[str, str]
    labels: frozenset[str]
    policy: Policy
    changes: tuple[FileChange, ...]
    commits: tuple[Commit, ...]

    @property
    def new_paths(self) -> list[str]:
        """Paths that exist at HEAD and differ from the merge base."""
        return [c.path for c in self.changes if c.status != "D"]


_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?")


def parse_approval(text: str) -> Approval:
    """`alice` or `alice@REV` (a leading `@` is allowed, as in `@alice`); logins are lowercased."""
    raw = text.strip().removeprefix("@")
    login, sep, rev = raw.partition("@")
    if not _LOGIN.fullmatch(login) or (sep and not rev.strip()):
        raise CharterError(f"--approved-by {text!r}: expected LOGIN or LOGIN@REV "
                           "(for example alice or alice@1a2b3c4)")
    return Approval(login.lower(), rev.strip() if sep else None)


def parse_check(text: str) -> tuple[str, str]:
    """`NAME=STATE`, STATE one of GitHub's check conclusions or statuses (case-insensitive)."""
    name, sep, state = text.partition("=")
    name, state = name.strip(), state.strip().lower()
    if not sep or not name or not state:
        raise CharterError(f"--check {text!r}: expected NAME=STATE (for example build=success)")
    if state not in CHECK_STATES:
        raise CharterError(f"--check {text!r}: unknown state {state!r}; use one of "
                           f"{', '.join(sorted(CHECK_STATES))}")
    return name, state


def default_policy() -> Policy:
    """What a repository without a policy gets: DCO, commit style and approval through OWNERS."""
    return Policy.model_validate({
        "project": {"name": "built-in defaults"}, "roles": ["maintainer"],
        "pull_requests": {"dco": {}, "commits": {}, "approval": {"owners": "OWNERS"}}})


def policy_at(repo: str | Path, rev: str, name: str = "charter.yaml") -> Policy | None:
    """The policy file NAME as committed at REV (None when REV has none).

    An `extends:` naming another file is read from REV too, never from the working tree.
    """
    import tempfile

    from charter.policy.loader import PRESETS, load_policy
    from charter.yamlio import parse_yaml, plain

    text = read_blob(repo, rev, name)
    if text is None:
        return None
    label = f"{rev[:12]}:{name}"
    node = parse_yaml(_text(text, label), label)
    if not isinstance(node, Mapping):
        raise CharterError("a policy file must be a YAML mapping", file=label)
    with tempfile.TemporaryDirectory(prefix="charter-gate-") as tmp:
        # Copy the chain of extended files out of REV so the loader resolves them there.
        current, data = name, plain(node)
        seen: set[str] = set()
        while isinstance(data, Mapping) and isinstance(data.get("extends"), str) \
                and data["extends"] not in PRESETS:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(current),
                                                       data["extends"]))
            if posixpath.isabs(data["extends"]) or target == ".." or target.startswith("../"):
                # Read from BASE only: a path outside the repository would read this machine.
                raise CharterError(f"extends: {data['extends']!r} is outside the repository; "
                                   "name a preset or a file committed in the repository",
                                   file=f"{rev[:12]}:{current}")
            if target in seen:
                break  # the loader reports the cycle
            seen.add(target)
            blob = read_blob(repo, rev, target)
            if blob is None:
                break
            out = Path(tmp, target)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(blob)
            current, data = target, plain(parse_yaml(_text(blob, target), f"{rev[:12]}:{target}"))
        base_dir = Path(tmp, posixpath.dirname(name))
        return load_policy(node, base_dir=base_dir, file=label).policy


def _text(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CharterError("not UTF-8 text; save the file as UTF-8", file=label) from None


def changed_files(repo: str | Path, old: str, new: str) -> list[FileChange]:
    """What changed from OLD to NEW, renames detected (`git diff --name-status -M -z`)."""
    out = run_git(repo, ["diff", "--name-status", "-M", "-z", "--no-ext-diff", "--no-color",
                         old, new, "--"])
    tokens = [t.decode("utf-8", "surrogateescape") for t in out.split(b"\0")]
    changes: list[FileChange] = []
    i = 0
    while i < len(tokens) and tokens[i]:
        status = tokens[i][0]
        if status in "RC":
            changes.append(FileChange(status, tokens[i + 2], tokens[i + 1]))
            i += 3
        else:
            changes.append(FileChange(status, tokens[i + 1]))
            i += 2
    return changes


def tree_of(repo: str | Path, rev: str) -> str | None:
    """The tree id of REV, or None when REV is unknown."""
    out = run_git(repo, ["rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}"], check=False)
    return out.decode().strip() or None


def listed(items: Sequence[str], limit: int = MESSAGE_ITEMS, sep: str = "; ") -> str:
    """ITEMS joined, the tail summarised as "and N more" past LIMIT."""
    shown = sep.join(items[:limit])
    return shown + (f"{sep}and {len(items) - limit} more" if len(items) > limit else "")


def _source(rule: Sourced | None) -> str | None:
    return None if rule is None else rule.source


# ----------------------------------------------------------------------------- requirements


def _commit_requirements(ctx: GateContext) -> list[Requirement]:
    from charter.checks.suite import config_from_policy

    config = config_from_policy(ctx.policy)
    prs = ctx.policy.pull_requests
    out: list[Requirement] = []
    n = len(ctx.commits)
    if config.dco is not None:
        from charter.checks.dco import check_dco

        found = list(check_dco(ctx.commits, config.dco))
        out.append(_from_findings("dco", found, _source(prs.dco),
                                  f"all {n} commit(s) carry a valid sign-off"))
    if config.commits is not None:
        from charter.checks.commits import commit_checker

        check = commit_checker(config.commits)
        found = [f for commit in ctx.commits for f in check(commit)]
        out.append(_from_findings("commits", found, _source(prs.commits),
                                  f"all {n} commit message(s) follow the commit style"))
    return out


def _from_findings(rule: str, findings: list[Finding], source: str | None,
                   ok: str) -> Requirement:
    errors = [f for f in findings if f.severity == "error"]
    details: dict[str, Any] = {}
    if findings:
        details["findings"] = [f.to_json() for f in findings]
    if errors:
        return Requirement(rule, False, listed([f.message.rstrip(".") for f in errors]),
                           source, details=details)
    warnings = [f.message.rstrip(".") for f in findings]
    return Requirement(rule, True, ok + (f" (notes: {listed(warnings)})" if warnings else ""),
                       source, details=details)


def _checks_requirement(ctx: GateContext) -> Requirement | None:
    rule = ctx.policy.pull_requests.checks
    if rule is None or not rule.required:
        return None
    states: dict[str, str] = {}
    missing: list[str] = []
    for name in rule.required:
        state = ctx.checks.get(name)
        states[name] = state or "missing"
        if state is None:
            missing.append(f"{name}: not reported yet")
        elif state in FAILING_STATES:
            missing.append(f"{name}: {state}, it must pass")
        elif state in PENDING_STATES:
            missing.append(f"{name}: {state}, waiting for it to pass")
    details = {"checks": states}
    if missing:
        return Requirement("checks.required", False, listed(missing), rule.source,
                           details=details)
    return Requirement("checks.required", True,
                       f"required checks pass: {', '.join(rule.required)}", rule.source,
                       details=details)


def _hold_requirement(ctx: GateContext) -> Requirement | None:
    rule = ctx.policy.pull_requests.hold
    if rule is None or not rule.labels:
        return None
    held = sorted(set(rule.labels) & ctx.labels)
    if held:
        return Requirement("hold", False,
                           f"on hold: label {', '.join(held)} is set; remove it to merge",
                           rule.source, details={"labels": held})
    return Requirement("hold", True, f"no hold label ({', '.join(rule.labels)}) is set",
                       rule.source)


def evaluate_gate(repo: str | Path, base: str, head: str, author: str | None,
                  approvals: Iterable[Approval | str], checks: Mapping[str, str] | Iterable[str],
                  labels: Collection[str], policy: Policy | None) -> GateResult:
    """Every requirement POLICY (built-in defaults when None) sets for the pull request."""
    from charter.gate.approval import approval_requirement
    from charter.gate.content import (
        api_requirement,
        flag_tests_requirement,
        flags_requirement,
        proposal_requirement,
        rfc_requirement,
    )

    top = ensure_repo(repo)
    base_sha, head_sha = resolve_rev(top, base), resolve_rev(top, head)
    fork = run_git(top, ["merge-base", base_sha, head_sha], check=False).decode().strip()
    if not fork:
        raise CharterError(f"{base!r} and {head!r} share no history; check --base and --head",
                           file=str(top))
    if isinstance(checks, Mapping):
        check_states = {name: state.lower() for name, state in checks.items()}
    else:
        check_states = dict(parse_check(text) for text in checks)
    ctx = GateContext(
        repo=top, base=base_sha, head=head_sha, fork=fork,
        author=author.strip().removeprefix("@").lower() if author else None,
        approvals=tuple(a if isinstance(a, Approval) else parse_approval(a) for a in approvals),
        checks=check_states, labels=frozenset(labels), policy=policy or default_policy(),
        changes=tuple(changed_files(top, fork, head_sha)),
        commits=tuple(iter_commits(top, f"{fork}..{head_sha}", progress=False)))
    requirements: list[Requirement | None] = [
        *_commit_requirements(ctx),
        approval_requirement(ctx),
        _checks_requirement(ctx),
        _hold_requirement(ctx),
        proposal_requirement(ctx),
        rfc_requirement(ctx),
        flags_requirement(ctx),
        flag_tests_requirement(ctx),
        api_requirement(ctx),
    ]
    return GateResult(tuple(r for r in requirements if r is not None), base_sha, head_sha, fork)
