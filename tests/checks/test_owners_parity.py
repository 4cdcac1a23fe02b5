"""Parity with the two references `charter owners` must agree with, on real git repositories.

Prow: the cases of kubernetes-sigs/prow pkg/repoowners/repoowners_test.go (TestLoadRepoOwners,
TestOwnersDirDenylist, TestOwnersRegexpFiltering, TestGetApprovers, TestFindLabelsForPath,
TestExpandAliases, TestParseAliasesConfig) restated as OWNERS files, with the answer Prow's
Approvers / LeafApprovers / Reviewers / FindApproverOwnersForFile give for each path (as
pkg/plugins/approve/approvers/owners.go asks them: `Approvers(file)` for who may approve,
`FindApproverOwnersForFile(file)` for the OWNERS file). Prow's collaborator filter is not
applied (cli.md: names as written), so expectations are those of Prow's "Skip collaborator
checks" case. Prow names the root folder ""; Charter's `owners_file` names the file, "OWNERS".

GitHub: every example of "About code owners" (docs.github.com) and the pattern rules it takes
from gitignore, each case quoting the sentence it checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.checks.owners.repo_owners import RepoOwners
from charter.checks.repository import load_repo_owners
from charter.cli import main
from tests.conftest import git

Build = Callable[..., Path]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A real repository whose commits hold the given files; one per distinct file set."""
    made: dict[str, Path] = {}

    def factory(files: dict[str, str], *, branches: dict[str, dict[str, str]] | None = None,
                ) -> Path:
        key = json.dumps([files, branches], sort_keys=True)
        if key in made:
            return made[key]
        repo = tmp_path_factory.mktemp("parity")
        git(repo, "init", "-q", "-b", "master")
        for path, text in files.items():
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_text(text)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "files")
        for branch, extra in (branches or {}).items():
            git(repo, "checkout", "-q", "-b", branch)
            for path, text in extra.items():
                (repo / path).parent.mkdir(parents=True, exist_ok=True)
                (repo / path).write_text(text)
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", branch)
            git(repo, "checkout", "-q", "master")
        made[key] = repo
        return repo

    return factory


def owners(build: Build, files: dict[str, str], rev: str = "HEAD", **kw: object) -> RepoOwners:
    return load_repo_owners(build(files, **kw), rev)


# ================================================================== Prow: TestLoadRepoOwners

PROW_FILES = {
    "foo": "approvers:\n- bob",  # not an OWNERS file: ignored
    "OWNERS": "approvers:\n- cjwagner\nreviewers:\n- Alice\n- bob\nrequired_reviewers:\n"
              "- chris\nlabels:\n- EVERYTHING",
    "src/OWNERS": "approvers:\n- Best-Approvers",
    "src/dir/OWNERS": "approvers:\n- bob\nreviewers:\n- alice\n- \"@CJWagner\"\n- jakub\n"
                      "required_reviewers:\n- ben\nlabels:\n- src-code",
    "src/dir/subdir/OWNERS": "approvers:\n- bob\n- alice\nreviewers:\n- bob\n- alice",
    "src/dir/conformance/OWNERS": "options:\n  no_parent_owners: true\n"
                                  "  auto_approve_unowned_subfolders: true\napprovers:\n- mml",
    "docs/file.md": "---\napprovers:\n- ALICE\n\nlabels:\n- docs\n---",
    "vendor/OWNERS": "approvers:\n- alice",
    "vendor/k8s.io/client-go/OWNERS": "approvers:\n- bob",
}
PROW_ALIASES = "aliases:\n  Best-approvers:\n  - carl\n  - cjwagner\n  best-reviewers:\n" \
               "  - Carl\n  - BOB"

