"""Flags and feature gates found in source, and experimental ones checked against the policy.

Python flags come from `ast` (argparse `add_argument`, click `option`); Go flags from a lexer
(`flag`, `pflag`, cobra flag sets, `featuregate` maps). Names and defaults written as constants
are resolved from the file (Python) or the package folder (Go); what cannot be resolved is
reported as unknown, never guessed.

A flag is **experimental** when, checked in this order (the first reason is reported):
1. its name contains the marker (default `experimental`), ignoring case, `-` and `_`;
2. its help or usage text contains the marker as a word ("Experimental: ...");
3. it is a feature gate whose `PreRelease` is `Alpha`;
4. (Python) it is added to an argument group whose title contains the marker as a word;
5. (Go) its package name contains the marker;
6. a folder or the file name on its path contains the marker (`pkg/experimental/...`).

Rules: an experimental flag whose name lacks the marker breaks `flags.experimental-name`; one
whose resolved default is on (`True`, or a string such as "true" or "enabled") breaks
`flags.experimental-default-on`. The default is judged as the flag's stored value: argparse's
`store_false` defaults to True. When an experimental flag's default (or name) cannot be
resolved, a warning says so. Non-experimental flags are listed by `find_flags` but not judged.
"""

from __future__ import annotations

import io
import posixpath
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from charter.checks.files import MAX_TEXT_BYTES, decode_text
from charter.checks.findings import Finding
from charter.checks.flags.golang import GoFile, Scope, find_go_flags, may_define_flags, parse_file
from charter.checks.flags.model import Flag, FlagSyntaxError, FlagValue, name_has_marker
from charter.checks.flags.python import find_python_flags
from charter.git.objects import TreeEntry

__all__ = ["Flag", "FlagRules", "FlagSyntaxError", "check_flag", "check_flag_files", "find_flags"]

CHECK = "flags"

#: Folders whose code is not the project's own (vendored, generated fixtures), skipped by default.
SKIPPED_DIRS = ("vendor", "third_party", "node_modules", "testdata", ".git")

_ON_WORDS = frozenset(("true", "on", "yes", "enabled", "enable", "1"))
_JUDGED_KINDS = frozenset(("bool", "string", "feature-gate", "value", "custom", "const"))


@dataclass(frozen=True, slots=True)
class FlagRules:
    """The policy's rules for experimental flags."""

    marker: str = "experimental"
    default_off: bool = True


def find_flags(path: str, text: str, *, marker: str = "experimental") -> list[Flag]:
    """Flags defined in one file (Python or Go, by extension; others have none).

    Raises FlagSyntaxError when a Python file does not parse.
    """
    if path.endswith(".py"):
        return find_python_flags(path, text, marker)
    if path.endswith(".go"):
        return find_go_flags(path, text, marker)
    return []


