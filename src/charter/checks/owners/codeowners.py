"""GitHub CODEOWNERS: which file GitHub reads, how it parses a line, and who owns a path.

GitHub's rules ("About code owners"): the first of `.github/CODEOWNERS`, `CODEOWNERS`,
`docs/CODEOWNERS` is used; patterns follow gitignore except that `!` negation, `[ ]` ranges and a
`\\#` escape do not work; a line with invalid syntax is skipped; the last matching line wins and a
matching line without owners clears ownership. Pattern-to-regex translation reuses the `codeowners`
package (tested against those rules); line parsing is ours because the package keeps lines GitHub
skips (negation, ranges, invalid owners) and reads `@names` inside inline comments as owners.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from codeowners import path_to_regex

from charter.checks.findings import Finding

LOCATIONS: tuple[str, ...] = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")

# GitHub accepts @user, @org/team and an e-mail address; anything else makes the line invalid.
_USER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})")
_TEAM = re.compile(r"@[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A run of non-space characters where "\ " (escaped space) does not end the run.
_TOKEN = re.compile(r"(?:\\.|\S)+")


@dataclass(frozen=True, slots=True)
class CodeownersRule:
    """One valid line: its pattern, its owners in the order written, and where it is."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class CodeownersFile:
    """The CODEOWNERS file GitHub uses, with the lines it honours and the ones it skips."""

    path: str
    rules: tuple[CodeownersRule, ...]
    problems: tuple[Finding, ...]
    # A pattern ending in "/" matches a path exactly when it matches the path's folder, so its
    # verdict is computed once per folder; only the other rules are tried on each path.
    _by_folder: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def _last_folder_rule(self, folder: str) -> int:
        if not folder:
            return -1
        found = self._by_folder.get(folder)
        if found is None:
            target = folder + "/"
            found = next((i for i in range(len(self.rules) - 1, -1, -1)
                          if self.rules[i].pattern.endswith("/")
                          and self.rules[i].regex.search(target)), -1)
            self._by_folder[folder] = found
        return found

    def match(self, path: str) -> CodeownersRule | None:
        """The last rule matching PATH (the one GitHub applies), or None."""
        floor = self._last_folder_rule(path.rpartition("/")[0])
        for i in range(len(self.rules) - 1, floor, -1):
            rule = self.rules[i]
            if not rule.pattern.endswith("/") and rule.regex.search(path):
                return rule
        return self.rules[floor] if floor >= 0 else None

    def owners_of(self, path: str) -> tuple[str, ...]:
        """Owners of PATH: empty when no line matches or the matching line names nobody."""
        rule = self.match(path)
        return rule.owners if rule else ()


def _pattern_problem(pattern: str) -> str | None:
    if pattern.startswith("!"):
        return "`!` negation does not work in CODEOWNERS"
    if pattern.startswith("\\#"):
        return "escaping a leading `#` with `\\` does not work in CODEOWNERS"
    if "[" in pattern or "]" in pattern:
        return "`[ ]` character ranges do not work in CODEOWNERS"
    return None


def _owner_ok(owner: str) -> bool:
    return any(rx.fullmatch(owner) for rx in (_TEAM, _USER, _EMAIL))


def parse_codeowners(path: str, text: str) -> CodeownersFile:
    """Parse one CODEOWNERS file as GitHub does: invalid lines are skipped and reported."""
    rules: list[CodeownersRule] = []
    problems: list[Finding] = []

    def problem(rule: str, line: int, message: str) -> None:
        problems.append(Finding(check="owners", rule=rule, path=path, line=line,
                                message=message + "; GitHub skips this line"))

    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        tokens = _TOKEN.findall(stripped)
        pattern, rest = tokens[0], tokens[1:]
        owners: list[str] = []
        for token in rest:
            if token.startswith("#"):  # an inline comment runs to the end of the line
                break
            owners.append(token)
        reason = _pattern_problem(pattern)
        if reason:
            problem("codeowners.pattern-invalid", number, f"pattern {pattern!r}: {reason}")
            continue
        bad = [owner for owner in owners if not _owner_ok(owner)]
        if bad:
            problem("codeowners.owner-invalid", number,
                    f"owner {bad[0]!r} is not @user, @org/team or an e-mail address")
            continue
        try:
            regex = path_to_regex(pattern)
        except (ValueError, re.error) as err:
            problem("codeowners.pattern-invalid", number, f"pattern {pattern!r}: {err}")
            continue
        rules.append(CodeownersRule(pattern, tuple(owners), number, regex))
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
