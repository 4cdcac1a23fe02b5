"""GitHub CODEOWNERS: which file GitHub reads, how it parses a line, and who owns a path.

GitHub's rules ("About code owners"): the first of `.github/CODEOWNERS`, `CODEOWNERS`,
`docs/CODEOWNERS` is used; a file of 3 MB or more is not loaded; patterns follow gitignore except
that `!` negation, `[ ]` ranges and a `\\#` escape do not work (`codeowners_patterns`); a line
with invalid syntax is skipped; the last matching line wins and a matching line without owners
clears ownership. A line that is not UTF-8 text is reported and skipped: GitHub reads the file as
text and gives such bytes no meaning in a pattern or an owner.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from charter.checks.findings import Finding
from charter.checks.owners.codeowners_patterns import (
    CodeownersPattern,
    PatternError,
    compile_pattern,
)
from charter.errors import excerpt

LOCATIONS: tuple[str, ...] = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
#: "CODEOWNERS files must be under 3 MB in size. A CODEOWNERS file over this limit will not be
#: loaded" (About code owners).
MAX_BYTES = 3 * 1024 * 1024

# GitHub accepts @user, @org/team and an e-mail address; anything else makes the line invalid.
_USER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})")
_TEAM = re.compile(r"@[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A run of non-space characters where "\ " (escaped space) does not end the run.
_TOKEN = re.compile(r"(?:\\.|\S)+")
# Bytes that are not UTF-8, as the loader's surrogateescape decoding keeps them.
_UNDECODED = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class CodeownersRule:
    """One valid line: its pattern, its owners in the order written, and where it is."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    compiled: CodeownersPattern

    @property
    def regex(self) -> re.Pattern[str]:
        """The regex that fully matches the paths this line owns."""
        return self.compiled.regex


@dataclass(frozen=True, slots=True)
class CodeownersFile:
    """The CODEOWNERS file GitHub uses, with the lines it honours and the ones it skips."""

    path: str
    rules: tuple[CodeownersRule, ...]
    problems: tuple[Finding, ...]
    # A pattern ending in "/" owns a path exactly when it owns a file directly in the path's
    # folder, so its verdict is computed once per folder; only the other rules are tried on
    # each path.
    _by_folder: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def _last_folder_rule(self, folder: str) -> int:
        if not folder:
            return -1
        found = self._by_folder.get(folder)
        if found is None:
            target = folder + "/"
            found = next((i for i in range(len(self.rules) - 1, -1, -1)
                          if self.rules[i].compiled.dir_only
                          and self.rules[i].compiled.regex.match(target)), -1)
            self._by_folder[folder] = found
        return found

    def match(self, path: str) -> CodeownersRule | None:
        """The last rule matching PATH (the one GitHub applies), or None."""
        floor = self._last_folder_rule(path.rpartition("/")[0])
        for i in range(len(self.rules) - 1, floor, -1):
            rule = self.rules[i]
            if not rule.compiled.dir_only and rule.compiled.owns(path):
                return rule
        return self.rules[floor] if floor >= 0 else None

    def owners_of(self, path: str) -> tuple[str, ...]:
        """Owners of PATH: empty when no line matches or the matching line names nobody."""
        rule = self.match(path)
        return rule.owners if rule else ()


def too_large(path: str, size: int) -> Finding:
    """The finding for a CODEOWNERS file of SIZE bytes, which GitHub does not load."""
    return Finding(check="owners", rule="codeowners.too-large", path=path, line=None,
                   message=f"is {size} bytes; GitHub does not load a CODEOWNERS file of 3 MB or "
                   "more, so nobody is requested as code owner; use wildcard patterns to make "
                   "it smaller")


def _owner_ok(owner: str) -> bool:
    return any(rx.fullmatch(owner) for rx in (_TEAM, _USER, _EMAIL))


def parse_codeowners(path: str, text: str) -> CodeownersFile:
    """Parse one CODEOWNERS file as GitHub does: invalid lines are skipped and reported."""
    rules: list[CodeownersRule] = []
    problems: list[Finding] = []

    def problem(rule: str, line: int | None, message: str) -> None:
        problems.append(Finding(check="owners", rule=rule, path=path, line=line,
                                message=message))

    size = len(text.encode("utf-8", "surrogateescape"))
    if size >= MAX_BYTES:
        return CodeownersFile(path, (), (too_large(path, size),))

    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        undecoded = _UNDECODED.search(stripped)
        if undecoded:
            problem("codeowners.encoding", number,
                    f"the line is not valid UTF-8 (byte 0x{ord(undecoded.group()) - 0xdc00:02x}) "
                    "and names no path or owner GitHub can read; it is skipped like an invalid "
                    "line; save the file as UTF-8")
            continue
        tokens = _TOKEN.findall(stripped)
        pattern, rest = tokens[0], tokens[1:]
        owners: list[str] = []
        for token in rest:
            if token.startswith("#"):  # an inline comment runs to the end of the line
                break
            owners.append(token)
        try:
            compiled = compile_pattern(pattern)
        except PatternError as err:
            problem("codeowners.pattern-invalid", number,
                    f"pattern {excerpt(pattern)}: {err}; GitHub skips this line")
            continue
        bad = [owner for owner in owners if not _owner_ok(owner)]
        if bad:
            problem("codeowners.owner-invalid", number,
                    f"owner {excerpt(bad[0])} is not @user, @org/team or an e-mail address; GitHub "
                    "skips this line")
            continue
        rules.append(CodeownersRule(pattern, tuple(owners), number, compiled))
    return CodeownersFile(path, tuple(rules), tuple(problems))


def pick_codeowners(files: Mapping[str, str]) -> CodeownersFile | None:
    """The CODEOWNERS GitHub uses among FILES (path -> text), or None when there is none."""
    for location in LOCATIONS:
        if location in files:
            return parse_codeowners(location, files[location])
    return None


def lint_codeowners(files: Mapping[str, str]) -> list[Finding]:
    """Every CODEOWNERS line GitHub skips, and CODEOWNERS files GitHub never reads."""
    present = [location for location in LOCATIONS if location in files]
    if not present:
        return []
    used = parse_codeowners(present[0], files[present[0]])
    findings = list(used.problems)
    for ignored in present[1:]:
        findings.append(Finding(
            check="owners", rule="codeowners.file-ignored", path=ignored, line=None,
            message=f"GitHub ignores this file because {present[0]} exists; "
                    f"merge its lines into {present[0]} and delete it"))
    return findings
