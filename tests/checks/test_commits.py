"""The `commits` check on real repositories: title length, body, Conventional Commits, merges."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from charter.checks.commits import CommitRules, check_commits, commit_checker, has_body
from charter.git.history import iter_commits
from tests.conftest import git

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
    pytest.param(f"Fix the parser\n\nCo-authored-by: A <a@b.co>\n\n{SOB}\n", "required",
                 {("commits.body-missing", "error")}, id="several-trailer-paragraphs"),
    pytest.param(f"Fix the parser{BODY}\n{SOB}\n", "required", set(), id="body-and-trailers"),
    pytest.param(f"Fix the parser\n\nSee the issue.\n{SOB}\n", "required", set(),
                 id="text-mixed-with-trailers"),
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


@pytest.mark.parametrize(("message", "expected"), [
    pytest.param("Title", False, id="title-only-no-newline"),
    pytest.param("Title\n", False, id="title-only"),
    pytest.param("Title\n\nBody.\n", True, id="body"),
    pytest.param("Title\nBody on the second line\n", True, id="no-blank-line"),
    pytest.param(f"Title\n\n{SOB}\n", False, id="trailer-only"),
    pytest.param(f"Title\n\n{SOB}\n  continued\n", False, id="trailer-continuation"),
    pytest.param("Title\n\nNote: this is prose.\nIt goes on.\n", True, id="prose-with-colon"),
    pytest.param(f"Title\n\nBody.\n\n{SOB}\n", True, id="body-then-trailer"),
    pytest.param(f"Title\n\n{SOB}\n\n\n\nCo-authored-by: B <b@c.co>\n\n", False,
                 id="trailer-paragraphs-apart"),
    pytest.param(f"Title\n\n{SOB}\nnot a trailer\n", True, id="trailer-then-prose"),
    pytest.param("Title\r\n\r\nBody.\r\n", True, id="crlf-body"),
    pytest.param(f"Title\r\n\r\n{SOB}\r\n", False, id="crlf-trailer-only"),
    pytest.param("Title\n\nhttps://example.org/issue/1\n", True, id="url-is-a-body"),
])
def test_has_body(message: str, expected: bool) -> None:
    assert has_body(message) is expected
