"""OWNERS (as Prow's repoowners) and CODEOWNERS (as GitHub) on real git repositories."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.checks.owners.repo_owners import (
    RepoOwners,
    compile_go_regexp,
    lint_owners,
    unowned_after_changes,
)
from charter.checks.repository import load_owner_files, load_repo_owners
from charter.errors import CharterError
from tests.conftest import git

MakeRepo = Callable[[str], Path]


def build(make_repo: MakeRepo, files: dict[str, str], name: str = "repo") -> Path:
    """A repository whose single commit holds FILES (path -> text)."""
    repo = make_repo(name)
    for path, text in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    if not files:
        (repo / "README").write_text("empty\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tree")
    return repo


def owners_at(make_repo: MakeRepo, files: dict[str, str]) -> RepoOwners:
    return load_repo_owners(build(make_repo, files))


# ------------------------------------------------------------------ approvers, reviewers, leaf

NESTED = {
    "OWNERS": "approvers: [root-a]\nreviewers: [root-r]\n",
    "pkg/OWNERS": "approvers: [pkg-a]\n",
    "pkg/util/OWNERS": "approvers: [util-a]\nreviewers: [util-r]\n",
    "pkg/util/sets/set.go": "package sets\n",
}


@pytest.mark.parametrize(("path", "approvers", "reviewers", "leaf", "owners_file"), [
    pytest.param("main.go", ["root-a"], ["root-r"], ["root-a"], "OWNERS", id="root-file"),
    pytest.param("pkg/a.go", ["pkg-a", "root-a"], ["root-r"], ["pkg-a"], "pkg/OWNERS",
                 id="one-level"),
    pytest.param("pkg/util/sets/set.go", ["pkg-a", "root-a", "util-a"], ["root-r", "util-r"],
                 ["util-a"], "pkg/util/OWNERS", id="deep-file-unions-to-root"),
    pytest.param("pkg/util", ["pkg-a", "root-a", "util-a"], ["root-r", "util-r"], ["util-a"],
                 "pkg/util/OWNERS", id="folder-owned-by-its-own-owners"),
    pytest.param("pkg/new/not/in/tree.go", ["pkg-a", "root-a"], ["root-r"], ["pkg-a"],
                 "pkg/OWNERS", id="path-not-in-tree"),
    pytest.param("./pkg/a.go", ["pkg-a", "root-a"], ["root-r"], ["pkg-a"], "pkg/OWNERS",
                 id="dot-slash-prefix"),
])
def test_nested_owners(make_repo: MakeRepo, path: str, approvers: list[str],
                       reviewers: list[str], leaf: list[str], owners_file: str) -> None:
    own = owners_at(make_repo, NESTED).owners_of(path)
    assert list(own.approvers) == approvers
    assert list(own.reviewers) == reviewers
    assert list(own.leaf_approvers) == leaf
    assert own.owners_file == owners_file


def test_file_no_owners_covers_has_no_approvers(make_repo: MakeRepo) -> None:
    own = owners_at(make_repo, {"a/OWNERS": "approvers: [alice]\n", "b/x.go": ""}).owners_of(
        "b/x.go")
    assert own.approvers == () and own.leaf_approvers == () and own.owners_file is None
    assert own.to_json() == {"approvers": [], "reviewers": [], "leaf_approvers": [],
                             "owners_file": None, "codeowners": None}


@pytest.mark.parametrize(("files", "path", "approvers", "reviewers"), [
    pytest.param({"OWNERS": "approvers: [root]\nreviewers: [rr]\n",
                  "a/OWNERS": "options: {no_parent_owners: true}\napprovers: [alice]\n"},
                 "a/x.go", ["alice"], ["rr"],
                 id="approvers-stop-but-reviewers-walk-separately-and-climb"),
    pytest.param({"OWNERS": "approvers: [root]\n",
                  "a/OWNERS": "options: {no_parent_owners: true}\napprovers: [alice]\n",
                  "a/b/OWNERS": "approvers: [bob]\n"},
                 "a/b/x.go", ["alice", "bob"], [], id="child-plus-stopping-folder"),
    pytest.param({"OWNERS": "approvers: [root]\nreviewers: [rr]\n",
                  "a/OWNERS": "options: {no_parent_owners: true}\nreviewers: [rev]\n"},
                 "a/x.go", ["root"], ["rev"],
                 id="no-approvers-collected-yet-so-approvers-climb-on-reviewers-stop"),
    pytest.param({"OWNERS": "approvers: [root]\n",
                  "a/OWNERS": "options: {no_parent_owners: true}\n",
                  "a/b/OWNERS": "approvers: [bob]\n"},
                 "a/b/x.go", ["bob"], [], id="options-only-file-stops-after-child-names"),
    pytest.param({"OWNERS": "approvers: [root]\n",
                  "a/OWNERS": "options: {no_parent_owners: true}\n"},
                 "a/x.go", ["root"], [], id="options-only-file-with-nothing-collected"),
    pytest.param({"OWNERS": "approvers: [root]\n",
                  "a/OWNERS": "options: {no_parent_owners: true}\n"
                              "filters:\n  '\\.go$':\n    approvers: [gopher]\n"},
                 "a/x.md", ["root"], [], id="filter-not-matching-means-nothing-collected"),
    pytest.param({"OWNERS": "approvers: [root]\n",
                  "a/OWNERS": "options: {no_parent_owners: true}\n"
                              "filters:\n  '\\.go$':\n    approvers: [gopher]\n"},
                 "a/x.go", ["gopher"], [], id="filter-matching-stops"),
    pytest.param({"OWNERS": "approvers: [root]\n",
                  "a/OWNERS": "options:\n  NO_PARENT_OWNERS: yes\napprovers: [alice]\n"},
                 "a/x.go", ["alice"], [], id="keys-case-insensitive-and-yaml11-yes"),
])
def test_no_parent_owners(make_repo: MakeRepo, files: dict[str, str], path: str,
                          approvers: list[str], reviewers: list[str]) -> None:
    own = owners_at(make_repo, files).owners_of(path)
    assert list(own.approvers) == approvers
    assert list(own.reviewers) == reviewers


ALIASES = "aliases:\n  Sig-Foo:\n    - David\n    - '@Erin'\n  sig-empty: []\n" \
          "  sig-nested:\n    - sig-foo\n    - frank\n"


@pytest.mark.parametrize(("owners", "aliases", "approvers"), [
    pytest.param("approvers: [sig-foo, carol]\n", ALIASES, ["carol", "david", "erin"],
                 id="expanded-lowercased-at-stripped"),
    pytest.param("approvers: [SIG-FOO]\n", ALIASES, ["david", "erin"],
                 id="alias-reference-case-insensitive"),
    pytest.param("approvers: [sig-nested]\n", ALIASES, ["frank", "sig-foo"],
                 id="aliases-inside-aliases-are-not-expanded"),
    pytest.param("approvers: [sig-foo]\n", "aliases: [oops\n", ["sig-foo"],
                 id="unparsable-aliases-file-means-no-aliases"),
    pytest.param("approvers: [sig-foo]\n", "aliases:\n  sig-foo: bob\n", ["sig-foo"],
                 id="wrong-shape-aliases-file-means-no-aliases"),
    pytest.param("approvers: [sig-foo]\n", None, ["sig-foo"], id="no-aliases-file"),
])
def test_aliases(make_repo: MakeRepo, owners: str, aliases: str | None,
                 approvers: list[str]) -> None:
    files = {"pkg/OWNERS": owners}
    if aliases is not None:
        files["OWNERS_ALIASES"] = aliases
    assert list(owners_at(make_repo, files).owners_of("pkg/x.go").approvers) == approvers


def test_alias_with_no_members_leaves_leaf_to_parent(make_repo: MakeRepo) -> None:
    own = owners_at(make_repo, {"OWNERS": "approvers: [root]\n",
                                "OWNERS_ALIASES": ALIASES,
                                "pkg/OWNERS": "approvers: [sig-empty]\n"}).owners_of("pkg/x")
    assert own.approvers == ("root",) and own.owners_file == "OWNERS"


FILTERS = {
    "OWNERS": "approvers: [root]\n",
    "pkg/OWNERS": (
        "filters:\n"
        "  '.*':\n    approvers: [all]\n    labels: [pkg]\n"
        "  '\\.go$':\n    approvers: [gopher]\n"
        "  '^sub/':\n    reviewers: [sub-rev]\n"
        "  '^pkg/':\n    approvers: [never]\n"
        "  '(?i)readme':\n    approvers: [docs]\n"
        "  '[invalid':\n    approvers: [ghost]\n"
    ),
}


@pytest.mark.parametrize(("path", "approvers", "reviewers", "leaf"), [
    pytest.param("pkg/x.go", ["all", "gopher", "root"], [], ["all", "gopher"], id="go-file"),
    pytest.param("pkg/x.md", ["all", "root"], [], ["all"], id="dot-star-only"),
    pytest.param("pkg/sub/y.txt", ["all", "root"], ["sub-rev"], ["all"],
                 id="regexp-on-path-relative-to-owners-folder"),
    pytest.param("pkg/README.md", ["all", "docs", "root"], [], ["all", "docs"],
                 id="go-inline-flags"),
    pytest.param("main.go", ["root"], [], ["root"], id="outside-the-folder"),
])
def test_filters(make_repo: MakeRepo, path: str, approvers: list[str], reviewers: list[str],
                 leaf: list[str]) -> None:
    own = owners_at(make_repo, FILTERS).owners_of(path)
    assert list(own.approvers) == approvers
    assert list(own.reviewers) == reviewers
    assert list(own.leaf_approvers) == leaf
    assert own.owners_file == ("pkg/OWNERS" if path.startswith("pkg/") else "OWNERS")


def test_labels_follow_filters(make_repo: MakeRepo) -> None:
    assert owners_at(make_repo, FILTERS).owners_of("pkg/x.go").labels == ("pkg",)


@pytest.mark.parametrize(("owners", "approvers", "reviewers"), [
    pytest.param("approvers: [Alice, BOB, '@Carol']\n", ["alice", "bob", "carol", "root"], [],
                 id="mixed-case-logins-lowercased-sorted"),
    pytest.param("approvers: [alice]\nemeritus_approvers: [old]\n", ["alice", "root"], [],
                 id="emeritus-approvers-ignored"),
    pytest.param("emeritus_approvers: [old]\n", ["root"], [], id="only-emeritus-is-no-owner"),
    pytest.param("approvers: [alice]\nfilters:\n  '.*':\n    approvers: [filtered]\n",
                 ["alice", "root"], [], id="filters-beside-top-level-are-ignored"),
    pytest.param("approvers: alice\nfilters:\n  '.*':\n    approvers: [filtered]\n",
                 ["filtered", "root"], [], id="bad-simple-config-falls-back-to-filters"),
    pytest.param("approvers: [alice\n", ["root"], [], id="unparsable-owners-skipped"),
    pytest.param("- alice\n", ["root"], [], id="not-a-mapping-skipped"),
    pytest.param("options: {no_parent_owners: maybe}\napprovers: [alice]\n", ["root"], [],
                 id="bad-option-type-skips-whole-file"),
    pytest.param("Approvers: [alice]\nREVIEWERS: [bob]\n", ["alice", "root"], ["bob"],
                 id="keys-match-case-insensitively-like-encoding-json"),
    pytest.param("approvers: [yes, 0x1F]\n", ["31", "root", "true"], [],
                 id="yaml-scalars-formatted-as-go-does"),
    pytest.param("approvers: [alice]\n---\napprovers: [second-doc]\n", ["alice", "root"], [],
                 id="only-first-yaml-document"),
    pytest.param("base: &b\n  - alice\napprovers: *b\n", ["alice", "root"], [],
                 id="yaml-anchors"),
    pytest.param("", ["root"], [], id="empty-file"),
])
def test_prow_decoding(make_repo: MakeRepo, owners: str, approvers: list[str],
                       reviewers: list[str]) -> None:
    repo_owners = owners_at(make_repo, {"OWNERS": "approvers: [root]\n", "pkg/OWNERS": owners})
    own = repo_owners.owners_of("pkg/x.go")
    assert list(own.approvers) == approvers
    assert list(own.reviewers) == reviewers


def test_required_reviewers_walk(make_repo: MakeRepo) -> None:
    own = owners_at(make_repo, {"OWNERS": "approvers: [r]\nrequired_reviewers: [Chris]\n",
                                "a/OWNERS": "required_reviewers: [ben]\n"}).owners_of("a/x")
    assert own.required_reviewers == ("ben", "chris")


# ------------------------------------------------------------------ CODEOWNERS

CODEOWNERS = """\
# comment
*                 @org/everyone
*.js              @js-owner #This is an inline comment naming @not-an-owner.
/build/logs/      @doctocat
docs/*            docs@example.com
apps/             @octocat
**/logs           @logger
/apps/github
/scripts/         @doctocat @octocat
src/**/gen        @gen-b @gen-a
"""


@pytest.mark.parametrize(("path", "owners"), [
    pytest.param("README.md", ["@org/everyone"], id="catch-all"),
    pytest.param("web/app.js", ["@js-owner"], id="last-match-wins-inline-comment-dropped"),
    pytest.param("build/logs/a/b.txt", ["@logger"], id="later-double-star-wins"),
    pytest.param("build/logs2/x", ["@org/everyone"], id="folder-pattern-is-not-a-prefix"),
    pytest.param("docs/getting-started.md", ["docs@example.com"], id="docs-star-direct-child"),
    pytest.param("docs/build-app/troubleshooting.md", ["@org/everyone"],
                 id="docs-star-not-recursive"),
    pytest.param("x/apps/y.txt", ["@octocat"], id="unanchored-folder-anywhere"),
    pytest.param("apps/github/index.txt", [], id="matching-line-without-owners-clears"),
    pytest.param("apps/githubber/x.txt", ["@octocat"], id="anchored-line-exact-segment"),
    pytest.param("deeply/nested/logs/x", ["@logger"], id="leading-double-star"),
    pytest.param("scripts/run.sh", ["@doctocat", "@octocat"], id="owners-in-line-order"),
    pytest.param("src/a/b/gen/x.go", ["@gen-b", "@gen-a"], id="middle-double-star"),
    pytest.param("src/gen/x.go", ["@gen-b", "@gen-a"], id="middle-double-star-zero-dirs"),
    pytest.param("not/in/tree.txt", ["@org/everyone"], id="path-not-in-tree"),
])
def test_codeowners_rules(make_repo: MakeRepo, path: str, owners: list[str]) -> None:
    repo_owners = owners_at(make_repo, {".github/CODEOWNERS": CODEOWNERS})
    assert repo_owners.owners_of(path).codeowners == tuple(owners)


@pytest.mark.parametrize(("text", "path", "owners"), [
    pytest.param("* @a\n!*.md\n", "x.md", ["@a"], id="negation-line-skipped"),
    pytest.param("* @a\n*.[ch]\n", "x.c", ["@a"], id="range-line-skipped"),
    pytest.param("* @a\n\\#x\n", "#x", ["@a"], id="escaped-hash-line-skipped"),
    pytest.param("* @a\n*.md alice\n", "x.md", ["@a"], id="invalid-owner-line-skipped"),
    pytest.param("* @a\n*.md\n", "x.md", [], id="valid-empty-line-clears"),
    pytest.param("/*.md @root-md\n", "a/x.md", [], id="anchored-star-root-only"),
    pytest.param("/*.md @root-md\n", "x.md", ["@root-md"], id="anchored-star-at-root"),
    pytest.param("*.md @any-md\n", "a/b/x.md", ["@any-md"], id="unanchored-any-depth"),
    pytest.param("a/b @ab\n", "x/a/b", [], id="slash-in-middle-anchors"),
    pytest.param("docs/** @d\n", "docs/a/b/c", ["@d"], id="trailing-double-star"),
    pytest.param("my\\ file @s\n", "my file", ["@s"], id="escaped-space"),
    pytest.param("Docs/ @d\n", "docs/x", [], id="case-sensitive"),
])
def test_codeowners_lines(make_repo: MakeRepo, text: str, path: str, owners: list[str]) -> None:
    assert owners_at(make_repo, {"CODEOWNERS": text}).owners_of(path).codeowners == tuple(owners)


@pytest.mark.parametrize(("present", "used"), [
    pytest.param([".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"], ".github/CODEOWNERS",
                 id="github-first"),
    pytest.param(["CODEOWNERS", "docs/CODEOWNERS"], "CODEOWNERS", id="root-before-docs"),
    pytest.param(["docs/CODEOWNERS"], "docs/CODEOWNERS", id="docs-last"),
    pytest.param(["sub/CODEOWNERS"], None, id="other-places-ignored"),
    pytest.param([], None, id="no-codeowners-is-null"),
])
def test_codeowners_location(make_repo: MakeRepo, present: list[str], used: str | None) -> None:
    files = {path: f"* @from-{path.replace('/', '-').replace('.', '')}\n" for path in present}
    own = owners_at(make_repo, files).owners_of("x.txt")
    if used is None:
        assert own.codeowners is None and own.to_json()["codeowners"] is None
    else:
        assert own.codeowners == (f"@from-{used.replace('/', '-').replace('.', '')}",)


# ------------------------------------------------------------------ lint

LINT_CASES = [
    pytest.param({"pkg/OWNERS": "approvers: [alice]\nfilters:\n  '.*':\n    labels: [x]\n"},
                 "owners.filters-ignored", "pkg/OWNERS", 2, id="filters-beside-top-level"),
    pytest.param({"OWNERS_ALIASES": "aliases:\n  a: [x\n", "OWNERS": "approvers: [bob]\n"},
                 "owners.aliases-invalid", "OWNERS_ALIASES", 2, id="unparsable-aliases"),
    pytest.param({"pkg/OWNERS": "approvers:\n  - alice\n  bob\n"},
                 "owners.yaml-invalid", "pkg/OWNERS", 3, id="unparsable-owners"),
    pytest.param({"pkg/OWNERS": "approvers: alice\n"},
                 "owners.schema-invalid", "pkg/OWNERS", 1, id="wrong-type"),
    pytest.param({"OWNERS_ALIASES": "aliases:\n  sig-a-approvers: [ann]\n",
                  "OWNERS": "approvers:\n  - sig-b-approvers\n"},
                 "owners.unknown-alias", "OWNERS", 2, id="unknown-alias-by-suffix"),
    pytest.param({"OWNERS": "approvers: [bob]\nreviewers:\n  - release-team\n"},
                 "owners.unknown-alias", "OWNERS", 3, id="group-word-without-aliases-file"),
    pytest.param({"OWNERS": "reviewers:\n  - org/team\n"},
                 "owners.unknown-alias", "OWNERS", 2, id="name-that-cannot-be-a-login"),
    pytest.param({"OWNERS_ALIASES": "aliases:\n  a-team: [ann]\n  b-team:\n  - a-team\n",
                  "OWNERS": "approvers: [b-team]\n"},
                 "owners.nested-alias", "OWNERS_ALIASES", 4, id="alias-inside-alias"),
    pytest.param({"OWNERS": "approvers: []\nreviewers: [bob]\n"},
                 "owners.empty-approvers", "OWNERS", 1, id="empty-approvers"),
    pytest.param({"OWNERS": "reviewers: [bob]\nfilters:\n  '.*':\n    approvers:\n"},
                 "owners.empty-approvers", "OWNERS", 4, id="empty-approvers-in-filter"),
    pytest.param({"OWNERS": "approvers: [bob]\nno_parent_owners: true\n"},
                 "owners.unknown-key", "OWNERS", 2, id="unknown-key"),
    pytest.param({"OWNERS": "options:\n  no_parents: true\napprovers: [bob]\n"},
                 "owners.unknown-key", "OWNERS", 2, id="unknown-option"),
    pytest.param({"OWNERS": "filters:\n  '(?=x)':\n    approvers: [bob]\n"},
                 "owners.filter-regexp-invalid", "OWNERS", 2, id="invalid-filter-regexp"),
    pytest.param({"CODEOWNERS": "* @a\n*.[ch] @c\n"},
                 "codeowners.pattern-invalid", "CODEOWNERS", 2, id="codeowners-range"),
    pytest.param({"CODEOWNERS": "!x @a\n"},
                 "codeowners.pattern-invalid", "CODEOWNERS", 1, id="codeowners-negation"),
    pytest.param({"CODEOWNERS": "x alice\n"},
                 "codeowners.owner-invalid", "CODEOWNERS", 1, id="codeowners-bad-owner"),
    pytest.param({".github/CODEOWNERS": "* @a\n", "CODEOWNERS": "* @b\n"},
                 "codeowners.file-ignored", "CODEOWNERS", None, id="shadowed-codeowners"),
]


@pytest.mark.parametrize(("files", "rule", "path", "line"), LINT_CASES)
def test_lint_findings(make_repo: MakeRepo, files: dict[str, str], rule: str, path: str,
                       line: int | None) -> None:
    loaded = load_owner_files(build(make_repo, files))
    findings = lint_owners(loaded.files)
    matching = [f for f in findings if f.rule == rule]
    assert matching, findings
    assert (matching[0].path, matching[0].line) == (path, line)
    assert all(f.check == "owners" and f.severity == "error" for f in findings)
    assert matching[0].to_json()["check"] == "owners"


@pytest.mark.parametrize("files", [
    pytest.param({"OWNERS": "approvers: [alice, Bob-2]\nreviewers: ['@carol']\n"
                            "emeritus_approvers: [old]\noptions: {no_parent_owners: false}\n"
                            "labels: [x]\nrequired_reviewers: [dan]\n"}, id="simple"),
    pytest.param({"OWNERS_ALIASES": "aliases:\n  sig-x-approvers: [ann]\n",
                  "OWNERS": "filters:\n  '.*':\n    approvers: [sig-x-approvers]\n"
                            "  '\\.go$':\n    labels: [go]\n"}, id="filters-and-alias"),
    pytest.param({"OWNERS": "approvers: [alice]\n", ".github/CODEOWNERS": "* @a @o/t x@y.z\n"
                  "/docs/ # nobody\n"}, id="codeowners"),
    pytest.param({"OWNERS": "approvers: [k8s-ci-robot, jane-doe]\n"},
                 id="hyphenated-logins-are-not-aliases"),
])
def test_clean_files_have_no_findings(make_repo: MakeRepo, files: dict[str, str]) -> None:
    assert lint_owners(load_owner_files(build(make_repo, files)).files) == []


def test_alias_member_is_a_login_not_an_unknown_alias(make_repo: MakeRepo) -> None:
    files = {"OWNERS_ALIASES": "aliases:\n  core: [build-team]\n",
             "OWNERS": "approvers: [build-team]\n"}
    assert lint_owners(load_owner_files(build(make_repo, files)).files) == []


@pytest.mark.parametrize(("before", "changes", "tree", "unowned"), [
    pytest.param({"OWNERS": "approvers: [root]\n", "a/OWNERS": "approvers: [alice]\n"},
                 {"a/OWNERS": None}, ["a/x.go"], [], id="deleted-but-parent-covers"),
    pytest.param({"a/OWNERS": "approvers: [alice]\n"},
                 {"a/OWNERS": None}, ["a/x.go", "a/b/y.go", "c/z.go"], ["a/OWNERS", "a/b"],
                 id="deleted-no-parent"),
    pytest.param({"a/OWNERS": "approvers: [alice]\n"},
                 {"a/OWNERS": "reviewers: [alice]\n"}, ["a/x.go"], ["a/OWNERS"],
                 id="emptied"),
    pytest.param({"OWNERS_ALIASES": "aliases:\n  t: [ann]\n", "a/OWNERS": "approvers: [t]\n"},
                 {"OWNERS_ALIASES": "aliases:\n  t: []\n"}, ["a/x"], ["a"],
                 id="alias-emptied"),
    pytest.param({"a/OWNERS": "approvers: [alice]\n"},
                 {"a/OWNERS": "approvers: [bob]\n"}, ["a/x.go"], [], id="changed-still-owned"),
    pytest.param({}, {"b/x": "new"}, ["b/x"], [], id="never-owned-is-not-left-unowned"),
])
def test_unowned_after_changes(before: dict[str, str], changes: dict[str, str | None],
                               tree: list[str], unowned: list[str]) -> None:
    findings = unowned_after_changes(before, changes, tree)
    assert [f.path for f in findings] == unowned
    assert all(f.rule == "owners.folder-unowned" and f.severity == "error" for f in findings)


# ------------------------------------------------------------------ loading and bad input


def test_loader_reads_many_owners_in_one_batch(make_repo: MakeRepo) -> None:
    files = {f"d{i}/OWNERS": f"approvers: [user{i}]\n" for i in range(60)}
    files["d7/sub/x.go"] = "x"
    loaded = load_owner_files(build(make_repo, files))
    assert len([p for p in loaded.files if p.endswith("OWNERS")]) == 60
    assert "d7/sub/x.go" in loaded.tree
    assert RepoOwners(loaded.files).owners_of("d7/sub/x.go").approvers == ("user7",)


def test_loader_reads_the_given_revision(make_repo: MakeRepo) -> None:
    repo = build(make_repo, {"OWNERS": "approvers: [old]\n"})
    (repo / "OWNERS").write_text("approvers: [new]\n")
    git(repo, "commit", "-q", "-am", "change")
    assert load_repo_owners(repo, "HEAD~1").owners_of("x").approvers == ("old",)
    assert load_repo_owners(repo).owners_of("x").approvers == ("new",)


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlinked_owners_skipped_like_prow(make_repo: MakeRepo) -> None:
    repo = make_repo("repo")
    (repo / "real").mkdir()
    (repo / "real" / "OWNERS").write_text("approvers: [alice]\n")
    (repo / "link").mkdir()
    os.symlink("../real/OWNERS", repo / "link" / "OWNERS")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    loaded = load_owner_files(repo)
    assert loaded.symlinked == ("link/OWNERS",)
    assert RepoOwners(loaded.files).owners_of("link/x").approvers == ()


@pytest.mark.parametrize("case", ["not-a-repo", "no-such-folder", "unknown-revision",
                                  "empty-repo"])
def test_bad_input_raises_charter_error(make_repo: MakeRepo, tmp_path: Path, case: str) -> None:
    if case == "not-a-repo":
        target, rev = tmp_path, "HEAD"
    elif case == "no-such-folder":
        target, rev = tmp_path / "missing", "HEAD"
    elif case == "empty-repo":
        target, rev = make_repo("empty"), "HEAD"
    else:
        target, rev = build(make_repo, {"OWNERS": "approvers: [a]\n"}), "no-such-rev"
    with pytest.raises(CharterError):
        load_owner_files(target, rev)


def test_path_outside_repository_rejected() -> None:
    with pytest.raises(CharterError):
        RepoOwners({}).owners_of("../x")


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    pytest.param("\\.go$", "a/b.go", True, id="escaped-dot"),
    pytest.param("^sub/", "x/sub/y", False, id="anchored-start"),
    pytest.param("go\\z", "x.go", True, id="go-end-of-text"),
    pytest.param("[[:upper:]]+\\.md", "README.md", True, id="posix-class"),
    pytest.param("(?<name>a)b", "ab", True, id="go-named-group"),
    pytest.param("[]a]", "]", True, id="leading-bracket-literal"),
])
def test_go_regexp(pattern: str, text: str, matches: bool) -> None:
    assert bool(compile_go_regexp(pattern).search(text)) is matches


@pytest.mark.parametrize("pattern", ["(?=x)", "(?<!x)y", "(a)\\1", "a*+", "(?>a)", "[",
                                     "x\\Z"])
def test_go_regexp_rejects_what_go_rejects(pattern: str) -> None:
    with pytest.raises((ValueError, re.error)):
        compile_go_regexp(pattern)


def test_codeowners_folder_shortcut_matches_plain_last_match_scan() -> None:
    # match() skips folder-pattern rules per path; it must agree with the plain scan.
    from charter.checks.owners.codeowners import parse_codeowners

    parsed = parse_codeowners("CODEOWNERS", CODEOWNERS + "apps/x/ @ax\n*.txt @txt\nlogs/ @l\n")
    paths = ["apps", "apps/x", "apps/x/y.txt", "a/apps/x/z", "build/logs/q.txt", "logs",
             "deep/logs/x", "apps/github/x.txt", "docs/a.md", "x.js", "scripts/a/b", "z/logs/"]
    for path in paths:
        naive = next((r for r in reversed(parsed.rules) if r.regex.search(path)), None)
        assert parsed.match(path) == naive, path


def test_unowned_between_revisions(make_repo: MakeRepo) -> None:
    from charter.checks.repository import unowned_between

    repo = build(make_repo, {"api/OWNERS": "approvers: [alice]\n", "api/x.go": "x",
                             "web/OWNERS": "approvers: [bob]\n", "web/y.js": "y"})
    git(repo, "checkout", "-q", "-b", "pr")
    git(repo, "rm", "-q", "api/OWNERS")
    (repo / "web/OWNERS").write_text("approvers: [carol]\n")
    git(repo, "commit", "-q", "-am", "drop api owners")
    findings = unowned_between(repo, "main", "pr")
    assert [(f.rule, f.path) for f in findings] == [("owners.folder-unowned", "api/OWNERS")]
    assert "api/x.go" in findings[0].message
    assert unowned_between(repo, "main", "main") == []
