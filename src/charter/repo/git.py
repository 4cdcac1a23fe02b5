"""A thin subprocess layer over git: the only place the repo checks run git."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from charter.errors import CharterError


class GitError(CharterError):
    """git refused: not a repository, an unknown revision, a missing path."""


def run_git(repo: str | Path, args: Sequence[str], *, check: bool = True,
            input: bytes | None = None) -> bytes:
    """Run `git -C repo args...` and return its standard output as bytes."""
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], input=input,
                              capture_output=True, check=False)
    except FileNotFoundError as err:
        raise CharterError("git is not installed or not on PATH; install git") from err
    if check and proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = stderr[-1] if stderr else f"exit code {proc.returncode}"
        raise GitError(f"git {' '.join(args[:3])} failed: {detail}", file=str(repo))
    return proc.stdout


def ensure_repo(repo: str | Path) -> Path:
    """Return the repository's top folder, or raise a clear error if it is not one."""
    path = Path(repo)
    if not path.exists():
        raise CharterError("no such folder; pass --repo PATH to a git repository", file=str(repo))
    out = run_git(path, ["rev-parse", "--show-toplevel"], check=False)
    if not out.strip():
        raise CharterError("not a git repository; pass --repo PATH to one", file=str(repo))
    return Path(out.decode().strip())


def resolve_rev(repo: str | Path, rev: str) -> str:
    """The 40-hex commit id for REV, or a clear error naming the revision."""
    out = run_git(repo, ["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], check=False)
    sha = out.decode().strip()
    if not sha:
        if not run_git(repo, ["rev-list", "-n", "1", "--all"], check=False).strip():
            raise CharterError(f"the repository has no commits yet, so there is no {rev!r}; "
                               "commit something first", file=str(repo))
        raise CharterError(f"unknown revision {rev!r}; check the name with `git log --oneline`",
                           file=str(repo))
    return sha


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
