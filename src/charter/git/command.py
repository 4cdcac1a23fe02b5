"""Running git: the one subprocess call, the repository check and revision names."""

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
