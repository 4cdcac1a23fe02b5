"""The gate's shared types: a requirement and the verdict, the inputs, and the facts of one PR."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from charter.apidiff.compare import ApiChange, TierRules
from charter.apidiff.spec_warnings import SpecWarning
from charter.checks.config import CheckConfig
from charter.checks.findings import Finding
from charter.checks.flags.experimental import FlagRules
from charter.checks.owners.repo_owners import RepoOwners
from charter.errors import CharterError
from charter.git.history import Commit
from charter.git.objects import TreeEntry
from charter.policy.schema import Policy, Sourced

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


class Reader(Protocol):
    """What the requirements may read from the repository; `gate.facts.GitReader` reads it
    through git, once per question, so the requirements themselves do no I/O."""

    def blob(self, rev: str, path: str) -> bytes | None:
        """PATH at REV, or None when it does not exist there."""

    def texts(self, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The UTF-8 text of each (rev, path) that exists and decodes."""

    def files(self, rev: str) -> list[TreeEntry]:
        """Every file of REV's tree."""

    def top_folders(self, rev: str) -> set[str]:
        """The names at the root of REV's tree."""

    def tree(self, rev: str) -> str | None:
        """REV's tree id, or None when REV is unknown."""

    def changed(self, old: str, new: str) -> list[FileChange]:
        """What changed from OLD to NEW, renames detected."""

    def owners(self, rev: str) -> RepoOwners:
        """OWNERS, OWNERS_ALIASES and CODEOWNERS as committed at REV."""

    def flag_findings(self, rev: str, rules: FlagRules, paths: Sequence[str]) -> list[Finding]:
        """The flags check on PATHS at REV."""

    def flag_changes(self, old: str, new: str, marker: str) -> list[ApiChange]:
        """CLI flags removed, added or changed from OLD to NEW."""

    def api_changes(self, old: Mapping[str, str], new: Mapping[str, str],
                    tiers: TierRules) -> list[ApiChange]:
        """Every change across the specs (name -> `REV:path`) compared as one API."""

    def api_warnings(self, old: Mapping[str, str], new: Mapping[str, str],
                     tiers: TierRules) -> list[SpecWarning]:
        """Problems in those specs that did not prevent the comparison."""


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
    config: CheckConfig  # the policy's commit rules, `since:` resolved against the repository
    read: Reader

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


def listed(items: Sequence[str], limit: int = MESSAGE_ITEMS, sep: str = "; ") -> str:
    """ITEMS joined, the tail summarised as "and N more" past LIMIT."""
    shown = sep.join(items[:limit])
    return shown + (f"{sep}and {len(items) - limit} more" if len(items) > limit else "")


def _source(rule: Sourced | None) -> str | None:
    return None if rule is None else rule.source


def source_of(rule: Sourced | None) -> str | None:
    """The charter sentence a rule encodes, if the rule is set."""
    return None if rule is None else rule.source


def from_findings(rule: str, findings: list[Finding], source: str | None, ok: str) -> Requirement:
    """A requirement met unless FINDINGS has errors; warnings are kept as notes."""
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
