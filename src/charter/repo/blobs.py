"""Batched reads of a tree, and decoding of text files for the file checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from charter.repo.findings import Finding, Severity
from charter.repo.git import run_git

#: Files larger than this are reported, not read: no proposal or source file we check is this big.
MAX_TEXT_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One file of a tree: its path, blob id and size in bytes."""

    path: str
    oid: str
    size: int


def list_files(repo: str | Path, rev: str) -> list[TreeEntry]:
    """Every blob in REV's tree with its id and size, in one `git ls-tree` call."""
    out = run_git(repo, ["ls-tree", "-r", "-l", "-z", "--full-tree", rev])
    entries: list[TreeEntry] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        fields = meta.split()
        # Submodules ("commit") and symlinks have no text of their own to check.
        if len(fields) != 4 or fields[1] != b"blob" or fields[0] == b"120000":
            continue
        size = int(fields[3]) if fields[3].isdigit() else 0
        entries.append(TreeEntry(raw_path.decode("utf-8", "surrogateescape"),
                                 fields[2].decode(), size))
    return entries


def glob_regex(patterns: Iterable[str]) -> re.Pattern[str]:
    """One regex for git-style globs: `*` and `?` stay within a folder, `**` crosses folders."""
    parts: list[str] = []
    for pattern in patterns:
        out = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                out += ".*"
                i += 2
            elif pattern[i] == "*":
                out += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                out += "[^/]"
                i += 1
            else:
                out += re.escape(pattern[i])
                i += 1
        parts.append(out)
    return re.compile("(?:" + "|".join(parts) + r")\Z" if parts else r"(?!)")


def decode_text(check: str, path: str, data: bytes, *, commit: str | None = None,
                encoding_severity: Severity = "error") -> str | Finding:
    """DATA as text, or a finding saying why it cannot be read as UTF-8 text."""
    if len(data) > MAX_TEXT_BYTES:
        return Finding(check, f"{check}.too-large",
                       f"file is {len(data)} bytes, over the {MAX_TEXT_BYTES}-byte limit for "
                       "text checks; it was not checked", "warning", commit, path)
    if b"\0" in data[:8192]:
        return Finding(check, f"{check}.binary",
                       "file looks binary (it contains NUL bytes); it was not checked",
                       "warning", commit, path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return Finding(check, f"{check}.encoding",
                       f"file is not valid UTF-8 (byte 0x{data[err.start]:02x} at offset "
                       f"{err.start}); save it as UTF-8 so it can be checked",
                       encoding_severity, commit, path, line)
    return text.removeprefix("\ufeff")


def too_large(check: str, entry: TreeEntry, commit: str | None = None) -> Finding:
    """The finding for a file whose size alone rules out reading it."""
    return Finding(check, f"{check}.too-large",
                   f"file is {entry.size} bytes, over the {MAX_TEXT_BYTES}-byte limit for text "
                   "checks; it was not checked", "warning", commit, entry.path)
