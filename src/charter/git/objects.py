"""Reading git objects: a tree's files with their sizes, and blobs in one batched call."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from charter.git.command import run_git


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


def read_blob(repo: str | Path, rev: str, path: str) -> bytes | None:
    """The bytes of PATH at REV, or None when the path does not exist there."""
    proc = subprocess.run(["git", "-C", str(repo), "cat-file", "blob", f"{rev}:{path}"],
                          capture_output=True, check=False)
    return proc.stdout if proc.returncode == 0 else None


def read_objects(repo: str | Path, names: Sequence[str]) -> dict[str, bytes | None]:
    """Contents of many objects (`oid` or `rev:path`) in one `git cat-file --batch` call.

    A name git cannot find maps to None. Names must not contain newlines.
    """
    wanted = list(dict.fromkeys(n for n in names if "\n" not in n))
    result: dict[str, bytes | None] = {n: None for n in names}
    if not wanted:
        return result
    out = run_git(repo, ["cat-file", "--batch"], input="".join(n + "\n" for n in wanted).encode(
        "utf-8", "surrogateescape"))
    pos = 0
    for name in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            result[name] = out[pos:pos + size] if header[1] == b"blob" else None
            pos += size + 1  # the content is followed by a newline
        # Otherwise "<name> missing" or "ambiguous": a single header line and no content.
    return result