# path, approvers, leaf approvers, owners_file, reviewers
PROW_NO_ALIAS = [
    ("foo", ["cjwagner"], ["cjwagner"], "OWNERS", ["alice", "bob"]),
    ("docs/file.md", ["cjwagner"], ["cjwagner"], "OWNERS", ["alice", "bob"]),  # md YAML off
    ("src/main.go", ["best-approvers", "cjwagner"], ["best-approvers"], "src/OWNERS",
     ["alice", "bob"]),
    ("src/dir/x.go", ["best-approvers", "bob", "cjwagner"], ["bob"], "src/dir/OWNERS",
     ["alice", "bob", "cjwagner", "jakub"]),
    ("src/dir/subdir/x.go", ["alice", "best-approvers", "bob", "cjwagner"], ["alice", "bob"],
     "src/dir/subdir/OWNERS", ["alice", "bob", "cjwagner", "jakub"]),
    # no_parent_owners stops the approvers; the folder has no reviewers, so they climb on
    ("src/dir/conformance/x.go", ["mml"], ["mml"], "src/dir/conformance/OWNERS",
     ["alice", "bob", "cjwagner", "jakub"]),
    ("src/dir/conformance/sub/x.go", ["mml"], ["mml"], "src/dir/conformance/OWNERS",
     ["alice", "bob", "cjwagner", "jakub"]),
    ("vendor/x.go", ["alice", "cjwagner"], ["alice"], "vendor/OWNERS", ["alice", "bob"]),
    # "exclude preconfigured defaults": vendor/k8s.io/client-go/OWNERS is never read
    ("vendor/k8s.io/client-go/x.go", ["alice", "cjwagner"], ["alice"], "vendor/OWNERS",
     ["alice", "bob"]),
]


@pytest.mark.parametrize(("path", "approvers", "leaf", "owners_file", "reviewers"),
                         PROW_NO_ALIAS, ids=[c[0] for c in PROW_NO_ALIAS])
def test_prow_load_repo_owners_no_alias(build: Build, path: str, approvers: list[str],
                                        leaf: list[str], owners_file: str,
                                        reviewers: list[str]) -> None:
    own = owners(build, PROW_FILES).owners_of(path)
    assert (list(own.approvers), list(own.leaf_approvers), own.owners_file,
            list(own.reviewers)) == (approvers, leaf, owners_file, reviewers)


@pytest.mark.parametrize(("path", "approvers", "leaf"), [
    ("src/main.go", ["carl", "cjwagner"], ["carl", "cjwagner"]),  # Best-Approvers, any case
    ("src/dir/x.go", ["bob", "carl", "cjwagner"], ["bob"]),
    ("src/dir/conformance/x.go", ["mml"], ["mml"]),
])
def test_prow_load_repo_owners_alias(build: Build, path: str, approvers: list[str],
                                     leaf: list[str]) -> None:
    own = owners(build, {**PROW_FILES, "OWNERS_ALIASES": PROW_ALIASES}).owners_of(path)
    assert (list(own.approvers), list(own.leaf_approvers)) == (approvers, leaf)


@pytest.mark.parametrize(("path", "required", "labels"), [
    ("foo", ["chris"], ["EVERYTHING"]),
    ("src/dir/x.go", ["ben", "chris"], ["EVERYTHING", "src-code"]),  # labels keep their case
    ("src/dir/conformance/x.go", ["ben", "chris"], ["EVERYTHING", "src-code"]),
])
def test_prow_required_reviewers_and_labels(build: Build, path: str, required: list[str],
                                            labels: list[str]) -> None:
    own = owners(build, PROW_FILES).owners_of(path)
    assert (list(own.required_reviewers), list(own.labels)) == (required, labels)


@pytest.mark.parametrize(("rev", "approvers"), [
    pytest.param("release-1.10", ["best-approvers", "cjwagner", "maggie"],
                 id="OWNERS-from-non-default-branch"),
    pytest.param("master", ["best-approvers", "cjwagner"],
                 id="master-while-release-branch-diverges"),
])
def test_prow_owners_from_the_asked_branch(build: Build, rev: str, approvers: list[str]) -> None:
    branches = {"release-1.10": {"src/doc/OWNERS": "approvers:\n - maggie\n"}}
    own = owners(build, PROW_FILES, rev, branches=branches).owners_of("src/doc/a.md")
    assert list(own.approvers) == approvers


