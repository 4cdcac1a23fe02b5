"""The `commits` check: title length, a body that says why, Conventional Commits, merge commits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from charter.checks.findings import Finding, Severity
from charter.checks.since import Since
from charter.git.history import Commit

__all__ = ["CONVENTIONAL_TYPES", "CommitChecker", "CommitRules", "check_commits", "commit_checker",
           "has_body"]

CHECK = "commits"

# The types Conventional Commits 1.0 names (from the Angular convention it builds on).
CONVENTIONAL_TYPES = ("feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci",
                      "chore", "revert")

# `type(scope)!: description`: a noun, an optional parenthesised scope, an optional `!`, then a
# colon, one space and the description straight after it.
_HEADER = re.compile(r"(?P<type>[A-Za-z][A-Za-z0-9-]*)(?:\((?P<scope>[^()\s][^()]*)\))?"
                     r"(?P<bang>!)?: (?P<desc>\S.*)")
_TYPE_PREFIX = re.compile(r"(?P<type>[A-Za-z][A-Za-z0-9-]*)(?:\([^()]*\))?!?:")
# A message without a body: the title, then nothing but paragraphs of git trailers
# (`Token: value` lines and their indented continuations) and blank lines. One possessive
# regex, because this runs on every commit.
_TOKEN_LINE = r"[A-Za-z0-9][A-Za-z0-9-]*+:[ \t]++\S[^\n]*+"  # `https://...` stays prose
_TRAILERS = rf"{_TOKEN_LINE}(?:\n(?:{_TOKEN_LINE}|[ \t]++\S[^\n]*+))*+"
_NO_BODY = re.compile(rf"[^\n]*+(?:\n\s*+{_TRAILERS}(?:\n(?:[ \t\r]*+\n)++{_TRAILERS})*+)?\s*+")
_BREAKING = re.compile(r"^(breaking[ -]change):", re.I | re.M)


@dataclass(frozen=True, slots=True)
class CommitRules:
    """Commit style from the policy; `conventional`: True (standard types) or the allowed types."""

    title_max: int = 72
    body: Literal["required", "recommended", "optional"] = "recommended"
    conventional: bool | tuple[str, ...] = False
    merges: Literal["forbidden", "allowed"] = "allowed"
    since: Since | None = None


def has_body(message: str) -> bool:
    """True when MESSAGE has text after its title other than trailers such as `Signed-off-by:`."""
    return _NO_BODY.fullmatch(message) is None


CommitChecker = Callable[[Commit], list[Finding]]
_NONE: list[Finding] = []


def commit_checker(rules: CommitRules) -> CommitChecker:
    """A function giving one commit's findings, for callers that run several checks in one pass."""
    if rules.conventional is True:
        allowed: frozenset[str] | None = frozenset(CONVENTIONAL_TYPES)
    elif rules.conventional:
        allowed = frozenset(t.lower() for t in rules.conventional)
    else:
        allowed = None
    kinds = ", ".join(sorted(allowed or ()))
    title_max = rules.title_max
    body_severity: Severity | None = None
    if rules.body != "optional":
        body_severity = "error" if rules.body == "required" else "warning"
    forbid_merges = rules.merges == "forbidden"
    header_match = _HEADER.fullmatch
    no_body = _NO_BODY.fullmatch

    since = rules.since

    def check(commit: Commit) -> list[Finding]:
        if since is not None and not since.applies(commit):
            return _NONE
        if len(commit.parents) > 1:
            # Merge titles are written by git or the forge, so only the merge itself is judged.
            if forbid_merges:
                return [_finding(commit, "commits.merge-commit",
                                 "merge commits are not allowed; rebase the branch onto its "
                                 "target instead (`git rebase <target>`) and force-push")]
            return _NONE
        message = commit.message
        cut = message.find("\n")
        title = (message if cut < 0 else message[:cut]).rstrip()
        if not title:
            return [_finding(commit, "commits.title-empty",
                             "the first line of the message is empty; write a short title "
                             "there with `git commit --amend` (last commit) or `git rebase -i`")]
        found = _NONE
        if len(title) > title_max:
            found = [_finding(commit, "commits.title-too-long",
                              f"the title is {len(title)} characters, the limit is "
                              f"{title_max}; shorten it with `git commit --amend` (last "
                              "commit) or `git rebase -i` with `reword`")]
        if body_severity is not None and no_body(message):
            found = [*found, _finding(
                commit, "commits.body-missing",
                "the message has no body; after a blank line, say why the change is needed "
                "(`git commit --amend` or `git rebase -i` with `reword`)", body_severity)]
        if allowed is not None:
            header = header_match(title)
            if header is None or header.group("type").lower() not in allowed or (
                    cut >= 0 and message[cut + 1:cut + 2] not in ("", "\n")) or (
                    "breaking" in message.lower()):
                found = [*found, *_conventional(commit, title, message, cut, allowed, kinds)]
        return found

    return check


def check_commits(commits: Iterable[Commit], rules: CommitRules) -> Iterator[Finding]:
    """Yield a finding for each way a commit breaks the commit-style RULES.

    Merge commits are only judged as merges: their titles are written by git or the forge.
    """
    check = commit_checker(rules)
    for commit in commits:
        found = check(commit)
        if found:
            yield from found


def _conventional(commit: Commit, title: str, message: str, cut: int,
                  allowed: frozenset[str], kinds: str) -> Iterator[Finding]:
    """The slow path: say exactly what is wrong with a header that failed the quick test."""
    header = _HEADER.fullmatch(title)
    if header is None:
        prefix = _TYPE_PREFIX.match(title)
        hint = ("the description must follow `: ` directly" if prefix else
                "it must read `type(scope)!: description`, with scope and `!` optional")
        yield _finding(commit, "commits.not-conventional",
                       f"the title {title!r} is not a Conventional Commits header: {hint} "
                       f"(types: {kinds}); reword it with `git commit --amend` or "
                       "`git rebase -i`")
        return
    kind = header.group("type")
    if kind.lower() not in allowed:
        yield _finding(commit, "commits.conventional-type",
                       f"the type {kind!r} is not one of the allowed types ({kinds}); reword "
                       "the title with `git commit --amend` or `git rebase -i`")
    # The specification asks for a blank line between the header and the body.
    if cut >= 0 and message[cut + 1:].split("\n", 1)[0].strip():
        yield _finding(commit, "commits.not-conventional",
                       "the line after the header must be blank before the body starts; "
                       "reword with `git commit --amend` or `git rebase -i`")
    for match in _BREAKING.finditer(message, cut + 1 if cut >= 0 else len(message)):
        if match.group(1) not in ("BREAKING CHANGE", "BREAKING-CHANGE"):
            yield _finding(commit, "commits.not-conventional",
                           f"the footer key {match.group(1)!r} must be written in upper case "
                           "as `BREAKING CHANGE:`")


def _finding(commit: Commit, rule: str, what: str, severity: Severity = "error") -> Finding:
    return Finding(check=CHECK, rule=rule, severity=severity, commit=commit.sha,
                   message=f"commit {commit.sha[:12]}: {what}.")
