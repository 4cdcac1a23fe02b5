"""Where the files a policy extends are read from: a folder tree that paths may not leave.

A policy file may come from a pull request, so `extends:` is an input that must not read this
machine: a path must resolve (symbolic links followed) inside the root, and be a regular file
under the size cap. The root is the repository holding the policy, else the policy's folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from charter.errors import CharterError, excerpt
from charter.yamlio import read_text


class Refused(Exception):
    """A file `extends:` names cannot be read; the message says why, in the user's terms."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Missing(Refused):
    """There is no file at the path `extends:` names."""


@dataclass(frozen=True)
class Found:
    """A file `extends:` names: its identity (for cycles), its name in messages, its folder."""

    key: str
    label: str
    folder: str


class PolicyFiles(Protocol):
    """Where `extends:` paths are looked up and read: a folder on disk, or a git revision."""

    def find(self, ref: str, folder: str) -> Found:
        """The file REF names, relative to FOLDER; raise Refused when it may not be read."""
        ...

    def read(self, found: Found) -> str:
        """The text of FOUND; raise Missing or Refused."""
        ...


def exists(path: Path) -> bool:
    """Whether PATH exists; a name the system refuses (too long, a NUL) does not."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def policy_root(folder: Path) -> Path:
    """The top of the git work tree holding FOLDER (as written, links not followed), else
    FOLDER itself: what the policy files there may read."""
    start = Path(os.path.abspath(folder))
    for candidate in (start, *start.parents):
        if exists(candidate / ".git"):
            return candidate
    return start


@dataclass(frozen=True)
class Folder:
    """Policy files on disk, confined to ROOT."""

    root: Path

    def describe(self) -> str:
        kind = "the repository" if exists(self.root / ".git") else "the policy's folder"
        return f"{kind} ({self.root})"

    def inside(self, path: Path) -> Path:
        """PATH with its links resolved; refused unless that is inside the root."""
        try:
            real = path.resolve()
            root = self.root.resolve()
        except (OSError, RuntimeError, ValueError):
            raise Refused(f"{excerpt(str(path))} cannot be resolved (a link that loops, or a "
                          "name the system refuses)") from None
        if not real.is_relative_to(root):
            where = "is" if real == Path(os.path.abspath(path)) else f"resolves to {real},"
            raise Refused(f"{excerpt(str(path))} {where} outside {self.describe()}; name a "
                          "preset or a file inside it")
        return real

    def find(self, ref: str, folder: str) -> Found:
        label = os.path.normpath(os.path.join(folder, ref))
        real = self.inside(Path(label))
        return Found(str(real), label, os.path.dirname(label) or ".")

    def read(self, found: Found) -> str:
        path = Path(found.key)
        if not exists(path):
            raise Missing(f"{found.label} does not exist")
        if path.is_dir():
            raise Refused(f"{found.label} is a folder, not a policy file; name a YAML file or "
                          "a preset")
        try:
            return read_text(path)
        except CharterError as err:
            raise Refused(f"{found.label} {err.message}") from None