# ================================================================== Prow: TestOwnersDirDenylist

# ListIgnoredDirs' preconfigured defaults: "\\.git$", "_output$", "vendor/.*/.*", unanchored Go
# regexps on each folder's path; the walk skips a matching folder and everything beneath it.
DENYLIST = {
    "OWNERS": "approvers: [root]\n",
    "vendor/OWNERS": "approvers: [v]\n",
    "vendor/k8s.io/OWNERS": "approvers: [v1]\n",
    "vendor/k8s.io/client-go/OWNERS": "approvers: [v2]\n",
    "third_party/vendor/a/b/OWNERS": "approvers: [nested-vendor]\n",
    "myvendor/a/b/OWNERS": "approvers: [substring]\n",
    "_output/OWNERS": "approvers: [out]\n",
    "build_output/OWNERS": "approvers: [out2]\n",
    "build_output/sub/OWNERS": "approvers: [beneath]\n",
    "outputs/OWNERS": "approvers: [kept]\n",
    "site.git/OWNERS": "approvers: [git]\n",
    "site.github/OWNERS": "approvers: [kept-github]\n",
}


@pytest.mark.parametrize(("path", "leaf", "owners_file"), [
    ("vendor/x", ["v"], "vendor/OWNERS"),
    ("vendor/k8s.io/x", ["v1"], "vendor/k8s.io/OWNERS"),  # one level below vendor: read
    ("vendor/k8s.io/client-go/x", ["v1"], "vendor/k8s.io/OWNERS"),
    ("third_party/vendor/a/b/x", ["root"], "OWNERS"),
    ("myvendor/a/b/x", ["root"], "OWNERS"),  # the regexp is not anchored
    ("_output/x", ["root"], "OWNERS"),
    ("build_output/x", ["root"], "OWNERS"),
    ("build_output/sub/x", ["root"], "OWNERS"),  # beneath a skipped folder: skipped too
    ("outputs/x", ["kept"], "outputs/OWNERS"),
    ("site.git/x", ["root"], "OWNERS"),
    ("site.github/x", ["kept-github"], "site.github/OWNERS"),
])
def test_prow_preconfigured_dir_denylist(build: Build, path: str, leaf: list[str],
                                         owners_file: str) -> None:
    repo_owners = owners(build, DENYLIST)
    own = repo_owners.owners_of(path)
    assert (list(own.leaf_approvers), own.owners_file) == (leaf, owners_file)
    assert "vendor/k8s.io/client-go/OWNERS" not in repo_owners.owners_files


# ================================================================== Prow: TestGetApprovers

GET_APPROVERS = {
    "OWNERS": "approvers: [alice, bob]\n",
    "a/b/c/OWNERS": "approvers: [carl, dave]\n",
    "a/b/e/OWNERS": "filters:\n  '.*\\.md':\n    approvers: [carl, dave]\n"
                    "  '.*\\.txt':\n    approvers: [elic]\n",
    "d/OWNERS": "options:\n  no_parent_owners: true\napprovers: [mml]\n",
    "f/OWNERS": "options:\n  no_parent_owners: true\nfilters:\n  '.*\\.md':\n"
                "    approvers: [carl, dave]\n  '.*\\.txt':\n    approvers: [flex]\n",
}


