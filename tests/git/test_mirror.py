"""Bare mirrors: fetched from a local bare remote under an allowed root, never from elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.git.mirror import Mirror, MirrorError, Remote, checked_name, checked_ref
from tests.conftest import git


def _remote(tmp_path: Path) -> tuple[Path, str]:
    """A work repository pushed to ROOT/octo/app.git with a PR ref; returns (root, head)."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "a.txt").write_text("a\n")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "Add a")
    root = tmp_path / "remotes"
    (root / "octo").mkdir(parents=True)
    git(tmp_path, "clone", "-q", "--bare", str(work), str(root / "octo" / "app.git"))
    (work / "b.txt").write_text("b\n")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "Add b")
    head = git(work, "rev-parse", "HEAD").strip()
    git(work, "push", "-q", str(root / "octo" / "app.git"), "HEAD:refs/pull/7/head")
    return root, head


def test_fetch_brings_the_base_and_the_pull_request_head(tmp_path: Path) -> None:
    root, head = _remote(tmp_path)
    mirror = Mirror(tmp_path / "mirrors", Remote(root.as_uri()))
    path = mirror.fetch("octo/app", ["refs/heads/main", "refs/pull/7/head"])
    assert path == tmp_path / "mirrors" / "octo" / "app.git"
    assert mirror.resolve("octo/app", "refs/pull/7/head") == head
    assert mirror.has("octo/app", head)
    assert mirror.resolve("octo/app", "refs/heads/main") != head
    # A second fetch reuses the mirror.
    assert mirror.fetch("octo/app", ["refs/pull/7/head"]) == path


@pytest.mark.parametrize("name", [
    pytest.param("../etc", id="dot-dot-owner"), pytest.param("octo/..", id="dot-dot-name"),
    pytest.param("octo/a/b", id="extra-slash"), pytest.param("-c/x", id="option"),
    pytest.param("octo", id="no-slash"), pytest.param("octo/app.", id="trailing-dot"),
    pytest.param("/abs/x", id="absolute"),
])
def test_hostile_repository_names_are_refused(name: str) -> None:
    with pytest.raises(MirrorError):
        checked_name(name)


@pytest.mark.parametrize("ref", ["refs/heads/../x", "-upload-pack=evil", "refs/heads/a.lock",
                                 "refs/heads/a b", "refs//x"])
def test_hostile_refs_are_refused(ref: str) -> None:
    with pytest.raises(MirrorError):
        checked_ref(ref)


@pytest.mark.parametrize("base", ["ssh://github.com", "file://host/x", "file:relative",
                                  "https://github.com/?q=1", "ext::sh -c evil"])
def test_remote_bases_other_than_https_or_a_local_root_are_refused(base: str) -> None:
    with pytest.raises(CharterError):
        Remote(base)


def test_the_remote_is_built_from_the_name_not_taken_from_a_payload(tmp_path: Path) -> None:
    assert Remote("https://github.com").url("octo/app") == "https://github.com/octo/app.git"
    root = tmp_path / "remotes"
    (root / "octo").mkdir(parents=True)
    # A symbolic link under the root that leads elsewhere is refused.
    os.symlink(tmp_path, root / "octo" / "escape.git")
    with pytest.raises(MirrorError, match="outside"):
        Remote(root.as_uri()).url("octo/escape")


def test_a_failed_fetch_names_git_s_reason(tmp_path: Path) -> None:
    root, _ = _remote(tmp_path)
    mirror = Mirror(tmp_path / "mirrors", Remote(root.as_uri()))
    with pytest.raises(MirrorError, match="git fetch failed"):
        mirror.fetch("octo/missing", ["refs/heads/main"])
