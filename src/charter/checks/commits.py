"""The `commits` check: title length, a body that says why, Conventional Commits, merge commits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from charter.checks.findings import Finding, Severity, make_finding
from charter.checks.since import Since
from charter.git.history import Commit

__all__ = ["CONVENTIONAL_TYPES", "CommitChecker", "CommitRules", "check_commits", "commit_checker",
           "has_body", "trailer_block"]

CHECK = "commits"

# The types Conventional Commits 1.0 names (from the Angular convention it builds on).
CONVENTIONAL_TYPES = ("feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci",
                      "chore", "revert")

# `type(scope)!: description`: a noun, an optional parenthesised scope, an optional `!`, then a
# colon, one space and the description straight after it.
_HEADER = re.compile(r"(?P<type>[A-Za-z][A-Za-z0-9-]*)(?:\((?P<scope>[^()\s][^()]*)\))?"
                     r"(?P<bang>!)?: (?P<desc>\S.*)")
_TYPE_PREFIX = re.compile(r"(?P<type>[A-Za-z][A-Za-z0-9-]*)(?:\([^()]*\))?!?:")
# Git's trailer block (trailer.c): the last paragraph of the message, after the title's, when
# its lines are all trailers, or when at least a quarter are trailers and one starts the way a
# trailer written by git does. A trailer line is `token: value`, the token letters, digits and
# `-`, optionally followed by spaces; an indented line continues the one above. Git also
# recognises keys from `trailer.*` configuration; Charter reads none, so every machine agrees.
_GIT_GENERATED = ("Signed-off-by: ", "(cherry picked from commit ")
_TRAILER_KEY = re.compile(r"[A-Za-z0-9-]+[ \t]*:")
_SCISSORS = "# ------------------------ >8 ------------------------\n"
_SPACE = " \t\r\n"  # git's isspace()
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
    """True when MESSAGE has text after its title line that is not its trailer block as git
    finds it (`git interpret-trailers`): `Signed-off-by:` and friends are not a body."""
    cut = message.find("\n")
    if cut < 0:
        return False
    last = len(message.rstrip(_SPACE))
    if last <= cut:
        return False
    if _plain(message):
        # Most messages: text above an empty line is above the last paragraph, so never in
        # the block; and git reads up to the last text, so the block runs to it.
        gap = message.rfind("\n\n", cut, last)
        if gap > cut and message[cut + 1:gap].strip(_SPACE):
            return True
        if ":" not in message[cut:last] and "(cherry picked from commit " not in message:
            return True  # text without a single trailer line
        lines = message[:last].split("\n")
        first = _block_start(lines)
        return first is None or bool("".join(lines[1:first]).strip(_SPACE))
    start, end = trailer_block(message)
    return bool(message[cut + 1:start].strip(_SPACE) or message[end:].strip(_SPACE))


def trailer_block(message: str) -> tuple[int, int]:
    """(start, end) of MESSAGE's trailer block as git finds it; start == end when it has none.

    A transcription of git's `trailer.c` and `ignored_log_message_bytes` for a commit message
    (no `---` divider), with its default configuration.
    """
    end = _end_of_log(message, _plain(message))
    read = message[:end]
    lines = read.split("\n")
    if read.endswith("\n"):
        lines.pop()  # git's last line is the one that newline ends
    first = _block_start(lines)
    if first is None:
        return end, end
    return sum(len(line) + 1 for line in lines[:first]), end


def _plain(message: str) -> bool:
    """True when MESSAGE has no comment line and no `Conflicts:` list, as most have."""
    return not message.startswith("#") and "\n#" not in message and \
        "Conflicts:\n" not in message


def _block_start(lines: list[str]) -> int | None:
    """The index of the first line of the trailer block among LINES (what git reads of the
    message, split at newlines), or None when there is no block."""
    # The first paragraph is the title and holds no trailers; comment lines do not end it.
    title_end = -1
    for index, line in enumerate(lines):
        if not line.strip(_SPACE) and not line.startswith("#"):
            title_end = index
            break
    if title_end < 0:
        return None
    only_spaces, recognized = True, False
    trailers = others = continuations = 0
    for index in range(len(lines) - 1, title_end - 1, -1):
        line = lines[index]
        if line.startswith("#"):
            others += continuations
            continuations = 0
        elif not line.strip(_SPACE):
            if only_spaces:
                continue
            others += continuations
            if (recognized and trailers * 3 >= others) or (trailers and not others):
                return index + 1
            return None
        else:
            only_spaces = False
            if line.startswith(_GIT_GENERATED):
                trailers += 1
                continuations = 0
                recognized = True
            elif _TRAILER_KEY.match(line):
                trailers += 1
                continuations = 0
            elif line[0] in _SPACE:
                continuations += 1
            else:
                others += 1 + continuations
                continuations = 0
    return None


def _end_of_log(message: str, plain: bool) -> int:
    """Where git's reading of MESSAGE stops: before a scissors line, and before trailing comment
    lines, empty lines and an old `Conflicts:` list."""
    if plain:
        stripped = len(message.rstrip("\n"))
        return stripped + 1 if stripped + 1 < len(message) else len(message)
    cutoff = len(message)
    if message.startswith(_SCISSORS):
        cutoff = 0
    else:
        found = message.find("\n" + _SCISSORS)
        if found >= 0:
            cutoff = min(cutoff, found + 1)
    run = 0  # git's "start of the trailing run", where 0 also means "none yet"
    conflicts = False
    pos = 0
    while pos < cutoff:
        nl = message.find("\n", pos, cutoff)
        following = cutoff if nl < 0 else nl + 1
        if message[pos] in "#\n":
            run = run or pos
        elif message.startswith("Conflicts:\n", pos):
            conflicts = True
            run = run or pos
        elif conflicts and message[pos] == "\t":
            pass
        elif run:
            run = 0
            conflicts = False
        pos = following
    return run or cutoff


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

    since = rules.since

    def check(commit: Commit) -> list[Finding]:
        if since is not None and not since.applies(commit):
            return _NONE
        if len(commit.parents) > 1:
            # Merge titles are written by git or the forge, so only the merge itself is judged.
            if forbid_merges:
                return [_finding(commit, "commits.merge-commit",
                                 "it is a merge commit, and merge commits are not allowed",
                                 "rebase the branch onto its target instead (`git rebase "
                                 "<target>`) and force-push")]
            return _NONE
        message = commit.message
        cut = message.find("\n")
        title = (message if cut < 0 else message[:cut]).rstrip()
        if not title:
            return [_finding(commit, "commits.title-empty",
                             "the first line of the message is empty",
                             f"write a short title there with {_REWORD}, and force-push")]
        found = _NONE
        if len(title) > title_max:
            found = [_finding(commit, "commits.title-too-long",
                              f"the title is {len(title)} characters, the limit is {title_max}",
                              f"shorten it with {_REWORD}, and force-push")]
        if body_severity is not None and not has_body(message):
            found = [*found, _finding(
                commit, "commits.body-missing", "the message has no body",
                f"after the title and a blank line, say why the change is needed, with "
                f"{_REWORD}", body_severity)]
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
                       f"(types: {kinds})", f"reword it with {_REWORD}, and force-push")
        return
    kind = header.group("type")
    if kind.lower() not in allowed:
        yield _finding(commit, "commits.conventional-type",
                       f"the type {kind!r} is not one of the allowed types ({kinds})",
                       f"reword the title with {_REWORD}, and force-push")
    # The specification asks for a blank line between the header and the body.
    if cut >= 0 and message[cut + 1:].split("\n", 1)[0].strip():
        yield _finding(commit, "commits.not-conventional",
                       "the line after the header must be blank before the body starts",
                       f"insert a blank line there with {_REWORD}, and force-push")
    for match in _BREAKING.finditer(message, cut + 1 if cut >= 0 else len(message)):
        if match.group(1) not in ("BREAKING CHANGE", "BREAKING-CHANGE"):
            yield _finding(commit, "commits.not-conventional",
                           f"the footer key {match.group(1)!r} must be written in upper case",
                           f"write it as `BREAKING CHANGE:` with {_REWORD}, and force-push")


#: How a message is changed, in every fix the check suggests.
_REWORD = "`git commit --amend` (last commit) or `git rebase -i` with `reword` (earlier ones)"


def _finding(commit: Commit, rule: str, what: str, fix: str,
             severity: Severity = "error") -> Finding:
    sha = commit.sha
    return make_finding(CHECK, rule, f"commit {sha[:12]}: {what}. To fix, {fix}.", severity, sha)