@pytest.mark.parametrize(("path", "owners_file", "leaf", "approvers"), [
    pytest.param("testFile.md", "OWNERS", ["alice", "bob"], ["alice", "bob"],
                 id="Modified Base Dir Only"),
    pytest.param("a/b/c/testFile.md", "a/b/c/OWNERS", ["carl", "dave"],
                 ["alice", "bob", "carl", "dave"], id="Modified Leaf Dir Only"),
    pytest.param("a/b/e/testFile.md", "a/b/e/OWNERS", ["carl", "dave"],
                 ["alice", "bob", "carl", "dave"],
                 id="Modified regexp matched file in Leaf Dir Only"),
    pytest.param("a/b/e/testFile.dat", "OWNERS", ["alice", "bob"], ["alice", "bob"],
                 id="Modified not regexp matched file in Leaf Dir Only"),
    pytest.param("d/testFile.go", "d/OWNERS", ["mml"], ["mml"],
                 id="Modified NoParentOwners Dir Only"),
    pytest.param("f/testFile.txt", "f/OWNERS", ["flex"], ["flex"],
                 id="Modified regexp matched file NoParentOwners Dir Only"),
    pytest.param("f/testFile.go_to_parent", "OWNERS", ["alice", "bob"], ["alice", "bob"],
                 id="Modified regexp not matched file in NoParentOwners Dir Only"),
    pytest.param("DELETED_DIR/testFile.md", "OWNERS", ["alice", "bob"], ["alice", "bob"],
                 id="Modified Nonexistent Dir (Default to Base)"),
])
def test_prow_get_approvers(build: Build, path: str, owners_file: str, leaf: list[str],
                            approvers: list[str]) -> None:
    own = owners(build, GET_APPROVERS).owners_of(path)
    assert (own.owners_file, list(own.leaf_approvers), list(own.approvers)) == (
        owners_file, leaf, approvers)


# ============================================= Prow: TestOwnersRegexpFiltering, TestFindLabels

REGEXP_FILES = {
    "re/OWNERS": "filters:\n  \".*\":\n    labels:\n    - re/all\n  \"\\\\.go$\":\n    labels:\n"
                 "    - re/go",
    "re/a/OWNERS": "filters:\n  \"\\\\.md$\":\n    labels:\n    - re/md-in-a\n  \"\\\\.go$\":\n"
                   "    labels:\n    - re/go-in-a",
}


@pytest.mark.parametrize(("path", "labels"), [
    ("re/a/go.go", ["re/all", "re/go", "re/go-in-a"]),
    ("re/a/md.md", ["re/all", "re/md-in-a"]),
    ("re/a/txt.txt", ["re/all"]),
    ("re/go.go", ["re/all", "re/go"]),
    ("re/txt.txt", ["re/all"]),
    ("re/b/md.md", ["re/all"]),
])
def test_prow_regexp_filtering(build: Build, path: str, labels: list[str]) -> None:
    assert list(owners(build, REGEXP_FILES).owners_of(path).labels) == labels


@pytest.mark.parametrize(("path", "labels"), [
    pytest.param("foo.txt", ["sig/godzilla"], id="base 1"),
    pytest.param("./foo.txt", ["sig/godzilla"], id="base 2"),
    pytest.param("", ["sig/godzilla"], id="base 3"),
    pytest.param(".", ["sig/godzilla"], id="base 4"),
    pytest.param("a/b/c/foo.txt", ["sig/godzilla", "wg/save-tokyo"], id="leaf 1"),
    pytest.param("a/b/foo.txt", ["sig/godzilla"], id="leaf 2"),
])
def test_prow_find_labels_for_path(build: Build, path: str, labels: list[str]) -> None:
    files = {"OWNERS": "labels: [sig/godzilla]\n", "a/b/c/OWNERS": "labels: [wg/save-tokyo]\n"}
    assert list(owners(build, files).owners_of(path).labels) == labels


