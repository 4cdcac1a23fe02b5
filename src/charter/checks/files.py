"""Files as the file checks read them: a size cap, UTF-8 decoding, and git-style globs."""

from __future__ import annotations

import re
from collections.abc import Iterable

from charter.checks.findings import Finding, Severity
from charter.git.objects import TreeEntry

#: Files larger than this are reported, not read: no proposal or source file we check is this big.
MAX_TEXT_BYTES = 1_000_000


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
