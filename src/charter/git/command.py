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
    """The folder to run git in: a work tree's top folder, or a bare repository's own folder.

    Raises a clear error when REPO is not a repository. Mirrors and CI caches keep bare
    repositories, so everything Charter reads goes through git objects, never the work tree.
    """
    path = Path(repo)
    key = str(path.absolute())
    known = _TOPS.get(key)
    if known is not None:
        return known
    if not path.exists():
        raise CharterError("no such folder; pass --repo PATH to a git repository", file=str(repo))
    # One call answers both cases: `--show-toplevel` fails (after printing the rest) where
    # there is no work tree, as in a bare repository or inside its `.git` folder.
    out = run_git(path, ["rev-parse", "--is-bare-repository", "--absolute-git-dir",
                         "--show-toplevel"], check=False)
    lines = out.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) < 2:
        raise CharterError("not a git repository; pass --repo PATH to one", file=str(repo))
    work_tree = len(lines) > 2 and lines[0] == "false"
    top = Path(lines[2] if work_tree else lines[1])
    _TOPS[key] = _TOPS[str(top)] = top
    if not work_tree:
        _NO_WORK_TREE.add(str(top))
    return top


def is_bare(repo: str | Path) -> bool:
    """True when REPO has no work tree (a bare repository): files exist only in its commits."""
    return str(ensure_repo(repo)) in _NO_WORK_TREE


# A folder that was a repository stays one for the life of the process; each question to
# git costs a process start, and the commit-msg hook runs on every commit.
_TOPS: dict[str, Path] = {}
_NO_WORK_TREE: set[str] = set()


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