@pytest.mark.parametrize(("path", "labels"), [
    ("a/x", ["a"]),  # FindLabelsForFile walks like Approvers: no_parent_owners stops it
    ("b/x", ["b", "root"]),  # ... once it has collected something
    ("c/x", ["root"]),
])
def test_prow_labels_stop_at_no_parent_owners(build: Build, path: str, labels: list[str]) -> None:
    files = {"OWNERS": "labels: [root]\n",
             "a/OWNERS": "options: {no_parent_owners: true}\nlabels: [a]\n",
             "b/OWNERS": "labels: [b]\n",
             "c/OWNERS": "options: {no_parent_owners: true}\napprovers: [x]\n"}
    assert list(owners(build, files).owners_of(path).labels) == labels


# ================================================================== Prow: aliases

EXPAND_ALIASES = "aliases:\n  team/t1: [u1, u2]\n  team/t2: [u1, u3]\n  team/t3: []\n"


@pytest.mark.parametrize(("names", "approvers"), [
    pytest.param("abc, def", ["abc", "def"], id="No expansions."),
    pytest.param("abc, team/t1", ["abc", "u1", "u2"], id="One alias to be expanded"),
    pytest.param("u1, team/t1", ["u1", "u2"], id="Duplicates inside and outside alias."),
    pytest.param("u1, team/t1, team/t2", ["u1", "u2", "u3"], id="Duplicates in multiple aliases."),
    pytest.param("Team/T1", ["u1", "u2"], id="Mixed casing in aliases."),
    pytest.param("Team/T3", [], id="Empty team."),
])
def test_prow_expand_aliases(build: Build, names: str, approvers: list[str]) -> None:
    files = {"OWNERS_ALIASES": EXPAND_ALIASES, "OWNERS": f"approvers: [{names}]\n"}
    own = owners(build, files).owners_of("x.go")
    assert list(own.approvers) == approvers
    assert own.owners_file == ("OWNERS" if approvers else None)


@pytest.mark.parametrize(("aliases", "approvers", "invalid"), [
    pytest.param("aliases:\n  team1:\n    - alice\n    - bob\n  team2:\n    - nikhilnishad\n",
                 ["alice", "bob", "nikhilnishad"], False, id="valid aliases"),
    pytest.param("aliases:\n  team1: {alice, bob}\n", ["alice", "bob", "team2"], False,
                 id="valid aliases in flow style mapping syntax"),
    pytest.param("aliases:\n  team1: {}\n", ["team2"], False, id="empty alias group with braces"),
    pytest.param("aliases:\n  team1:\n", ["team2"], False, id="empty alias group"),
    pytest.param("aliases:\n  team1:\n    - alice\n    team2:\n    - bob\n",
                 ["team1", "team2"], True, id="incorrect indentation in alias groups"),
    pytest.param("aliases:\n  team1: \"\"\n", ["team1", "team2"], True,
                 id="incorrect representation of alias group list"),
    pytest.param("aliases:\n  team1: [alice, 1234]\n", ["team1", "team2"], True,
                 id="unexpected type for alias group member"),
    pytest.param("aliases:\n  team1: [alice, '1234']\n", ["1234", "alice", "team2"], False,
                 id="quoted number is a string member"),
])
def test_prow_parse_aliases_config(build: Build, aliases: str, approvers: list[str],
                                   invalid: bool) -> None:
    files = {"OWNERS_ALIASES": aliases, "OWNERS": "approvers: [team1, team2]\n"}
    repo_owners = owners(build, files)
    assert list(repo_owners.owners_of("x").approvers) == approvers
    assert any(p.rule == "owners.aliases-invalid" for p in repo_owners.problems) == invalid


# ================================================================== Prow: keys it ignores

