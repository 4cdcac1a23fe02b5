"""CODEOWNERS patterns as GitHub documents them: gitignore's rules, minus ranges and negation.

GitHub ("About code owners"): a pattern "follows most of the same rules used in gitignore
files"; escaping a leading `#`, `!` negation and `[ ]` character ranges do not work; `docs/*`
matches `docs/getting-started.md` but not `docs/build-app/troubleshooting.md`; paths are case
sensitive. gitignore (PATTERN FORMAT): a separator at the beginning or middle anchors the pattern,
one at the end makes it match only directories; `*` and `?` never match `/`; a backslash escapes
any character; a leading `**/`, a middle `/**/` (zero or more directories) and a trailing `/**`
(everything inside) are special, other consecutive asterisks are plain asterisks. A pattern that
matches a directory owns everything beneath it.

GitHub rejects a line whose pattern has an unescaped `[` or `]` ("both `[` and `]` must be
escaped with a `\\`"); escaped, they are ordinary characters of a file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class PatternError(ValueError):
    """A pattern GitHub does not accept; the message says why."""


@dataclass(frozen=True, slots=True)
class CodeownersPattern:
    """A compiled pattern: `regex` fully matches the file paths the pattern owns."""

    text: str
    regex: re.Pattern[str]
    dir_only: bool  # ends with `/`: whether it owns a file depends only on the file's folder

    def owns(self, path: str) -> bool:
        """Whether the pattern owns PATH, a repository path without a leading `/`."""
        return self.regex.match(path) is not None


def _split(body: str) -> list[str]:
    """BODY's segments between unescaped slashes, escapes kept for the segment translation."""
    segments: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            current.append(body[i:i + 2])
            i += 2
            continue
        if ch == "/":
            segments.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    segments.append("".join(current))
    return segments


def _segment(segment: str) -> str:
    """One path segment as a regex: `*` and `?` stay inside the segment, escapes are literal."""
    out: list[str] = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "\\":
            if i + 1 == len(segment):
                raise PatternError("a `\\` at the end of a pattern never matches")
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        if ch == "*":
            while i < len(segment) and segment[i] == "*":
                i += 1  # asterisks inside a name are plain asterisks, however many
            out.append("[^/]*")
            continue
        if ch in "[]":
            raise PatternError("`[ ]` character ranges do not work in CODEOWNERS; both `[` and "
                               "`]` must be escaped with a `\\` to match them in a file name")
        out.append("[^/]" if ch == "?" else re.escape(ch))
        i += 1
    return "".join(out)


def compile_pattern(pattern: str) -> CodeownersPattern:
    """PATTERN as GitHub reads it, or PatternError when GitHub skips the line."""
    if pattern.startswith("!"):
        raise PatternError("`!` negation does not work in CODEOWNERS")
    if pattern.startswith("\\#"):
        raise PatternError("escaping a leading `#` with `\\` does not work in CODEOWNERS")
    body = re.sub("/{2,}", "/", pattern)
    dir_only = body.endswith("/") and not body.endswith("\\/")
    if dir_only:
        body = body[:-1]
    # "If there is a separator at the beginning or middle (or both) of the pattern, then the
    # pattern is relative to the directory level of the particular .gitignore file itself."
    anchored = "/" in body.replace("\\/", "")
    segments = _split(body.removeprefix("/")) if body.removeprefix("/") else []
    # `X/**/`: "zero or more directories" below X, each owned with everything beneath it, is
    # exactly what `X/` owns; the same holds for `**/` and `/**/` below the root.
    while dir_only and segments and segments[-1] == "**":
        segments.pop()
    if not segments or segments == ["**"]:
        return CodeownersPattern(pattern, re.compile(r"(?s).*"), dir_only=False)
    regex = ""
    last = len(segments) - 1
    for k, segment in enumerate(segments):
        if segment == "**" and k < last:
            regex += "(?:.*/)?"  # leading `**/` or middle `/**/`: zero or more directories
        elif segment == "**":
            regex += ".*"  # trailing `/**`: everything inside
        else:
            regex += _segment(segment) + ("" if k == last else "/")
    prefix = r"\A" if anchored else r"\A(?:.*/)?"
    if dir_only:
        suffix = r"/.*\Z"  # the directory's contents; a file path never ends in `/`
    elif segments[-1] == "*" and anchored:
        suffix = r"\Z"  # GitHub: `docs/*` owns docs' files, not its sub-folders' files
    else:
        suffix = r"(?:/.*)?\Z"  # the file, or the directory and everything beneath it
    return CodeownersPattern(pattern, re.compile(f"(?s){prefix}{regex}{suffix}"), dir_only)
