"""A streaming reader over `git log`: one `Commit` at a time, never the whole history at once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime
from pathlib import Path
from typing import IO

from charter.errors import CharterError
from charter.git.command import GitError, ensure_repo, resolve_rev, run_git

__all__ = ["GIT_LOG_ENV", "LOG_FORMAT", "Commit", "git_log_command", "iter_commits"]

# Field order of one record; %x00 separates fields and `-z` ends each record with NUL, so
# the output is a flat NUL-separated stream of 9 fields per commit.
_FIELDS = ("%H", "%P", "%an", "%ae", "%cn", "%ce", "%aI", "%cI", "%B")
LOG_FORMAT = "%x00".join(_FIELDS)
_NFIELDS = len(_FIELDS)
# Reads stay under malloc's mmap threshold; the pipe itself is widened to let git run ahead.
_CHUNK = 1 << 16
_PIPE_SIZE = 1 << 20
# git flushes after every commit when stdout is a pipe, which costs a wake-up per commit;
# fully buffered output is several times cheaper.
GIT_LOG_ENV = {"GIT_FLUSH": "0"}
# A progress display only pays off on long scans; short ones finish before it would show.
_PROGRESS_AFTER = 5_000
_PROGRESS_EVERY = 2_048


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit as `git log` records it; `message` is the raw message with every trailer."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    authored_at: datetime
    committed_at: datetime
    message: str

    @property
    def is_merge(self) -> bool:
        """True when the commit has more than one parent."""
        return len(self.parents) > 1


# In the order of _FIELDS; a Commit field added without its git format fails at import.
_SLOT_NAMES = ("sha", "parents", "author_name", "author_email", "committer_name",
               "committer_email", "authored_at", "committed_at", "message")
if tuple(f.name for f in dataclass_fields(Commit)) != _SLOT_NAMES:  # pragma: no cover
    raise AssertionError("Commit's fields and the git log format disagree")
_SLOT_SETTERS = tuple(getattr(Commit, name).__set__ for name in _SLOT_NAMES)


def git_log_command(repo: str | Path, revs: list[str]) -> list[str]:
    """The exact `git log` command line the reader runs (the benchmark times it bare)."""
    return ["git", "-C", str(repo),
            # User configuration must not change the stream: signatures would be printed
            # inline and a different output encoding would garble names.
            "-c", "log.showSignature=false", "-c", "i18n.logOutputEncoding=UTF-8",
            "log", "-z", "--no-color", "--encoding=UTF-8", f"--format={LOG_FORMAT}",
            *revs, "--"]


def _resolve_range(repo: Path, rev_range: str | None) -> list[str] | None:
    """Turn `A..B`, `A...B` or a single revision into resolved git arguments (None: no commits)."""
    if rev_range is None or not rev_range.strip():
        head = run_git(repo, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], check=False)
        # An unborn HEAD (a fresh repository) simply has no history to check.
        return [head.decode().strip()] if head.strip() else None
    text = rev_range.strip()
    for sep in ("...", ".."):
        if sep in text:
            left, right = text.split(sep, 1)
            shas = [_resolve_one(repo, side or "HEAD", text) for side in (left, right)]
            return [f"{shas[0]}{sep}{shas[1]}"]
    return [_resolve_one(repo, text, text)]


def _resolve_one(repo: Path, rev: str, whole: str) -> str:
    if rev.startswith("-"):
        # A leading dash would be read by git as an option, never as a revision.
        raise CharterError(f"invalid revision range {whole!r}; give git's A..B form",
                           file=str(repo))
    return resolve_rev(repo, rev)


def _true_parents(repo: Path, sha: str) -> tuple[str, ...]:
    """Parents as written in the commit object, which `%P` hides at a shallow boundary."""
    raw = run_git(repo, ["cat-file", "commit", sha])
    header = raw.split(b"\n\n", 1)[0].decode("ascii", "replace")
    return tuple(line[7:] for line in header.splitlines() if line.startswith("parent "))


def iter_commits(repo: str | Path, rev_range: str | None = None, *,
                 progress: bool | None = None) -> Generator[Commit, None, None]:
    """The commits of REV_RANGE (git's `A..B`; default HEAD), newest first, as git lists them.

    A bad repository or revision raises CharterError here, before anything is read. `progress`
    shows a spinner on stderr during long scans; None means "when stderr is a terminal".
    Closing the generator early stops git.
    """
    top = ensure_repo(repo)
    revs = _resolve_range(top, rev_range)
    shallow = run_git(top, ["rev-parse", "--is-shallow-repository"]).strip() == b"true"
    show = sys.stderr.isatty() if progress is None else progress
    commits = _stream(top, revs, shallow)
    return _with_progress(commits) if show else commits


def _stream(repo: Path, revs: list[str] | None, shallow: bool) -> Generator[Commit, None, None]:
    if revs is None:
        return
    try:
        proc = subprocess.Popen(git_log_command(repo, revs), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, bufsize=0,
                                env={**os.environ, **GIT_LOG_ENV})
    except FileNotFoundError as err:
        raise CharterError("git is not installed or not on PATH; install git") from err
    assert proc.stdout is not None and proc.stderr is not None
    _widen_pipe(proc.stdout.fileno())
    finished = False
    try:
        yield from _parse(proc.stdout, repo, shallow)
        finished = True
    finally:
        if not finished:
            proc.kill()
        stderr = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        lines = stderr.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit code {code}"
        raise GitError(f"git log failed: {detail}", file=str(repo))


def _widen_pipe(fd: int) -> None:
    """Let git run up to a megabyte ahead of the parser instead of the default 64 KiB (Linux)."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    except (ImportError, AttributeError, OSError):
        pass  # elsewhere the default pipe is merely slower


def _parse(stdout: IO[bytes], repo: Path, shallow: bool) -> Iterator[Commit]:
    # The hot loop of every commit check: one decode and one split per chunk, then plain
    # indexing, so the per-commit cost is little more than building the Commit itself.
    read = stdout.read
    parse_date = datetime.fromisoformat
    # A frozen dataclass's __init__ calls object.__setattr__ once per field, which is most of
    # the reader's time; filling the slots directly builds the same object twice as fast.
    new = object.__new__
    (set_sha, set_parents, set_author_name, set_author_email, set_committer_name,
     set_committer_email, set_authored_at, set_committed_at, set_message) = _SLOT_SETTERS
    carry = b""
    pending: list[str] = []
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            break
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\0")
        if cut < 0:
            carry = data
            continue
        carry = data[cut + 1:]
        # NUL never occurs inside a UTF-8 sequence, so decoding whole fields at once is safe;
        # undecodable bytes become U+FFFD instead of stopping the scan.
        fields = data[:cut].decode("utf-8", "replace").split("\0")
        if pending:
            fields = pending + fields
        usable = len(fields) - len(fields) % _NFIELDS
        # zip over one iterator hands out consecutive 9-field records without index arithmetic.
        it = iter(fields[:usable])
        records = zip(it, it, it, it, it, it, it, it, it, strict=False)  # len is a multiple of 9
        for sha, parents, an, ae, cn, ce, ad, cd, message in records:
            # Most commits have one parent: no list to build and copy.
            parent_shas: tuple[str, ...] = (parents,) if parents else ()
            if " " in parents:
                parent_shas = tuple(parents.split(" "))
            if shallow and not parent_shas:
                parent_shas = _true_parents(repo, sha)
            commit = new(Commit)
            set_sha(commit, sha)
            set_parents(commit, parent_shas)
            set_author_name(commit, an)
            set_author_email(commit, ae)
            set_committer_name(commit, cn)
            set_committer_email(commit, ce)
            set_authored_at(commit, parse_date(ad))
            set_committed_at(commit, parse_date(cd))
            set_message(commit, message)
            yield commit
        pending = fields[usable:]
    if pending or carry:
        raise GitError("git log output ended in the middle of a commit; run the check again",
                       file=str(repo))


def _with_progress(commits: Generator[Commit, None, None]) -> Generator[Commit, None, None]:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    display = Progress(SpinnerColumn(), TextColumn("reading history: {task.completed:,} commits"),
                       TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    task = display.add_task("history", total=None)
    count = 0
    started = False
    try:
        for commit in commits:
            count += 1
            if count % _PROGRESS_EVERY == 0:
                if not started and count >= _PROGRESS_AFTER:
                    display.start()
                    started = True
                display.update(task, completed=count)
            yield commit
    finally:
        commits.close()  # stops git now, not whenever the generator is collected
        if started:
            display.stop()


def ancestors(repo: str | Path, sha: str) -> frozenset[str]:
    """Every commit reachable from SHA's parents: its history, without SHA itself."""
    out = run_git(repo, ["rev-list", f"{sha}^@", "--"])
    return frozenset(out.decode().split())


def added_commits(repo: str | Path, rev: str, globs: Sequence[str]) -> dict[str, str]:
    """For each path matching GLOBS, the newest commit reachable from REV that added it.

    One `git log --diff-filter=A` pass; renames count as additions (`--no-renames`), as they do
    for `git log --diff-filter=A -- PATH`.
    """
    if not globs:
        return {}
    out = run_git(repo, ["log", "--no-renames", "--name-status", "--diff-filter=A", "-z",
                         "--format=C:%H", rev, "--", *(f":(glob){g}" for g in globs)])
    added: dict[str, str] = {}
    commit = ""
    parts = out.split(b"\0")
    i = 0
    while i < len(parts):
        part = parts[i].lstrip(b"\n")
        if part.startswith(b"C:") and len(part) >= 42:
            commit = part[2:].decode()
        elif part == b"A" and i + 1 < len(parts):
            path = parts[i + 1].decode("utf-8", "surrogateescape")
            added.setdefault(path, commit)  # log is newest first: keep the latest addition
            i += 1
        i += 1
    return added