@pytest.mark.parametrize(("text", "approvers", "leaf"), [
    pytest.param("approvers: [alice]\nemeritus_approvers: [old]\n", ["alice", "root"], ["alice"],
                 id="emeritus-approvers-never-approve"),
    pytest.param("emeritus_approvers: [old]\n", ["root"], ["root"],
                 id="only-emeritus-leaves-the-parent-as-leaf"),
    pytest.param("approvers: [alice]\nfilters:\n  '.*':\n    approvers: [f]\n", ["alice", "root"],
                 ["alice"], id="filters-beside-top-level-approvers-are-ignored"),
    pytest.param("options:\n  no_parent_owners: true\n", ["root"], ["root"],
                 id="no-parent-owners-with-nothing-collected-climbs"),
])
def test_prow_ignored_keys(build: Build, text: str, approvers: list[str],
                           leaf: list[str]) -> None:
    own = owners(build, {"OWNERS": "approvers: [root]\n", "pkg/OWNERS": text}).owners_of(
        "pkg/x.go")
    assert (list(own.approvers), list(own.leaf_approvers)) == (approvers, leaf)


# ================================================================== GitHub CODEOWNERS

# The example file of "About code owners", line for line (inline comment included).
GITHUB_EXAMPLE = """\
# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name. Teams must have
# explicit write access to the repository. In this example,
# the octocats team in the octo-org organization owns all .txt files.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The `docs/*` pattern will match files like
# `docs/getting-started.md` but not further nested files like
# `docs/build-app/troubleshooting.md`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the `/docs`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the `/scripts` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a `/logs` directory such as
# `/build/logs`, `/scripts/logs`, and `/deeply/nested/logs`. Any changes
# in a `/logs` directory will require approval from @octocat.
**/logs @octocat

# In this example, @octocat owns any file in the `/apps`
# directory in the root of your repository except for the `/apps/github`
# subdirectory, as its owners are left empty.
/apps/ @octocat
/apps/github
"""

GLOBAL = ["@global-owner1", "@global-owner2"]


@pytest.mark.parametrize(("path", "codeowners"), [
    pytest.param("README.md", GLOBAL, id="star-default-owners"),
    pytest.param("a/b/c/Makefile", GLOBAL, id="star-at-any-depth"),
    pytest.param("web/app.js", ["@js-owner"], id="js-last-match-wins-inline-comment-dropped"),
    pytest.param("main.go", ["docs@example.com"], id="email-owner"),
    pytest.param("notes/todo.txt", ["@octo-org/octocats"], id="team-owner"),
    pytest.param("build/logs/today.log", ["@octocat"], id="build-logs-then-later-star-star-logs"),
    pytest.param("docs/getting-started.md", ["@doctocat"], id="docs-star-then-later-slash-docs"),
    pytest.param("scripts/deploy.sh", ["@doctocat", "@octocat"], id="scripts-owners-in-order"),
    pytest.param("deeply/nested/logs/x.bin", ["@octocat"], id="star-star-logs-nested"),
    pytest.param("x/apps/y.bin", ["@octocat"], id="apps-anywhere"),
    pytest.param("apps/github/index.bin", [], id="apps-github-owners-left-empty"),
    pytest.param("apps/github", [], id="apps-github-itself-left-empty"),
    pytest.param("apps/other/index.bin", ["@octocat"], id="rest-of-apps"),
    pytest.param("apps/github/app.js", [], id="empty-line-is-last-match-even-for-js"),
    pytest.param("not/in/the/tree.bin", GLOBAL, id="a-path-need-not-exist"),
])
def test_github_example_file(build: Build, path: str, codeowners: list[str]) -> None:
    own = owners(build, {".github/CODEOWNERS": GITHUB_EXAMPLE}).owners_of(path)
    assert own.codeowners == tuple(codeowners)


