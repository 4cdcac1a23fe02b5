"""Shared fixtures: real git repositories built in temporary folders."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2026-01-05T10:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-05T10:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> str:
    """Run git in REPO with a fixed identity and clock; return stdout."""
    full_env = {**os.environ, **GIT_ENV, **(env or {})}
    proc = subprocess.run(["git", "-C", str(repo), *args], env=full_env, input=input,
                          capture_output=True, text=True, check=True)
    return proc.stdout


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], Path]:
    """A factory for empty git repositories (branch main) under tmp_path."""

    def factory(name: str = "repo") -> Path:
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        return repo

    return factory


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep caches (parsed API specs) out of the user's own cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
