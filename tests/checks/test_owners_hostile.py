"""Ownership files a pull request's author can make hostile: bytes that are not UTF-8, YAML
alias bombs, symlinks, oversized files. `charter check owners`, `charter owners` and
`charter gate` must each answer as Prow and GitHub do, name the file and line, and never crash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.checks.owners.owners_yaml import YamlFailure, compose
from charter.checks.owners.repo_owners import MAX_OWNERS_BYTES
from charter.cli import main
from tests.conftest import git

MakeRepo = Callable[[str], Path]
SIGNED = "Signed-off-by: Test Author <author@example.com>"


class Link(str):
    """A file written as a symlink to this target."""


def laughs(levels: int, fanout: int, indent: str = "") -> str:
    """The "billion laughs" document: each anchor lists FANOUT aliases of the one before."""
    lines = [f"{indent}a0: &a0 lol"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * fanout)
        lines.append(f"{indent}a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


BOMB = laughs(9, 9, indent="  ")
# The same growth through merge keys: each mapping merges nine copies of the one before.
MERGES = "x:\n  m0: &m0 {k: v}\n" + "".join(
    f"  m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * 9)}]}}\n"
    for level in range(1, 10)) + "options: *m9\napprovers: [bob]\n"

# name: (files, findings as (rule, path, line), approvers of pkg/x, CODEOWNERS owners of docs/x)
CASES: dict[str, tuple[dict[str, bytes | Link], list[tuple[str, str, int | None]],
                       list[str], list[str] | None]] = {
    "owners-not-utf8": (
        {"OWNERS": b"approvers: [root]\n", "pkg/OWNERS": b"approvers: [al\xffice]\n"},
        [("owners.encoding", "pkg/OWNERS", 1)], ["root"], None),
    "owners-not-utf8-deep-in-the-file": (
        {"OWNERS": b"approvers: [root]\n",
         "pkg/OWNERS": b"approvers:\n  - bob\n  - al\xe9ice\n"},
        [("owners.encoding", "pkg/OWNERS", 3)], ["root"], None),
    "aliases-not-utf8": (
        {"OWNERS": b"approvers: [team]\n", "OWNERS_ALIASES": b"aliases:\n  team: [b\xffob]\n"},
        [("owners.aliases-invalid", "OWNERS_ALIASES", 2)], ["team"], None),
    "codeowners-not-utf8": (
        {"OWNERS": b"approvers: [root]\n", "CODEOWNERS": b"* @all\ndocs/ @d\xffocs\n"},
        [("codeowners.encoding", "CODEOWNERS", 2)], ["root"], ["@all"]),
    "utf16-with-bom-is-read-as-go-yaml-reads-it": (
        {"OWNERS": "approvers: [alice]\n".encode("utf-16")}, [], ["alice"], None),
    "utf8-bom": ({"OWNERS": b"\xef\xbb\xbfapprovers: [alice]\n"}, [], ["alice"], None),
    "control-character": (
        {"OWNERS": b"approvers: [root]\n", "pkg/OWNERS": b"reviewers: [bob]\napprovers: [a\x01]\n"},
        [("owners.yaml-invalid", "pkg/OWNERS", 2)], ["root"], None),
    "alias-bomb-in-owners": (
        {"OWNERS": b"approvers: [root]\n",
         "pkg/OWNERS": f"approvers: [bob]\nx:\n{BOMB}".encode()},
        [("owners.yaml-invalid", "pkg/OWNERS", 7)], ["root"], None),
    "alias-bomb-in-aliases": (
        {"OWNERS": b"approvers: [team]\n",
         "OWNERS_ALIASES": f"aliases:\n  team: [bob]\nx:\n{BOMB}".encode()},
        [("owners.aliases-invalid", "OWNERS_ALIASES", 8)], ["team"], None),
    "merge-key-bomb": (
        {"OWNERS": b"approvers: [root]\n", "pkg/OWNERS": MERGES.encode()},
        [("owners.yaml-invalid", "pkg/OWNERS", 6)], ["root"], None),
    "anchor-containing-itself": (
        {"OWNERS": b"approvers: [root]\n", "pkg/OWNERS": b"approvers: &a [bob, *a]\n"},
        [("owners.yaml-invalid", "pkg/OWNERS", 1)], ["root"], None),
    "a-few-aliases-are-fine": (
        {"OWNERS": b"approvers: &x [alice, bob]\nreviewers: *x\n"}, [], ["alice", "bob"], None),
    "symlinked-owners": (
        {"OWNERS": b"approvers: [root]\n", "real/OWNERS": b"approvers: [bob]\n",
         "pkg/OWNERS": Link("../real/OWNERS")},
        [("owners.symlink-ignored", "pkg/OWNERS", None)], ["root"], None),
    "symlinked-aliases-inside-the-repository-are-followed-like-prow": (
        {"OWNERS": b"approvers: [team]\n", "config/aliases.yaml": b"aliases:\n  team: [bob]\n",
         "OWNERS_ALIASES": Link("config/aliases.yaml")}, [], ["bob"], None),
    "symlinked-aliases-outside-the-repository": (
        {"OWNERS": b"approvers: [team]\n", "OWNERS_ALIASES": Link("../../etc/passwd")},
        [("owners.aliases-invalid", "OWNERS_ALIASES", None)], ["team"], None),
    "symlinked-codeowners": (
        {"OWNERS": b"approvers: [root]\n", "real": b"* @all\n", "CODEOWNERS": Link("real")},
        [("codeowners.symlink-ignored", "CODEOWNERS", None)], ["root"], None),
    "oversized-owners": (
        {"OWNERS": b"approvers: [root]\n",
         "pkg/OWNERS": b"approvers: [bob]\n" + b"#" * MAX_OWNERS_BYTES + b"\n"},
        [("owners.too-large", "pkg/OWNERS", None)], ["root"], None),
}


def build(make_repo: MakeRepo, files: dict[str, bytes | Link]) -> Path:
    """A repository with FILES on main, and a branch `pr` changing pkg/x and docs/x."""
    repo = make_repo("repo")
    for path, content in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            os.symlink(str(content), target)
        else:
            target.write_bytes(content)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"Add files\n\nThe test needs them.\n\n{SIGNED}")
    git(repo, "checkout", "-q", "-b", "pr")
    for path in ("pkg/x", "docs/x"):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("change\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"Change files\n\nThe test needs it.\n\n{SIGNED}")
    return repo


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = int(main(args) or 0)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


needs_symlinks = pytest.mark.skipif(os.name == "nt", reason="symlinks")


@needs_symlinks
@pytest.mark.parametrize("name", list(CASES))
def test_check_owners_reports_the_file_and_line(make_repo: MakeRepo, name: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    files, findings, _, _ = CASES[name]
    repo = build(make_repo, files)
    code, out, err = run(["check", "owners", "--repo", str(repo), "--format", "json"], capsys)
    assert code == (1 if findings else 0), err
    got = [(f["rule"], f["path"], f["line"]) for f in json.loads(out)["findings"]]
    assert got == findings


@needs_symlinks
@pytest.mark.parametrize("name", list(CASES))
def test_charter_owners_answers_as_prow_and_warns(make_repo: MakeRepo, name: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    files, findings, approvers, codeowners = CASES[name]
    repo = build(make_repo, files)
    code, out, err = run(["owners", "pkg/x", "docs/x", "--repo", str(repo), "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)["files"]
    assert result["pkg/x"]["approvers"] == approvers
    assert result["docs/x"]["codeowners"] == codeowners
    for rule, path, line in findings:
        where = f"{path}:{line}" if line else path
        assert f"charter: warning: {where}" in err, (rule, err)


@needs_symlinks
@pytest.mark.parametrize("name", list(CASES))
def test_gate_does_not_crash(make_repo: MakeRepo, name: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    files, _, approvers, _ = CASES[name]
    repo = build(make_repo, files)
    code, out, err = run(["gate", "--repo", str(repo), "--base", "main", "--head", "pr",
                          "--author", "someone", "--approved-by", approvers[0], "--json"],
                         capsys)
    assert code in (0, 1), err
    approval = next(r for r in json.loads(out)["requirements"] if r["rule"] == "approval.owners")
    # The approver Prow takes for pkg/x approves both changed files (docs/x is the root's).
    assert approval["met"], approval["message"]


@pytest.mark.parametrize(("levels", "fanout", "refused"), [
    # go-yaml refuses a document once more than 99% of what it decoded (past 1,000 decodes and
    # 100 aliases) came from alias expansion.
    pytest.param(3, 10, False, id="a thousand laughs"),
    pytest.param(4, 10, True, id="ten thousand laughs"),
    pytest.param(9, 9, True, id="nine levels"),
    pytest.param(30, 2, True, id="thirty levels of two"),
])
def test_alias_expansion_is_capped_as_go_yaml_caps_it(levels: int, fanout: int,
                                                      refused: bool) -> None:
    text = laughs(levels, fanout)
    if refused:
        with pytest.raises(YamlFailure, match="excessive aliasing"):
            compose(text)
    else:
        assert compose(text) is not None


@pytest.mark.parametrize(("text", "line"), [
    pytest.param("a: \udcff\n", 1, id="surrogate-escaped-byte"),
    pytest.param("a: b\nc: \ud800\n", 2, id="lone-surrogate"),
])
def test_text_that_is_not_utf8_is_refused_with_its_line(text: str, line: int) -> None:
    with pytest.raises(YamlFailure) as caught:
        compose(text)
    assert caught.value.encoding and caught.value.line == line


LONG = "x" * 5000
LONG_KEY = "x" * 1000  # YAML allows at most 1,024 characters in a key written without `?`

# name: (files, the finding's rule); each quotes a long value from the file.
LONG_VALUES: dict[str, tuple[dict[str, bytes | Link], str]] = {
    "codeowners-owner": ({"CODEOWNERS": f"* @a {LONG}\n".encode()}, "codeowners.owner-invalid"),
    "codeowners-pattern": ({"CODEOWNERS": f"[{LONG} @a\n".encode()},
                           "codeowners.pattern-invalid"),
    "owners-key": ({"OWNERS": f"approvers: [a]\n{LONG_KEY}: 1\n".encode()},
                   "owners.unknown-key"),
    "owners-filter": ({"OWNERS": f"filters:\n  '({LONG_KEY}':\n    approvers: [a]\n".encode()},
                      "owners.filter-regexp-invalid"),
    "nested-alias": ({"OWNERS": b"approvers: [t]\n", "OWNERS_ALIASES":
                      f"aliases:\n  t: [{LONG_KEY}]\n  {LONG_KEY}: [b]\n".encode()},
                     "owners.nested-alias"),
}


@pytest.mark.parametrize("name", list(LONG_VALUES))
def test_findings_quote_long_values_in_short_excerpts(make_repo: MakeRepo, name: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    # found by tests/test_fuzz_inputs.py: a 10,000-character owner was quoted whole
    files, rule = LONG_VALUES[name]
    repo = build(make_repo, files)
    _, out, _ = run(["check", "owners", "--repo", str(repo), "--format", "json"], capsys)
    [finding] = [f for f in json.loads(out)["findings"] if f["rule"] == rule]
    assert "xxxx…" in finding["message"] and len(finding["message"]) < 600
    _, _, err = run(["owners", "a", "--repo", str(repo)], capsys)
    assert all(len(line) < 600 for line in err.splitlines())