# Each example line alone after `* @default`, with the doc's claim about it.
@pytest.mark.parametrize(("line", "path", "owned"), [
    # "*.js @js-owner": only @js-owner for JS files
    ("*.js @o", "app.js", True), ("*.js @o", "src/deep/app.js", True),
    ("*.js @o", "app.jsx", False),
    # "/build/logs/": "any files in the build/logs directory at the root of the repository and
    # any of its subdirectories"
    ("/build/logs/ @o", "build/logs/a.log", True),
    ("/build/logs/ @o", "build/logs/sub/dir/b.log", True),
    ("/build/logs/ @o", "src/build/logs/a.log", False),
    ("/build/logs/ @o", "build/logs2/a.log", False),
    ("/build/logs/ @o", "build/logs", False),  # a file named logs is not the folder
    # "docs/*" matches docs/getting-started.md "but not further nested files"
    ("docs/* @o", "docs/getting-started.md", True),
    ("docs/* @o", "docs/build-app/troubleshooting.md", False),
    ("docs/* @o", "src/docs/getting-started.md", False),  # a middle slash anchors
    # "apps/": "any file in an apps directory anywhere in your repository"
    ("apps/ @o", "apps/a.txt", True), ("apps/ @o", "x/apps/y", True),
    ("apps/ @o", "x/y/apps/z/w.txt", True), ("apps/ @o", "myapps/a.txt", False),
    ("apps/ @o", "apps", False),
    # "/docs/": "any file in the /docs directory in the root ... and any of its subdirectories"
    ("/docs/ @o", "docs/a/b/c.md", True), ("/docs/ @o", "src/docs/a.md", False),
    # "**/logs": "/build/logs, /scripts/logs, and /deeply/nested/logs"
    ("**/logs @o", "build/logs/a", True), ("**/logs @o", "scripts/logs/a", True),
    ("**/logs @o", "deeply/nested/logs/a/b", True), ("**/logs @o", "logs/a", True),
    ("**/logs @o", "build/logsx/a", False),
])
def test_github_example_lines(build: Build, line: str, path: str, owned: bool) -> None:
    own = owners(build, {"CODEOWNERS": f"* @default\n{line}\n"}).owners_of(path)
    assert own.codeowners == (("@o",) if owned else ("@default",))


@pytest.mark.parametrize(("text", "path", "codeowners"), [
    # "/apps/github @doctocat": the subdirectory has its own owner
    ("/apps/ @octocat\n/apps/github @doctocat\n", "apps/github/a.rb", ["@doctocat"]),
    ("/apps/ @octocat\n/apps/github @doctocat\n", "apps/gitlab/a.rb", ["@octocat"]),
    # "If the code owners are not on the same line, the pattern matches only the last
    # mentioned code owner."
    ("*.js @a\n*.js @b\n", "x.js", ["@b"]),
    ("*.js @a @b\n", "x.js", ["@a", "@b"]),
    # "CODEOWNERS paths are case sensitive"
    ("/Docs/ @a\n", "docs/x.md", []), ("/Docs/ @a\n", "Docs/x.md", ["@a"]),
    ("*.JS @a\n", "x.js", []), ("README @a\n", "readme", []),
    # Syntax exceptions "that do not work": the line is skipped, the rest still applies.
    ("* @d\n\\#notes @a\n", "#notes", ["@d"]),
    ("* @d\n!*.md @a\n", "x.md", ["@d"]),
    ("* @d\n!*.md\n", "x.md", ["@d"]),
    ("* @d\n*.[ch] @a\n", "x.c", ["@d"]),
    # "# This is a comment."; a `#` that does not start a token is not a comment
    ("* @d\n# *.md @a\n", "x.md", ["@d"]),
    ("* @d\nfoo#bar @a\n", "foo#bar", ["@a"]),
    ("* @d\n*.md @a # @not-an-owner\n", "x.md", ["@a"]),
    ("* @d\n*.md #no owners, only a comment\n", "x.md", []),
    # No line matches: nobody (an empty tuple, not null: a CODEOWNERS file exists)
    ("/src/ @a\n", "lib/x.py", []),
])
def test_github_documented_rules(build: Build, text: str, path: str,
                                 codeowners: list[str]) -> None:
    own = owners(build, {".github/CODEOWNERS": text}).owners_of(path)
    assert own.codeowners == tuple(codeowners)


