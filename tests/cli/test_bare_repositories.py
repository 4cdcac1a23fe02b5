"""Bare repositories (mirrors, CI caches): every command that takes `--repo` answers as it does
in a clone with a work tree, since everything it reads comes from commits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import cli
from tests.cli.test_apidiff_cli import V1, V2_BREAKING
from tests.conftest import git

MakeRepo = Callable[[str], Path]
SIGNED = "Signed-off-by: Test Author <author@example.com>"
POLICY = """charter: 1
extends: llm-d
project: {name: demo}
pull_requests:
  api: {specs: [api/openapi.yaml]}
"""


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    for path, text in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        git(repo, "add", path)
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def clones(make_repo: MakeRepo, tmp_path: Path) -> tuple[Path, Path]:
    """A repository with a policy, owners, an API and a pull request, and its bare clone."""
    work = make_repo("work")
    commit(work, {"charter.yaml": POLICY, "OWNERS": "approvers: [alice]\n",
                  "pkg/OWNERS": "approvers: [bob]\nfilters:\n  '.*': {approvers: [carol]}\n",
                  "CODEOWNERS": "* @org/team\n", "api/openapi.yaml": V1},
           f"Add the project\n\nEverything starts here.\n\n{SIGNED}")
    git(work, "checkout", "-q", "-b", "pr")
    commit(work, {"api/openapi.yaml": V2_BREAKING, "pkg/a.py": "x = 1\n"},
           "Change the API without a sign-off, under a title far longer than the limit")
    git(work, "checkout", "-q", "main")
    bare = tmp_path / "mirror.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return work, bare


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", [
    pytest.param(["check", "--json"], id="check-everything-the-committed-policy-enables"),
    pytest.param(["check", "--json", "--range", "main..pr"], id="check-a-range"),
    pytest.param(["check", "dco", "commits", "--format", "sarif", "--range", "pr"],
                 id="check-sarif"),
    pytest.param(["owners", "pkg/a.py", "README.md", "--json"], id="owners"),
    pytest.param(["owners", "pkg/a.py", "--rev", "pr", "--json"], id="owners-at-a-revision"),
    pytest.param(["apidiff", "main:api/openapi.yaml", "pr:api/openapi.yaml", "--json"],
                 id="apidiff"),
    pytest.param(["gate", "--base", "main", "--head", "pr", "--author", "dave",
                  "--approved-by", "bob", "--json"], id="gate"),
])
def test_bare_repository_answers_like_its_work_tree(clones: tuple[Path, Path],
                                                    args: list[str]) -> None:
    work, bare = clones
    if args[0] == "check":
        git(work, "checkout", "-q", "pr")  # the work tree's charter.yaml and HEAD are pr's
        git(bare, "symbolic-ref", "HEAD", "refs/heads/pr")
    code, out, err = run(*args, "--repo", str(work))
    assert run(*args, "--repo", str(bare)) == (code, out, err)
    assert code in (0, 1) and json.loads(out)


def test_check_reads_the_committed_policy_of_a_bare_repository(clones: tuple[Path, Path]) -> None:
    _, bare = clones
    code, out, _ = run("check", "commits", "--repo", str(bare), "--range", "main..pr", "--json")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    # llm-d (the committed policy) requires a body; the built-in defaults only recommend one.
    assert code == 1 and "commits.body-missing" in rules
    assert all(f["severity"] == "error" for f in json.loads(out)["findings"])


@pytest.mark.parametrize("folder", ["not-a-repo", "missing"])
def test_a_folder_that_is_not_a_repository_is_still_refused(tmp_path: Path, folder: str) -> None:
    from charter.cli import main

    path = tmp_path / folder
    if folder == "not-a-repo":
        path.mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--repo", str(path)])
    assert exit_info.value.code == 2
