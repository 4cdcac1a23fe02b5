"""The `commits` check on real repositories: title length, body, Conventional Commits, merges."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.checks.commits import (
    CommitRules,
    check_commits,
    commit_checker,
    has_body,
    trailer_block,
)
from charter.git.history import iter_commits
from tests.conftest import GIT_ENV, git

MakeRepo = Callable[[str], Path]
SOB = "Signed-off-by: Test Author <author@example.com>"
BODY = "\n\nThe parser dropped the last token; keep it.\n"
QUIET = CommitRules(body="optional")  # only the rule under test speaks


def commit(repo: Path, message: str) -> str:
    git(repo, "commit", "-q", "--allow-empty", "--allow-empty-message", "--cleanup=verbatim",
        "-F", "-", input=message)
    return git(repo, "rev-parse", "HEAD").strip()


def findings(make_repo: MakeRepo, message: str, rules: CommitRules) -> set[tuple[str, str]]:
    """{(rule, severity)} for one commit with MESSAGE, checked against RULES."""
    repo = make_repo("repo")
    sha = commit(repo, message)
    found = list(check_commits(iter_commits(repo, progress=False), rules))
    assert all(f.check == "commits" and f.commit == sha for f in found)
    assert all(sha[:12] in f.message for f in found)
    return {(f.rule, f.severity) for f in found}


TOO_LONG = {("commits.title-too-long", "error")}


@pytest.mark.parametrize(("title", "rules", "expected"), [
    pytest.param("a" * 72, QUIET, set(), id="exactly-72"),
    pytest.param("a" * 73, QUIET, TOO_LONG, id="73-is-too-long"),
    pytest.param("é" * 72, QUIET, set(), id="characters-not-bytes"),
    pytest.param("日本語" * 24, QUIET, set(), id="cjk-72-characters"),
    pytest.param("日本語" * 24 + "x", QUIET, TOO_LONG, id="cjk-73-characters"),
    pytest.param("a" * 50 + "   ", CommitRules(title_max=50, body="optional"), set(),
                 id="trailing-spaces-ignored"),
    pytest.param("a" * 51, CommitRules(title_max=50, body="optional"), TOO_LONG,
                 id="custom-limit"),
])
def test_title_length(make_repo: MakeRepo, title: str, rules: CommitRules,
                      expected: set[tuple[str, str]]) -> None:
    assert findings(make_repo, title + BODY, rules) == expected


def test_title_length_message_gives_numbers(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    commit(repo, "é" * 80 + "\n")
    [finding] = check_commits(iter_commits(repo, progress=False), QUIET)
    assert "80 characters, the limit is 72" in finding.message


@pytest.mark.parametrize(("message", "body", "expected"), [
    pytest.param("Fix the parser" + BODY, "required", set(), id="body-present"),
    pytest.param("Fix the parser\n", "required", {("commits.body-missing", "error")},
                 id="required-missing"),
    pytest.param("Fix the parser\n", "recommended", {("commits.body-missing", "warning")},
                 id="recommended-missing"),
    pytest.param("Fix the parser\n", "optional", set(), id="optional-missing"),
    pytest.param(f"Fix the parser\n\n{SOB}\n", "required", {("commits.body-missing", "error")},
                 id="trailers-are-not-a-body"),
    pytest.param(f"Fix the parser\n\nfix: keep the last token\n\n{SOB}\n", "required", set(),
                 id="trailer-shaped-paragraph-before-the-last-is-a-body"),
    pytest.param(f"Fix the parser{BODY}\n{SOB}\n", "required", set(), id="body-and-trailers"),
    pytest.param(f"Fix the parser\n\nSee the issue.\n{SOB}\n", "required",
                 {("commits.body-missing", "error")}, id="prose-inside-the-trailer-block"),
    pytest.param("Fix the parser\n\n    code sample\n", "required", set(),
                 id="indented-text-is-a-body"),
    pytest.param("Fix the parser\n\n\n   \n", "required", {("commits.body-missing", "error")},
                 id="blank-lines-only"),
])
def test_body(make_repo: MakeRepo, message: str, body: str,
              expected: set[tuple[str, str]]) -> None:
    rules = CommitRules(body=body)  # type: ignore[arg-type]
    assert findings(make_repo, message, rules) == expected


NOT_CONVENTIONAL = {("commits.not-conventional", "error")}
BAD_TYPE = {("commits.conventional-type", "error")}
STANDARD = CommitRules(conventional=True, body="optional")
CUSTOM = CommitRules(conventional=("feat", "fix", "deps"), body="optional")


@pytest.mark.parametrize(("message", "rules", "expected"), [
    pytest.param("feat: add a parser", STANDARD, set(), id="type-only"),
    pytest.param("fix(parser): keep the last token", STANDARD, set(), id="with-scope"),
    pytest.param("feat!: drop the v1 API", STANDARD, set(), id="breaking-bang"),
    pytest.param("feat(api)!: drop the v1 API", STANDARD, set(), id="scope-and-bang"),
    pytest.param("FEAT: shout", STANDARD, set(), id="type-case-insensitive"),
    pytest.param("revert: undo the parser", STANDARD, set(), id="revert-type"),
    pytest.param("feature: add a parser", STANDARD, BAD_TYPE, id="unknown-type"),
    pytest.param("deps: bump yaml", STANDARD, BAD_TYPE, id="custom-type-not-standard"),
    pytest.param("deps: bump yaml", CUSTOM, set(), id="custom-type-allowed"),
    pytest.param("docs: explain", CUSTOM, BAD_TYPE, id="standard-type-not-in-custom-list"),
    pytest.param("Add a parser", STANDARD, NOT_CONVENTIONAL, id="no-type"),
    pytest.param("feat:add a parser", STANDARD, NOT_CONVENTIONAL, id="no-space-after-colon"),
    pytest.param("feat:  add a parser", STANDARD, NOT_CONVENTIONAL, id="two-spaces"),
    pytest.param("feat: ", STANDARD, NOT_CONVENTIONAL, id="empty-description"),
    pytest.param("feat (parser): add", STANDARD, NOT_CONVENTIONAL, id="space-before-scope"),
    pytest.param("feat(): add", STANDARD, NOT_CONVENTIONAL, id="empty-scope"),
    pytest.param("feat(a)(b): add", STANDARD, NOT_CONVENTIONAL, id="two-scopes"),
    pytest.param("feat!(api): add", STANDARD, NOT_CONVENTIONAL, id="bang-before-scope"),
    pytest.param("feat: add\nmore header", STANDARD, NOT_CONVENTIONAL,
                 id="no-blank-line-after-header"),
    pytest.param("feat: add\n\nBody.\n\nBREAKING CHANGE: the API moved", STANDARD, set(),
                 id="breaking-change-footer"),
    pytest.param("feat: add\n\nBody.\n\nBREAKING-CHANGE: the API moved", STANDARD, set(),
                 id="breaking-change-dash-footer"),
    pytest.param("feat: add\n\nBody.\n\nbreaking change: the API moved", STANDARD,
                 NOT_CONVENTIONAL, id="breaking-change-lower-case"),
    pytest.param("Add a parser", QUIET, set(), id="not-asked"),
])
def test_conventional(make_repo: MakeRepo, message: str, rules: CommitRules,
                      expected: set[tuple[str, str]]) -> None:
    assert findings(make_repo, message + "\n", rules) == expected


def test_unknown_type_message_lists_allowed_types(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    commit(repo, "deps: bump\n")
    [finding] = check_commits(iter_commits(repo, progress=False), STANDARD)
    assert "'deps'" in finding.message and "feat, fix, perf" in finding.message


def test_empty_title(make_repo: MakeRepo) -> None:
    assert findings(make_repo, "\n\nOnly a body here.\n", STANDARD) == {
        ("commits.title-empty", "error")}


def make_merge(make_repo: MakeRepo) -> tuple[Path, str]:
    repo = make_repo("repo")
    base = commit(repo, "Base" + BODY)
    git(repo, "checkout", "-q", "-b", "side")
    side = commit(repo, "Side work" + BODY)
    git(repo, "checkout", "-q", "main")
    main = commit(repo, "Main work" + BODY)
    title = "Merge branch 'side' into main, with a title far longer than the limit allows"
    sha = git(repo, "commit-tree", f"{main}^{{tree}}", "-p", main, "-p", side,
              "-m", title).strip()
    git(repo, "update-ref", "refs/heads/main", sha)
    assert base
    return repo, sha


@pytest.mark.parametrize(("merges", "expected"), [
    pytest.param("forbidden", {"commits.merge-commit"}, id="forbidden"),
    pytest.param("allowed", set(), id="allowed"),
])
def test_merge_commits(make_repo: MakeRepo, merges: str, expected: set[str]) -> None:
    repo, merge_sha = make_merge(make_repo)
    rules = CommitRules(merges=merges, conventional=False, body="required")  # type: ignore[arg-type]
    found = list(check_commits(iter_commits(repo, progress=False), rules))
    # Only the merge itself is judged: its long, bodiless, git-written title is not.
    assert {(f.rule, f.commit) for f in found} == {(rule, merge_sha) for rule in expected}
    assert all("git rebase" in f.message for f in found)


def test_commit_checker_matches_check_commits(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    for message in ("feat: fine" + BODY, "bad title\n", "x" * 90 + "\n"):
        commit(repo, message)
    rules = CommitRules(conventional=True)
    commits = list(iter_commits(repo, progress=False))
    one_by_one = [f for c in commits for f in commit_checker(rules)(c)]
    assert one_by_one == list(check_commits(commits, rules))
    assert len(one_by_one) == 5  # long title; two not-conventional; two body warnings


SOB_A = "Signed-off-by: Ann <ann@example.org>"
SCISSORS = "# ------------------------ >8 ------------------------"

#: (message, its trailer block as git finds it or None, whether it has a body). Git's rules:
#: the block is the last paragraph after the title's, when all its lines are trailers, or
#: when a quarter are and one is written by git (`Signed-off-by: `, `(cherry picked from
#: commit `); indented lines continue a trailer; comment lines, empty lines, `Conflicts:` at
#: the end and anything after a scissors line are not read.
TRAILER_CASES = [
    pytest.param("Title", None, False, id="title-only-no-newline"),
    pytest.param("Title\n", None, False, id="title-only"),
    pytest.param("Title\n\n\n   \n", None, False, id="blank-lines-only"),
    pytest.param("Title\n\nBody.\n", None, True, id="one-line-of-prose"),
    pytest.param("Title\nBody on the second line\n", None, True, id="no-blank-line"),
    pytest.param(f"Title\n{SOB_A}\n", None, True, id="sign-off-in-the-title-paragraph"),
    pytest.param(f"Title\n\n{SOB_A}\n", f"{SOB_A}\n", False, id="sign-off-only"),
    pytest.param("Title\n\nfix: something\n", "fix: something\n", False,
                 id="lone-trailer-shaped-line"),
    pytest.param(f"Title\n\nfix: something\n\n{SOB_A}\n", f"{SOB_A}\n", True,
                 id="trailer-shaped-paragraph-then-sign-off"),
    pytest.param(f"Title\n\nCo-authored-by: B <b@example.org>\n\n{SOB_A}\n", f"{SOB_A}\n",
                 True, id="only-the-last-paragraph-is-the-block"),
    pytest.param(f"Title\n\nBody.\n\n{SOB_A}\n", f"{SOB_A}\n", True, id="body-then-sign-off"),
    pytest.param(f"Title\n\nSee the issue.\n{SOB_A}\n", f"See the issue.\n{SOB_A}\n", False,
                 id="prose-line-with-sign-off-is-in-the-block"),
    pytest.param(f"Title\n\nOne.\nTwo.\nThree.\n{SOB_A}\n", f"One.\nTwo.\nThree.\n{SOB_A}\n",
                 False, id="three-prose-one-sign-off-is-25-percent"),
    pytest.param(f"Title\n\nOne.\nTwo.\nThree.\nFour.\n{SOB_A}\n", None, True,
                 id="four-prose-one-sign-off-is-under-25-percent"),
    pytest.param("Title\n\nSee the issue.\nCo-authored-by: B <b@example.org>\n", None, True,
                 id="prose-with-trailers-not-written-by-git"),
    pytest.param("Title\n\nA: 1\nB: 2\nOne.\nTwo.\nThree.\nFour.\nFive.\nSix.\n"
                 f"{SOB_A}\n", "A: 1\nB: 2\nOne.\nTwo.\nThree.\nFour.\nFive.\nSix.\n"
                 f"{SOB_A}\n", False, id="any-trailer-counts-toward-the-quarter"),
    pytest.param("Title\n\n(cherry picked from commit 1234abcd)\nOne.\nTwo.\nThree.\n",
                 "(cherry picked from commit 1234abcd)\nOne.\nTwo.\nThree.\n", False,
                 id="cherry-pick-line-is-written-by-git"),
    pytest.param(f"Title\n\n{SOB_A}\n  continued\n", f"{SOB_A}\n  continued\n", False,
                 id="indented-continuation"),
    pytest.param(f"Title\n\n  code sample\n{SOB_A}\n", f"  code sample\n{SOB_A}\n", False,
                 id="indented-line-before-a-trailer-continues-nothing"),
    pytest.param("Title\n\n    code sample\n", None, True, id="indented-text-is-a-body"),
    pytest.param("Title\n\n  x\n  y\nprose\nA: b\n", None, True,
                 id="continuations-of-prose-count-as-prose"),
    pytest.param("Title\n\nKey : value\n", "Key : value\n", False, id="space-before-colon"),
    pytest.param("Title\n\n-x: y\n", "-x: y\n", False, id="key-may-start-with-dash"),
    pytest.param("Title\n\nNote:\n", "Note:\n", False, id="empty-value"),
    pytest.param("Title\n\nSigned-off-by:Ann\n", "Signed-off-by:Ann\n", False,
                 id="no-space-still-a-trailer"),
    pytest.param("Title\n\nÄrger: groß\n", None, True, id="non-ascii-key-is-prose"),
    pytest.param("Title\n\nfix(parser): keep it\n", None, True, id="parenthesis-in-key"),
    pytest.param("Title\n\nFixes the bug: it crashed\n", None, True, id="space-in-key"),
    pytest.param("Title\n\nhttps://example.org/issue/1\n", "https://example.org/issue/1\n",
                 False, id="url-reads-as-a-trailer"),
    pytest.param(f"Title\n\n{SOB_A}\n\n\n\nCo-authored-by: B <b@example.org>\n\n",
                 "Co-authored-by: B <b@example.org>\n", True, id="trailer-paragraphs-apart"),
    pytest.param(f"Title\n\n{SOB_A}\nnot a trailer\n", f"{SOB_A}\nnot a trailer\n", False,
                 id="sign-off-then-prose"),
    pytest.param(f"Title\n\nBody.\n  \n{SOB_A}\n", f"{SOB_A}\n", True,
                 id="whitespace-line-separates-paragraphs"),
    pytest.param(f"Title\n\n{SOB_A}\n# a comment\n\n", f"{SOB_A}\n", True,
                 id="trailing-comment-is-not-read-but-is-text"),
    pytest.param(f"Title\n\n{SOB_A}\n# a comment\nA: b\n", f"{SOB_A}\n# a comment\nA: b\n",
                 False, id="comment-inside-the-block"),
    pytest.param("Title\n\nx: y\n# c\nprose\n", None, True, id="comment-between-prose"),
    pytest.param(f"# note\nTitle\n\n{SOB_A}\n", f"{SOB_A}\n", True,
                 id="comment-before-the-title"),
    pytest.param(f"Title\n# c\n\n{SOB_A}\n", f"{SOB_A}\n", True, id="comment-in-title-paragraph"),
    pytest.param(f"Title\n\nBody.\n{SCISSORS}\nA: b\n", None, True, id="scissors-cut"),
    pytest.param(f"Title\n\n{SOB_A}\n{SCISSORS}\nBody.\n", f"{SOB_A}\n", True,
                 id="text-after-scissors"),
    pytest.param(f"Title\n\n{SOB_A}\n\nConflicts:\n\tsrc/a.c\n", f"{SOB_A}\n", True,
                 id="old-conflicts-list-is-not-read"),
    pytest.param(f"Title\n\nConflicts:\n\tsrc/a.c\nBody.\n\n{SOB_A}\n", f"{SOB_A}\n", True,
                 id="conflicts-list-not-at-the-end"),
    pytest.param("Title\r\n\r\nBody.\r\n", None, True, id="crlf-body"),
    pytest.param(f"Title\r\n\r\n{SOB_A}\r\n", f"{SOB_A}\r\n", False, id="crlf-sign-off"),
    pytest.param(f"Title\n\n{SOB_A}", SOB_A, False, id="no-final-newline"),
    pytest.param(f"Title\n\nBody.\n\n{SOB_A}\n\n\n", f"{SOB_A}\n", True,
                 id="trailing-empty-lines"),
]


@pytest.mark.parametrize(("message", "block", "body"), TRAILER_CASES)
def test_trailer_block_and_body(message: str, block: str | None, body: bool) -> None:
    start, end = trailer_block(message)
    assert (message[start:end] if start < end else None) == block
    assert has_body(message) is body


def test_trailer_blocks_are_the_ones_git_finds(make_repo: MakeRepo) -> None:
    """Every case above, committed verbatim: `%(trailers)` prints the block git finds."""
    repo = make_repo("repo")
    tree = git(repo, "mktree", input="").strip()
    shas = [git(repo, "commit-tree", tree, input=p.values[0]).strip()  # type: ignore[arg-type]
            for p in TRAILER_CASES]
    # Bytes, not text: universal newlines would turn the CRLF cases into LF.
    out = subprocess.run(["git", "-C", str(repo), "show", "-s", "-z",
                          "--format=%B%x01%(trailers)", *shas], capture_output=True, check=True,
                         env={**os.environ, **GIT_ENV}).stdout.decode()
    records = out.split("\0")
    assert len(records) == len(TRAILER_CASES) + 1 and not records[-1].strip()
    for param, record in zip(TRAILER_CASES, records, strict=False):
        message, block = param.values[0], param.values[1]
        stored, found = record.split("\x01")
        assert stored == message, param.id
        assert (found or None) == block, param.id
