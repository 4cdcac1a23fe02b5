"""Finding the repository: work trees, their subfolders, bare repositories, and non-repositories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.git.command import ensure_repo, is_bare
from charter.git.history import iter_commits
from tests.conftest import git

MakeRepo = Callable[[str], Path]


@pytest.fixture
def layout(make_repo: MakeRepo, tmp_path: Path) -> Path:
    work = make_repo("work")
    (work / "sub").mkdir()
    (work / "sub" / "f.txt").write_text("x\n")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "Add f\n\nIt is needed.")
    git(tmp_path, "clone", "-q", "--bare", str(work), str(tmp_path / "mirror.git"))
    (tmp_path / "plain").mkdir()
    return tmp_path


@pytest.mark.parametrize(("given", "top", "bare"), [
    pytest.param("work", "work", False, id="work-tree"),
    pytest.param("work/sub", "work", False, id="subfolder-of-a-work-tree"),
    pytest.param("mirror.git", "mirror.git", True, id="bare"),
    pytest.param("work/.git", "work/.git", True, id="inside-the-git-folder"),
])
def test_ensure_repo_finds_where_git_runs(layout: Path, given: str, top: str,
                                          bare: bool) -> None:
    found = ensure_repo(layout / given)
    assert found.resolve() == (layout / top).resolve()
    assert is_bare(layout / given) is bare
    # The history reads the same in every case.
    assert [c.message for c in iter_commits(layout / given, progress=False)] == [
        "Add f\n\nIt is needed.\n"]


@pytest.mark.parametrize(("given", "words"), [
    pytest.param("plain", "not a git repository", id="plain-folder"),
    pytest.param("missing", "no such folder", id="missing-folder"),
])
def test_ensure_repo_refuses_what_is_not_a_repository(layout: Path, given: str,
                                                      words: str) -> None:
    with pytest.raises(CharterError, match=words):
        ensure_repo(layout / given)
