"""`charter owners`: the JSON contract of cli.md, the table, and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.cli import main
from tests.conftest import git

MakeRepo = Callable[[str], Path]

FILES = {
    "OWNERS": "approvers: [Alice]\nreviewers: [carol]\n",
    "pkg/a/OWNERS": "approvers: [bob]\n",
    ".github/CODEOWNERS": "* @org/all\npkg/a/ @org/team-a\n",
    "pkg/a/b.go": "package a\n",
}


def build(make_repo: MakeRepo, files: dict[str, str]) -> Path:
    repo = make_repo("repo")
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tree")
    return repo


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape_matches_cli_md(make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
                                   ) -> None:
    repo = build(make_repo, FILES)
    code, out, _ = run(["owners", "pkg/a/b.go", "docs/new.md", "--repo", str(repo), "--json"],
                       capsys)
    assert code == 0
    assert json.loads(out) == {"files": {
        "pkg/a/b.go": {"approvers": ["alice", "bob"], "reviewers": ["carol"],
                       "leaf_approvers": ["bob"], "owners_file": "pkg/a/OWNERS",
                       "codeowners": ["@org/team-a"]},
        "docs/new.md": {"approvers": ["alice"], "reviewers": ["carol"],
                        "leaf_approvers": ["alice"], "owners_file": "OWNERS",
                        "codeowners": ["@org/all"]},
    }}


def test_codeowners_null_without_file_and_rev_option(make_repo: MakeRepo,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    repo = build(make_repo, {"OWNERS": "approvers: [old]\n"})
    (repo / "OWNERS").write_text("approvers: [new]\n")
    git(repo, "commit", "-q", "-am", "new approvers")
    code, out, _ = run(["owners", "x", "--repo", str(repo), "--rev", "HEAD~1", "--json"], capsys)
    assert code == 0
    assert json.loads(out)["files"]["x"] == {"approvers": ["old"], "reviewers": [],
                                             "leaf_approvers": ["old"], "owners_file": "OWNERS",
                                             "codeowners": None}


def test_table(make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo = build(make_repo, FILES)
    code, out, _ = run(["owners", "pkg/a/b.go", "--repo", str(repo)], capsys)
    assert code == 0
    for text in ("pkg/a/b.go", "alice", "bob", "carol", "pkg/a/OWNERS", "@org/team-a"):
        assert text in out


def test_absolute_path_inside_repo(make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
                                   ) -> None:
    repo = build(make_repo, FILES)
    code, out, _ = run(["owners", str(repo / "pkg/a/b.go"), "--repo", str(repo), "--json"],
                       capsys)
    assert code == 0 and list(json.loads(out)["files"]) == ["pkg/a/b.go"]


def test_broken_owners_answered_as_prow_with_warning(make_repo: MakeRepo,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    repo = build(make_repo, {"OWNERS": "approvers: [root]\n",
                             "pkg/OWNERS": "approvers: [bob\n",
                             "OWNERS_ALIASES": "aliases: [\n"})
    code, out, err = run(["owners", "pkg/x.go", "--repo", str(repo), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["files"]["pkg/x.go"]["approvers"] == ["root"]
    assert "pkg/OWNERS:1" in err and "OWNERS_ALIASES" in err and "Traceback" not in err


@pytest.mark.parametrize(("case", "message"), [
    pytest.param("not-a-repo", "not a git repository", id="not-a-repo"),
    pytest.param("unknown-rev", "unknown revision", id="unknown-revision"),
    pytest.param("outside", "outside the repository", id="path-outside-repo"),
    pytest.param("no-paths", "Missing argument", id="no-paths"),
])
def test_bad_input_exits_2(make_repo: MakeRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                           case: str, message: str) -> None:
    repo = build(make_repo, FILES)
    args = {"not-a-repo": ["owners", "x", "--repo", str(tmp_path)],
            "unknown-rev": ["owners", "x", "--repo", str(repo), "--rev", "nope"],
            "outside": ["owners", "../x", "--repo", str(repo)],
            "no-paths": ["owners", "--repo", str(repo)]}[case]
    code, _, err = run(args, capsys)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("charter:")]) <= 1