def is_on(value: FlagValue) -> bool:
    """Whether a default turns the feature on: True, or a string like "true" or "enabled"."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().casefold() in _ON_WORDS


def check_flag(flag: Flag, rules: FlagRules, *, commit: str | None = None) -> list[Finding]:
    """The findings for one flag under RULES (none for a flag that is not experimental)."""
    if not flag.experimental:
        return []
    out: list[Finding] = []
    what = "feature gate" if flag.kind == "feature-gate" else "flag"
    why = f"it is experimental because {flag.why_experimental}"
    if not flag.name_known:
        out.append(Finding(CHECK, f"{CHECK}.name-unresolved",
                           f"experimental {what} named by {flag.name!r} ({flag.how}): the name "
                           f"cannot be resolved from this file or package, so the "
                           f"{rules.marker!r} naming rule was not checked; {why}",
                           "warning", commit, flag.path, flag.line))
    elif not name_has_marker(flag.name, rules.marker):
        out.append(Finding(CHECK, f"{CHECK}.experimental-name",
                           f"experimental {what} {flag.name!r} must have {rules.marker!r} in "
                           f"its name ({flag.how}); {why}", "error", commit, flag.path,
                           flag.line))
    if not rules.default_off:
        return out
    if not flag.default_known:
        if flag.kind in _JUDGED_KINDS:
            out.append(Finding(CHECK, f"{CHECK}.default-unresolved",
                               f"experimental {what} {flag.name!r}: its default cannot be "
                               "resolved from this file or package, so whether it is off by "
                               f"default was not checked; use a literal or a constant "
                               f"({flag.how})", "warning", commit, flag.path, flag.line))
    elif is_on(flag.default):
        note = (": store_false keeps the value True unless the flag is given"
                if "store_false" in flag.how else "")
        out.append(Finding(CHECK, f"{CHECK}.experimental-default-on",
                           f"experimental {what} {flag.name!r} defaults to on "
                           f"({flag.default!r}, {flag.how}{note}); experimental features must "
                           f"be off by default and need explicit opt-in; {why}", "error", commit,
                           flag.path, flag.line))
    return out


def _skipped(path: str) -> bool:
    parts = path.split("/")
    return any(p in SKIPPED_DIRS for p in parts[:-1]) or path.endswith("_test.go")


def _decode(path: str, data: bytes) -> str | Finding:
    """Source text; a Python file may declare another encoding (PEP 263)."""
    text = decode_text(CHECK, path, data, encoding_severity="warning")
    if isinstance(text, Finding) and text.rule == f"{CHECK}.encoding" and path.endswith(".py"):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            return data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError):
            return text
    return text


def flag_files(entries: Sequence[TreeEntry], paths: Sequence[str] | None = None
               ) -> list[TreeEntry]:
    """The files the flags check reads: Python and Go, PATHS only when given, else all but
    vendored folders and Go tests."""
    wanted = set(paths) if paths is not None else None
    return [e for e in entries if e.path.endswith((".py", ".go"))
            and (e.path in wanted if wanted is not None else not _skipped(e.path))]


def files_to_read(entries: Sequence[TreeEntry], targets: Sequence[TreeEntry]
                  ) -> dict[str, TreeEntry]:
    """TARGETS and, for Go, the sibling files of their packages (constants resolve across the
    folder), without those too large to read."""
    folders = {posixpath.dirname(e.path) for e in targets if e.path.endswith(".go")}
    siblings = [e for e in entries if e.path.endswith(".go") and not e.path.endswith("_test.go")
                and posixpath.dirname(e.path) in folders]
    to_read: dict[str, TreeEntry] = {e.path: e for e in [*targets, *siblings]}
    return {p: e for p, e in to_read.items() if e.size <= MAX_TEXT_BYTES}


def check_flag_files(targets: Sequence[TreeEntry], readable: Mapping[str, TreeEntry],
                     blobs: Mapping[str, bytes | None], rules: FlagRules) -> list[Finding]:
    """Check the flags TARGETS define, given the READABLE files' contents in BLOBS (by blob id).

    By default vendored folders and Go test files are not targets; Go constants are resolved
    across the package folder.
    """
    findings: list[Finding] = []
    for e in targets:
        if e.size > MAX_TEXT_BYTES:
            findings.append(Finding(CHECK, f"{CHECK}.too-large",
                                    f"file is {e.size} bytes, over the {MAX_TEXT_BYTES}-byte "
                                    "limit; its flags were not checked", "info", None, e.path))

    texts: dict[str, str] = {}
    target_paths = {e.path for e in targets}
    for path, entry in readable.items():
        data = blobs.get(entry.oid)
        if data is None:
            continue
        text = _decode(path, data)
        if isinstance(text, Finding):
            if path in target_paths:
                findings.append(text)
            continue
        texts[path] = text

    parsed: dict[str, GoFile] = {}
    scopes: dict[tuple[str, str | None], Scope] = {}

    def go_file(path: str) -> GoFile:
        if path not in parsed:
            parsed[path] = parse_file(path, texts[path])
        return parsed[path]

    def package_scope(gf: GoFile) -> Scope:
        # Parsed only for folders with flags: most Go files define none and are never tokenized.
        folder = posixpath.dirname(gf.path)
        key = (folder, gf.package)
        if key not in scopes:
            files = [go_file(p) for p in texts if p.endswith(".go") and not p.endswith(
                "_test.go") and posixpath.dirname(p) == folder]
            scopes[key] = Scope([f for f in files if f.package == gf.package] or [gf])
        return scopes[key]

    for e in targets:
        if e.path not in texts:
            continue
        text = texts[e.path]
        try:
            if e.path.endswith(".go"):
                if not may_define_flags(text):
                    continue
                gf = go_file(e.path)
                flags = find_go_flags(e.path, text, rules.marker, parsed=gf,
                                      scope=package_scope(gf))
            else:
                flags = find_python_flags(e.path, text, rules.marker)
        except FlagSyntaxError as err:
            findings.append(Finding(CHECK, f"{CHECK}.parse-error", err.message, "warning", None,
                                    e.path, err.line))
            continue
        for flag in flags:
            findings += check_flag(flag, rules)
    findings.sort(key=lambda f: (f.path or "", f.line or 0, f.rule))
    return findings
