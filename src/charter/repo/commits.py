"""The `commits` check: title length, a body that says why, Conventional Commits, merge commits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from charter.repo.findings import Finding, Severity
from charter.repo.history import Commit

__all__ = ["CONVENTIONAL_TYPES", "CommitRules", "check_commits", "has_body"]

CHECK = "commits"

# The types Conventional Commits 1.0 names (from the Angular convention it builds on).
CONVENTIONAL_TYPES = ("feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci",
                      "chore", "revert")

# `type(scope)!: description`: a noun, an optional parenthesised scope, an optional `!`, then a
# colon, one space and the description straight after it.
_HEADER = re.compile(r"(?P<type>[A-Za-z][A-Za-z0-9-]*)(?:\((?P<scope>[^()\s][^()]*)\))?"
                     r"(?P<bang>!)?: (?P<desc>\S.*)")
_TYPE_PREFIX = re.compile(r"(?P<type>[A-Za-z][A-Za-z0-9-]*)(?:\([^()]*\))?!?:")
# A git trailer (`Token: value`) and its indented continuation lines.
_TRAILER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*:[ \t]*\S.*")
_CONTINUATION = re.compile(r"[ \t]+\S.*")
_BREAKING = re.compile(r"^(breaking[ -]change):", re.I | re.M)
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True, slots=True)
class CommitRules:
    """Commit style from the policy; `conventional`: True (standard types) or the allowed types."""

    title_max: int = 72
    body: Literal["required", "recommended", "optional"] = "recommended"
    conventional: bool | tuple[str, ...] = False
    merges: Literal["forbidden", "allowed"] = "allowed"


def has_body(message: str) -> bool:
    """True when MESSAGE has text after its title other than trailers such as `Signed-off-by:`."""
    cut = message.find("\n")
    if cut < 0:
        return False
    rest = message[cut + 1:].strip()
    if not rest:
        return False
    return not all(_is_trailers(p) for p in _PARAGRAPHS.split(rest))


def _is_trailers(paragraph: str) -> bool:
    """Only whole paragraphs of `Token: value` lines (and their indented continuations) count."""
    first, *others = paragraph.split("\n")
    return bool(_TRAILER.fullmatch(first)) and all(
        _TRAILER.fullmatch(line) or _CONTINUATION.fullmatch(line) for line in others)


def check_commits(commits: Iterable[Commit], rules: CommitRules) -> Iterator[Finding]:
    """Yield a finding for each way a commit breaks the commit-style RULES.

    Merge commits are only judged as merges: their titles are written by git or the forge.
    """
    if rules.conventional is True:
        allowed: frozenset[str] | None = frozenset(CONVENTIONAL_TYPES)
    elif rules.conventional:
        allowed = frozenset(t.lower() for t in rules.conventional)
    else:
        allowed = None
    title_max = rules.title_max
    body_rule = rules.body
    forbid_merges = rules.merges == "forbidden"
    for commit in commits:
        if len(commit.parents) > 1:
            if forbid_merges:
                yield _finding(commit, "commits.merge-commit",
                               "merge commits are not allowed; rebase the branch onto its "
                               "target instead (`git rebase <target>`) and force-push")
            continue
        message = commit.message
        cut = message.find("\n")
        title = (message if cut < 0 else message[:cut]).rstrip()
        if not title.strip():
            yield _finding(commit, "commits.title-empty",
                           "the first line of the message is empty; write a short title "
                           "there with `git commit --amend` (last commit) or `git rebase -i`")
            continue
        if len(title) > title_max:
            yield _finding(commit, "commits.title-too-long",
                           f"the title is {len(title)} characters, the limit is {title_max}; "
                           "shorten it with `git commit --amend` (last commit) or "
                           "`git rebase -i` with `reword`")
        if body_rule != "optional" and not has_body(message):
            required = body_rule == "required"
            yield _finding(commit, "commits.body-missing",
                           "the message has no body; after a blank line, say why the change "
                           "is needed (`git commit --amend` or `git rebase -i` with `reword`)",
                           "error" if required else "warning")
        if allowed is not None:
            yield from _conventional(commit, title, message, cut, allowed)


def _conventional(commit: Commit, title: str, message: str, cut: int,
                  allowed: frozenset[str]) -> Iterator[Finding]:
    kinds = ", ".join(sorted(allowed))
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
    # The specification asks for exactly one blank line between the header and the body.
    if cut >= 0 and message[cut + 1:].split("\n", 1)[0].strip():
        yield _finding(commit, "commits.not-conventional",
                       "the line after the header must be blank before the body starts; "
                       "reword with `git commit --amend` or `git rebase -i`")
    for match in _BREAKING.finditer(message):
        if match.group(1) not in ("BREAKING CHANGE", "BREAKING-CHANGE"):
            yield _finding(commit, "commits.not-conventional",
                           f"the footer key {match.group(1)!r} must be written in upper case "
                           "as `BREAKING CHANGE:`")


def _finding(commit: Commit, rule: str, what: str, severity: Severity = "error") -> Finding:
    return Finding(check=CHECK, rule=rule, severity=severity, commit=commit.sha,
                   message=f"commit {commit.sha[:12]}: {what}.")
