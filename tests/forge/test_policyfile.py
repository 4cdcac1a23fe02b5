"""The policy file read from one commit: `.github/charter.yaml` first, `extends:` confined to
that commit's tree, size-capped, and errors naming the file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.forge.policyfile import read_policy
from charter.yamlio import MAX_YAML_BYTES
from tests.conftest import git

BASE = "charter: 1\nproject: {name: Base}\nroles: [maintainer]\n"


def commit(repo: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Policy")
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize(("files", "path", "name"), [
    pytest.param({"charter.yaml": BASE}, "charter.yaml", "Base", id="top-level"),
    pytest.param({"charter.yaml": BASE, ".github/charter.yaml": BASE.replace("Base", "Gh")},
                 ".github/charter.yaml", "Gh", id="github-folder-first"),
    pytest.param({".github/base.yaml": BASE,
                  ".github/charter.yaml": "extends: base.yaml\nproject: {name: Child}\n"},
                 ".github/charter.yaml", "Child", id="extends-a-file-in-the-tree"),
    pytest.param({"charter.yaml": "extends: llm-d\n"}, "charter.yaml", "llm-d",
                 id="extends-a-preset"),
])
def test_the_policy_at_a_commit(make_repo: Callable[[str], Path], files: dict[str, str],
                                path: str, name: str) -> None:
    repo = make_repo("repo")
    rev = commit(repo, files)
    found = read_policy(repo, rev)
    assert found is not None and found.path == path
    assert found.loaded.policy.project.name == name


def test_no_policy_file_is_none(make_repo: Callable[[str], Path]) -> None:
    repo = make_repo("repo")
    assert read_policy(repo, commit(repo, {"README.md": "hi\n"})) is None


@pytest.mark.parametrize(("files", "message"), [
    pytest.param({"charter.yaml": "extends: ../../../etc/passwd\n"}, "outside the repository",
                 id="extends-outside"),
    pytest.param({"charter.yaml": "extends: /etc/passwd\n"}, "outside the repository",
                 id="extends-absolute"),
    pytest.param({"charter.yaml": "extends: other.yaml\n"}, "does not exist",
                 id="extends-a-file-only-on-disk"),
    pytest.param({"charter.yaml": "x" * (MAX_YAML_BYTES + 1)}, "limit", id="too-large"),
    pytest.param({"charter.yaml": BASE + "roles: maintainer\n"}, "charter.yaml:4",
                 id="names-the-line"),
    pytest.param({"charter.yaml": "- a list\n"}, "mapping", id="not-a-mapping"),
])
def test_refused(make_repo: Callable[[str], Path], files: dict[str, str], message: str) -> None:
    repo = make_repo("repo")
    rev = commit(repo, files)
    (repo / "other.yaml").write_text(BASE)  # in the work tree, never committed
    with pytest.raises(CharterError) as caught:
        read_policy(repo, rev)
    assert message in "; ".join(e.render_one() for e in caught.value.problems)