# gitignore pattern rules CODEOWNERS keeps ("follows most of the same rules used in gitignore")
@pytest.mark.parametrize(("pattern", "path", "owned"), [
    # "*" matches anything except "/"
    ("/*.md", "README.md", True), ("/*.md", "docs/README.md", False),
    ("docs/*.md", "docs/a.md", True), ("docs/*.md", "docs/a/b.md", False),
    ("*/foo", "a/foo", True), ("*/foo", "a/b/foo", False),
    ("a?c", "abc", True), ("a?c", "a/c", False),
    # "docs/*" is one level; "docs/**" is everything inside
    ("docs/**", "docs/a/b/c", True), ("docs/**", "docs", False), ("docs/**", "x/docs/a", False),
    # "a/**/b" matches zero or more folders
    ("a/**/b", "a/b", True), ("a/**/b", "a/x/y/b", True), ("a/**/b", "x/a/b", False),
    # no slash, or only a trailing one: matches at any depth; a file or a folder
    ("*.md", "a/b/c.md", True), ("logs", "a/logs/b", True), ("logs", "a/logs", True),
    ("logs", "a/blogs", False),
    # a leading or middle slash anchors to the root
    ("/a.txt", "a.txt", True), ("/a.txt", "x/a.txt", False),
    ("a/b", "a/b/c", True), ("a/b", "x/a/b", False),
    # a trailing slash: the folder and everything beneath it, never a file of that name
    ("build/", "build/x", True), ("build/", "src/build/x/y", True), ("build/", "build", False),
    # "\ " escapes a space
    ("my\\ file", "my file", True), ("my\\ file", "my", False),
])
def test_gitignore_pattern_rules(build: Build, pattern: str, path: str, owned: bool) -> None:
    own = owners(build, {"CODEOWNERS": f"* @default\n{pattern} @o\n"}).owners_of(path)
    assert own.codeowners == (("@o",) if owned else ("@default",))


@pytest.mark.parametrize(("present", "used"), [
    pytest.param([".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"], ".github/CODEOWNERS",
                 id="github-folder-first"),
    pytest.param(["CODEOWNERS", "docs/CODEOWNERS"], "CODEOWNERS", id="root-before-docs"),
    pytest.param(["docs/CODEOWNERS"], "docs/CODEOWNERS", id="docs"),
    pytest.param([".gitlab/CODEOWNERS", "src/CODEOWNERS"], None, id="other-places-not-read"),
    pytest.param([], None, id="no-codeowners-file-is-null"),
])
def test_github_file_location(build: Build, present: list[str], used: str | None) -> None:
    files = {path: f"* @{path.replace('/', '-').replace('.', '')}\n" for path in present}
    files["README"] = "x\n"
    own = owners(build, files).owners_of("x.txt")
    if used is None:
        assert own.codeowners is None
    else:
        assert own.codeowners == (f"@{used.replace('/', '-').replace('.', '')}",)


# ================================================================== the command itself

def test_cli_json_answers_both_references(build: Build,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    files = {**PROW_FILES, "OWNERS_ALIASES": PROW_ALIASES, ".github/CODEOWNERS": GITHUB_EXAMPLE}
    repo = build(files)
    try:
        main(["owners", "--repo", str(repo), "--json", "src/dir/subdir/x.go",
              "vendor/k8s.io/client-go/x.go", "apps/github/x.go"])
    except SystemExit as exit_:
        assert not exit_.code
    out = json.loads(capsys.readouterr().out)["files"]
    assert out["src/dir/subdir/x.go"] == {
        "approvers": ["alice", "bob", "carl", "cjwagner"],
        "reviewers": ["alice", "bob", "cjwagner", "jakub"],
        "leaf_approvers": ["alice", "bob"], "owners_file": "src/dir/subdir/OWNERS",
        "codeowners": ["docs@example.com"]}
    assert out["vendor/k8s.io/client-go/x.go"]["owners_file"] == "vendor/OWNERS"
    assert out["apps/github/x.go"]["codeowners"] == []
