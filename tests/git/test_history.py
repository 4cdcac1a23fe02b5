"""The history reader on real repositories: fields, ranges, shallow clones, odd bytes, size."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.git.history import Commit, iter_commits
from tests.conftest import GIT_ENV, git

MakeRepo = Callable[[str], Path]


def commit(repo: Path, message: str, **env: str) -> str:
    """Commit MESSAGE verbatim (no cleanup) with optional GIT_* overrides; return its sha."""
    git(repo, "commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "-",
        env=env, input=message)
    return git(repo, "rev-parse", "HEAD").strip()


def fast_import(repo: Path, messages: list[bytes], *, encoding: str | None = None) -> None:
    """Append one commit per raw MESSAGE to main with git fast-import (bytes kept as given)."""
    out = bytearray()
    for i, data in enumerate(messages, start=1):
        out += (f"commit refs/heads/main\nmark :{i}\n"
                f"author Ann Author <ann@example.org> {1_700_000_000 + i} +0000\n"
                f"committer Ann Author <ann@example.org> {1_700_000_000 + i} +0000\n").encode()
        if encoding:
            out += f"encoding {encoding}\n".encode()
        out += f"data {len(data)}\n".encode() + data + b"\n"
        if i > 1:
            out += f"from :{i - 1}\n".encode()
        out += b"\n"
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=bytes(out),
                   check=True, env={**os.environ, **GIT_ENV})
    git(repo, "reset", "-q", "--hard", "main")


def merge(repo: Path, message: str, *parents: str) -> str:
    """Create a merge commit of PARENTS on main (the tree of the first parent)."""
    args = ["commit-tree", f"{parents[0]}^{{tree}}"]
    for parent in parents:
        args += ["-p", parent]
    sha = git(repo, *args, "-m", message).strip()
    git(repo, "update-ref", "refs/heads/main", sha)
    return sha


def test_fields_are_read_exactly(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    message = "Add the parser\n\nBecause we need one.\n\nSigned-off-by: Ann <ann@example.org>\n"
    sha = commit(repo, message, GIT_AUTHOR_NAME="Ann Author", GIT_AUTHOR_EMAIL="ann@example.org",
                 GIT_AUTHOR_DATE="2026-01-05T10:00:00+02:00",
                 GIT_COMMITTER_NAME="Cy Committer", GIT_COMMITTER_EMAIL="cy@example.org",
                 GIT_COMMITTER_DATE="2026-01-06T09:30:15-05:00")
    [got] = list(iter_commits(repo, progress=False))
    assert got == Commit(sha=sha, parents=(), author_name="Ann Author",
                         author_email="ann@example.org", committer_name="Cy Committer",
                         committer_email="cy@example.org",
                         authored_at=datetime(2026, 1, 5, 10, tzinfo=timezone(timedelta(hours=2))),
                         committed_at=datetime(2026, 1, 6, 9, 30, 15,
                                               tzinfo=timezone(timedelta(hours=-5))),
                         message=message)
    assert got.authored_at.utcoffset() == timedelta(hours=2)
    assert len(got.sha) == 40 and not got.is_merge


def test_newest_first_with_parents_and_merges(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    first = commit(repo, "first\n")
    second = commit(repo, "second\n")
    git(repo, "checkout", "-q", "-b", "side", first)
    side = commit(repo, "side\n")
    git(repo, "checkout", "-q", "main")
    joined = merge(repo, "Merge side", second, side)
    commits = list(iter_commits(repo, progress=False))
    assert commits[0].sha == joined
    assert commits[0].parents == (second, side) and commits[0].is_merge
    assert {c.sha: c.parents for c in commits} == {
        joined: (second, side), second: (first,), side: (first,), first: ()}


@pytest.mark.parametrize(("rev_range", "expected"), [
    pytest.param(None, ["c3", "c2", "c1"], id="default-head"),
    pytest.param("", ["c3", "c2", "c1"], id="empty-string-is-head"),
    pytest.param("c1..c3", ["c3", "c2"], id="a-dot-dot-b"),
    pytest.param("c2..", ["c3"], id="open-right-side-is-head"),
    pytest.param("c2", ["c2", "c1"], id="single-revision"),
    pytest.param("c3..c1", [], id="empty-range"),
    pytest.param("main~1..main", ["c3"], id="symbolic-revisions"),
])
def test_ranges(make_repo: MakeRepo, rev_range: str | None, expected: list[str]) -> None:
    repo = make_repo("repo")
    shas = {name: commit(repo, f"{name}\n") for name in ("c1", "c2", "c3")}
    if rev_range:
        for name, sha in shas.items():
            rev_range = rev_range.replace(name, sha)
    got = [c.sha for c in iter_commits(repo, rev_range, progress=False)]
    assert got == [shas[name] for name in expected]


@pytest.mark.parametrize(("rev_range", "needle"), [
    pytest.param("nope", "unknown revision 'nope'", id="unknown-revision"),
    pytest.param("main..nope", "unknown revision 'nope'", id="unknown-right-side"),
    pytest.param("nope..main", "unknown revision 'nope'", id="unknown-left-side"),
    pytest.param("--output=/tmp/x", "invalid revision range", id="option-injection"),
])
def test_bad_ranges_are_clear_errors(make_repo: MakeRepo, rev_range: str, needle: str) -> None:
    repo = make_repo("repo")
    commit(repo, "only\n")
    with pytest.raises(CharterError) as info:
        iter_commits(repo, rev_range, progress=False)  # raised before any iteration
    assert needle in str(info.value)
    assert "git log" in str(info.value) or "A..B" in str(info.value)  # says what to do


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(CharterError, match="not a git repository"):
        iter_commits(tmp_path, progress=False)


def test_empty_repository_has_no_commits(make_repo: MakeRepo) -> None:
    assert list(iter_commits(make_repo("repo"), progress=False)) == []


@pytest.mark.parametrize("depth", [pytest.param(1, id="depth-1"), pytest.param(2, id="depth-2")])
def test_shallow_clone_keeps_true_parents(make_repo: MakeRepo, tmp_path: Path,
                                          depth: int) -> None:
    origin = make_repo("origin")
    base = commit(origin, "base\n")
    git(origin, "checkout", "-q", "-b", "side")
    side = commit(origin, "side\n")
    git(origin, "checkout", "-q", "main")
    main = commit(origin, "main\n")
    tip = merge(origin, "Merge side\n", main, side)
    top = commit(origin, "after the merge\n")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", f"--depth={depth + 1}", f"file://{origin}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    got = {c.sha: c.parents for c in iter_commits(clone, progress=False)}
    # The boundary commits are grafted: git shows them parentless, the reader does not.
    expected = {top: (tip,), tip: (main, side), main: (base,), side: (base,)}
    assert got == {sha: expected[sha] for sha in got}
    assert top in got and tip in got and base not in got
    assert all(c.is_merge == (c.sha == tip) for c in iter_commits(clone, progress=False))


def test_non_utf8_message_does_not_stop_the_scan(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    fast_import(repo, [b"before\n", b"caf\xe9 latin-1 \xff\xfe bytes\n\nSigned-off-by: A <a@b.co>",
                       b"after\n"])
    commits = list(iter_commits(repo, progress=False))
    assert [c.message.splitlines()[0] for c in commits] == [
        "after", "caf\ufffd latin-1 \ufffd\ufffd bytes", "before"]
    assert "Signed-off-by: A <a@b.co>" in commits[1].message


def test_declared_encoding_is_converted(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    fast_import(repo, [b"Caf\xe9 na\xefve\n"], encoding="ISO-8859-1")
    [only] = iter_commits(repo, progress=False)
    assert only.message == "Café naïve\n"


def test_many_commits_and_messages_larger_than_a_read(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    big = b"x" * 200_000  # far larger than one pipe read, so a field spans many chunks
    messages = [f"commit {i}\n\nbody {i} é\n".encode() if i % 997 else
                f"commit {i}\n\n".encode() + big for i in range(6_000)]
    fast_import(repo, messages)
    expected = git(repo, "rev-list", "HEAD").split()
    commits = list(iter_commits(repo, progress=False))
    assert [c.sha for c in commits] == expected
    assert commits[-1].message == "commit 0\n\n" + "x" * 200_000  # kept exactly as stored
    assert commits[0].message == "commit 5999\n\nbody 5999 é\n"
    assert all(c.parents == (expected[i + 1],) for i, c in enumerate(commits[:-1]))


def test_stopping_early_ends_git(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    fast_import(repo, [f"commit {i}\n".encode() for i in range(3_000)])
    stream = iter_commits(repo, progress=False)
    first = next(stream)
    stream.close()  # must not hang waiting for git to finish writing
    assert first.sha == git(repo, "rev-parse", "HEAD").strip()


def test_stopping_early_with_progress_ends_git(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    fast_import(repo, [f"commit {i}\n".encode() for i in range(12_000)])
    stream = iter_commits(repo, progress=True)
    taken = [next(stream) for _ in range(6_000)]  # past the point where the spinner starts
    stream.close()
    assert [c.sha for c in taken] == git(repo, "rev-list", "-n", "6000", "HEAD").split()


@pytest.mark.parametrize("progress", [pytest.param(True, id="on"), pytest.param(False, id="off")])
def test_progress_does_not_change_the_commits(make_repo: MakeRepo, progress: bool,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    repo = make_repo("repo")
    fast_import(repo, [f"commit {i}\n".encode() for i in range(6_000)])
    shas = [c.sha for c in iter_commits(repo, progress=progress)]
    assert shas == git(repo, "rev-list", "HEAD").split()
    if not progress:
        assert capfd.readouterr().err == ""
