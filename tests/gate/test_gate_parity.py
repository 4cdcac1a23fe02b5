"""`approval.owners` against Prow's approve plugin, case by case, on real git repositories.

Each table restates the cases of kubernetes-sigs/prow `pkg/plugins/approve/approvers/
owners_test.go` and `approvers_test.go` (and the author handling of `approve.go`) that apply to
`charter gate`. Prow's fake repository becomes OWNERS files committed on `main`; each case's
files are changed on a `pr` branch and the gate is run on main...pr. Prow reports unapproved
OWNERS folders; Charter reports unapproved files, so the expectations name files.

Where Prow and cli.md disagree, cli.md wins; those cases are marked DIFFERENCE and say why:
- the author never counts and is never suggested (Prow: implicit self-approval, or the author
  suggested as an assignee);
- a renamed file needs approval for its old and its new path (Prow: GitHub's new name only);
- `LOGIN@REV` counts only when REV's tree equals the head's (Prow keeps /approve across pushes);
- every changed file needs an approver (Prow: `auto_approve_unowned_subfolders`, and files whose
  OWNERS folder lies below another one of the PR are skipped by `removeSubdirs`);
- a PR without changed files needs no approval (Prow's AreFilesApproved: never approved).
OWNERS are read from BASE by both (Prow's LoadRepoOwners takes the base ref). Charter has no
`/lgtm`: an approval is only what `--approved-by` passes, so Prow's `lgtm_acts_as_approve`
and review-state options have nothing to map to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from charter.policy.schema import Policy
from tests.conftest import git
from tests.gate.test_gate import APPROVAL_ONLY, branch, commit, gate, make_policy, req

MakeRepo = Callable[[str], Path]

# Prow's FakeRepoMap (approvers_test.go), names as Prow writes them: OWNERS are case-insensitive.
ROOT = ["Alice", "Bob"]
A = ["Art", "Anne"]
B = ["Bill", "Ben", "Barbara"]
C = ["Chris", "Carol"]
D = ["David", "Dan", "Debbie"]
E = ["Eve", "Erin"]
EDC = E + D + C
PROW_OWNERS = {"": ROOT, "a": A, "b": B, "c": C, "a/d": D, "a/combo": EDC}


def low(*groups: Sequence[str]) -> set[str]:
    return {name.lower() for group in groups for name in group}


def owners_files(layout: Mapping[str, Sequence[str]]) -> dict[str, str]:
    return {(f"{folder}/OWNERS" if folder else "OWNERS"): f"approvers: [{', '.join(names)}]\n"
            for folder, names in layout.items()}


def pull_request(repo: Path, files: Mapping[str, str | None]) -> None:
    branch(repo, "pr")
    commit(repo, files, "Change the files of the case")


def approval(repo: Path, *, author: str | None = "author", approvals: Sequence[str] = (),
             policy: Policy = APPROVAL_ONLY) -> dict[str, Any]:
    r = req(gate(repo, policy, author=author, approvals=tuple(approvals)), "approval.owners")
    return {"met": r.met, "message": r.message, **r.details}


def unapproved(details: Mapping[str, Any]) -> list[str]:
    return sorted(f["path"] for f in details["files"] if f["needed"])


@pytest.fixture
def prow(make_repo: MakeRepo) -> Path:
    """Prow's fake repository, with a file in every folder so a PR can modify or delete it."""
    repo = make_repo("prow")
    base = {path: "base\n" for path in ("kubernetes.go", "a/test.go", "b/test.go",
                                        "b/test_1.go", "c/test", "a/d/test.go",
                                        "a/combo/test.go")}
    commit(repo, {**owners_files(PROW_OWNERS), **base}, "Prow's fake repository")
    return repo


# ----------------------------------------------------------------------------- UnapprovedFiles
# approvers_test.go TestUnapprovedFiles, TestIsApproved: an approver approves their folder and
# everything below it; a file is approved once any of its approvers (all the way up) approved.


@pytest.mark.parametrize(("name", "files", "approved", "expected"), [
    ("Single Root File PR Approved", ["kubernetes.go"], ["Alice"], []),
    ("Single Root File PR No One Approved", ["kubernetes.go"], [], ["kubernetes.go"]),
    ("B Files Approved at Root", ["b/test.go", "b/test_1.go"], ROOT, []),
    ("B Only UnApproved", ["b/test_1.go", "b/test.go"], [], ["b/test.go", "b/test_1.go"]),
    ("Combo and Other; Neither Approved", ["a/combo/test.go", "a/d/test.go"], [],
     ["a/combo/test.go", "a/d/test.go"]),
    ("Combo and Other; Combo Approved", ["a/combo/test.go", "a/d/test.go"], E + C,
     ["a/d/test.go"]),
    ("Combo and Other; Both Approved", ["a/combo/test.go", "a/d/test.go"], D, []),
    ("A, B, C; Nothing Approved", ["a/test.go", "b/test.go", "c/test"], [],
     ["a/test.go", "b/test.go", "c/test"]),
    ("A, B, C; Partially Approved", ["a/test.go", "b/test.go", "c/test"], A + B, ["c/test"]),
    ("A, B, C; Approved At the Root", ["a/test.go", "b/test.go", "c/test"], ROOT, []),
    ("A, B, C; Approved At the Leaves", ["a/test.go", "b/test.go", "c/test"],
     ["Anne", "Ben", "Carol"], []),
    # A new file in a folder without OWNERS belongs to the closest OWNERS above it.
    ("New file under a/d", ["a/d/deep/new.go"], ["Art"], []),
    ("New folder at the root", ["d/test.go"], ["Art"], ["d/test.go"]),
])
def test_unapproved_files(prow: Path, name: str, files: list[str], approved: list[str],
                          expected: list[str]) -> None:
    pull_request(prow, {path: f"{name}\n" for path in files})
    details = approval(prow, approvals=approved)
    assert unapproved(details) == expected, details["message"]
    assert details["met"] is (not expected)


def test_empty_pr_needs_no_approval(prow: Path) -> None:
    # DIFFERENCE: Prow's AreFilesApproved is false for a PR without files ("A PR with no OWNERS
    # files is not considered approved"). cli.md asks that every changed file be approved; with
    # none changed (here: a commit that changes nothing) there is nothing to approve.
    pull_request(prow, {})
    details = approval(prow)
    assert details["met"] is True
    assert details["message"] == "no changed files need approval"


# ----------------------------------------------------------------------------- GetFilesApprovers
# approvers_test.go TestGetFilesApprovers: which approvals count for which file, case-insensitive.


@pytest.mark.parametrize(("name", "layout", "files", "approved", "expected"), [
    ("No approvers", {"": ["RootOwner"]}, ["a/a", "c"], [], {"a/a": [], "c": []}),
    ("Approvers approves some", {"a": ["AApprover"], "c": ["CApprover"]}, ["a/a", "c/c"],
     ["CApprover"], {"a/a": [], "c/c": ["capprover"]}),
    ("Multiple approvers", {"": ["RootApprover"], "a": ["AApprover"], "c": ["CApprover"]},
     ["a/a", "c/c"], ["RootApprover", "CApprover"],
     {"a/a": ["rootapprover"], "c/c": ["capprover", "rootapprover"]}),
    ("Case-insensitive approvers", {"": ["rOOtaPProver"]}, ["file"], ["RootApprover"],
     {"file": ["rootapprover"]}),
])
def test_files_approvers(make_repo: MakeRepo, name: str, layout: Mapping[str, list[str]],
                         files: list[str], approved: list[str],
                         expected: Mapping[str, list[str]]) -> None:
    repo = make_repo("files-approvers")
    commit(repo, owners_files(layout))
    pull_request(repo, {path: f"{name}\n" for path in files})
    details = approval(repo, approvals=approved)
    got = {f["path"]: f["approved_by"] for f in details["files"]}
    assert got == expected


# ----------------------------------------------------------------------------- suggestions
# owners_test.go TestGetSuggestedApprovers / TestGetAllPotentialApprovers and approvers_test.go
# TestGetCCs: suggestions come from the closest OWNERS (leaf approvers), one from each set
# below. Prow picks among equals with a seeded shuffle; Charter takes the fewest people and then
# the alphabetically first, so the exact names may differ where Prow's are random.


@pytest.mark.parametrize(("name", "files", "approved", "one_from_each", "exactly"), [
    ("Single Root File PR", ["kubernetes.go"], [], [ROOT], ["alice"]),
    ("Internal Node File PR", ["a/test.go"], [], [A], ["anne"]),
    ("Multiple Files Internal Node File PR", ["a/test.go", "a/test1.go"], [], [A], ["anne"]),
    ("Two Leaf File PR", ["a/test.go", "b/test.go"], [], [A, B], ["anne", "barbara"]),
    # a's approvers also approve a/d: one of them is enough (Prow's removeSubdirs).
    ("Leaf and Parent 2 File PR", ["a/test.go", "a/d/test.go"], [], [A], ["anne"]),
    ("Combo and B", ["a/combo/test.go", "b/test.go"], [], [EDC, B], ["barbara", "carol"]),
    ("Lowest Leaf", ["a/combo/test.go"], [], [EDC], ["carol"]),
    # d/ has no OWNERS: the root's approvers are its closest, and they cover everything else.
    ("Root And Everything Else PR",
     ["a/combo/test.go", "b/test.go", "c/test.go", "d/test.go"], [], [ROOT], ["alice"]),
    # TestGetCCs: "chris can approve c and combo, debbie can approve d".
    ("Combo, C, D; None Approved", ["a/combo/test.go", "a/d/test.go", "c/test"], [],
     [C, D], ["carol", "dan"]),
    ("Combo and Other; Combo Approved", ["a/combo/test.go", "a/d/test.go"], E, [D], ["dan"]),
    ("Combo and Other; Both Approved", ["a/combo/test.go", "a/d/test.go"], D, [], []),
    ("A, B, C; Partially approved by non-suggested approvers",
     ["a/test.go", "b/test.go", "c/test"], ["Art", "Ben"], [C], ["carol"]),
])
def test_suggested_approvers(prow: Path, name: str, files: list[str], approved: list[str],
                             one_from_each: list[list[str]], exactly: list[str]) -> None:
    pull_request(prow, {path: f"{name}\n" for path in files})
    details = approval(prow, approvals=approved)
    suggested = details.get("suggested_approvers", [])
    assert isinstance(suggested, list)
    for group in one_from_each:
        assert low(group) & set(suggested), (group, suggested)
    assert len(suggested) == len(one_from_each)
    assert suggested == exactly


# ----------------------------------------------------------------------------- the author
# approve.go: with self-approval on, Prow adds the author as "Author self-approved"
# (AddAuthorSelfApprover), and an author's own /approve counts; with it off, Prow suggests the
# author as an assignee. DIFFERENCE (cli.md "not the author"): the author's approval never
# counts, and the author is never suggested. approvers_test.go TestIsApprovedWithIssue's layout.

AUTHOR_LAYOUT = {"a": ["Author", "Anne", "Carl"], "b": ["Bill", "Carl"]}


@pytest.mark.parametrize(("name", "files", "approved", "prow_approved", "expected"), [
    ("Self approval (implicit)", ["a/file.go"], [], True, ["a/file.go"]),
    ("Self approval (explicit)", ["a/file.go"], ["Author"], True, ["a/file.go"]),
    ("Self approval (explicit), two files", ["a/file.go", "b/file2.go"], ["Author", "Bill"],
     True, ["a/file.go"]),
    ("Single file", ["a/file.go"], ["Carl"], True, []),
    ("Two files, one approver of both", ["a/file.go", "b/file2.go"], ["Carl"], True, []),
    ("Two files two approvers", ["a/file.go", "b/file2.go"], ["Anne", "Bill"], True, []),
])
def test_author_never_counts(make_repo: MakeRepo, name: str, files: list[str],
                             approved: list[str], prow_approved: bool,
                             expected: list[str]) -> None:
    repo = make_repo("author")
    commit(repo, owners_files(AUTHOR_LAYOUT))
    pull_request(repo, {path: f"{name}\n" for path in files})
    details = approval(repo, author="Author", approvals=approved)
    assert unapproved(details) == expected
    assert details["met"] is (not expected)
    assert prow_approved  # Prow (self-approval on) approves every case of this table
    if expected:
        assert "author" not in details["suggested_approvers"]
        assert "a/file.go needs /approve from one of: anne, carl (not the author)" in str(
            details["message"])
    if "Author" in approved:
        assert [d["login"] for d in details["ignored"]] == ["author"]


def test_author_counts_when_the_policy_allows(make_repo: MakeRepo) -> None:
    # With `not_author: false` an explicit approval by the author counts, as in Prow; still no
    # implicit one: the author must pass --approved-by like anybody else.
    repo = make_repo("author-allowed")
    commit(repo, owners_files(AUTHOR_LAYOUT))
    pull_request(repo, {"a/file.go": "x\n"})
    policy = make_policy({"approval": {"owners": "OWNERS", "not_author": False}})
    assert approval(repo, author="Author", approvals=["Author"], policy=policy)["met"] is True
    assert approval(repo, author="Author", policy=policy)["met"] is False


def test_stale_approval_by_the_author_is_ignored_not_dropped(make_repo: MakeRepo) -> None:
    # The author is told their approval never counts, not "must /approve again" (which could
    # not help), and a stale approval is not reported when the same person approved the head.
    repo = make_repo("stale")
    commit(repo, owners_files({"": ["alice", "bob"]}))
    pull_request(repo, {"f": "one\n"})
    old = git(repo, "rev-parse", "HEAD").strip()
    commit(repo, {"f": "two\n"})
    details = approval(repo, author="alice", approvals=[f"alice@{old}"])
    assert "dropped" not in details
    assert [d["approval"] for d in details["ignored"]] == [f"alice@{old}"]
    assert "must /approve again" not in str(details["message"])
    details = approval(repo, author="erin", approvals=[f"bob@{old}", "bob"])
    assert details["met"] is True
    assert "dropped" not in details and "dropped" not in str(details["message"])
    details = approval(repo, author="erin", approvals=[f"bob@{old}"])
    assert details["met"] is False
    assert [d["login"] for d in details["dropped"]] == ["bob"]


# ----------------------------------------------------------------------------- no_parent_owners
# owners_test.go TestRemoveSubdirs and repoowners' entriesForFile: a folder with no_parent_owners
# stops the walk once it has approvers; parents' approvers do not approve below it.


@pytest.mark.parametrize(("name", "owners", "files", "approved", "expected"), [
    ("NoParentOwners", {"a/combo/OWNERS": "options: {no_parent_owners: true}\n"
                                          "approvers: [eve]\n"},
     ["a/combo/test.go"], ["Alice", "Art"], ["a/combo/test.go"]),
    ("NoParentOwners, approved by its own", {"a/combo/OWNERS": "options: {no_parent_owners: "
                                                               "true}\napprovers: [eve]\n"},
     ["a/combo/test.go"], ["Eve"], []),
    ("NoParentOwners in relative path", {"a/b/OWNERS": "options: {no_parent_owners: true}\n"
                                                       "approvers: [bea]\n",
                                         "a/b/combo/OWNERS": "approvers: [cora]\n"},
     ["a/b/combo/x.go", "a/x.go"], ["Art"], ["a/b/combo/x.go"]),
    ("NoParentOwners with child approved by the stopping folder",
     {"a/b/OWNERS": "options: {no_parent_owners: true}\napprovers: [bea]\n",
      "a/b/combo/OWNERS": "approvers: [cora]\n"},
     ["a/b/combo/x.go", "a/b/x.go"], ["Bea"], []),
    # Prow breaks on no_parent_owners only once the walk found approvers (`out.Len() > 0`).
    ("NoParentOwners without approvers", {"a/e/OWNERS": "options: {no_parent_owners: true}\n"
                                                        "reviewers: [rita]\n"},
     ["a/e/x.go"], ["Art"], []),
    # An OWNERS without approvers (Prow's `"d": {}`) leaves the file to the closest one above.
    ("OWNERS with reviewers only", {"d/OWNERS": "reviewers: [rita]\n"},
     ["d/x.go"], ["Bob"], []),
    ("OWNERS with reviewers only, reviewer approves", {"d/OWNERS": "reviewers: [rita]\n"},
     ["d/x.go"], ["Rita"], ["d/x.go"]),
])
def test_no_parent_owners(prow: Path, name: str, owners: Mapping[str, str], files: list[str],
                          approved: list[str], expected: list[str]) -> None:
    commit(prow, dict(owners), name)
    pull_request(prow, {path: f"{name}\n" for path in files})
    details = approval(prow, approvals=approved)
    assert unapproved(details) == expected, details["message"]


# ----------------------------------------------------------------------------- every file


def test_every_file_needs_its_own_approver_despite_prows_remove_subdirs(
        make_repo: MakeRepo) -> None:
    # DIFFERENCE: Prow groups files by their closest approvers' OWNERS folder and drops a folder
    # below another one of the PR (removeSubdirs); UnapprovedFiles then skips its files. With a
    # filter, a/OWNERS' gopher approves a/x.go, so Prow approves the PR although nobody who may
    # approve a/b/y.md did. cli.md: every changed file is approved by one of its approvers.
    repo = make_repo("subdirs")
    commit(repo, {"OWNERS": "approvers: [alice]\n",
                  "a/OWNERS": "filters:\n  '\\.go$':\n    approvers: [gopher]\n",
                  "a/b/OWNERS": "approvers: [bee]\n"})
    pull_request(repo, {"a/x.go": "x\n", "a/b/y.md": "y\n"})
    details = approval(repo, approvals=["gopher"])
    assert unapproved(details) == ["a/b/y.md"]
    assert "a/b/y.md needs /approve from one of: alice, bee (not the author)" in str(
        details["message"])


def test_auto_approve_unowned_subfolders_is_not_applied(prow: Path) -> None:
    # DIFFERENCE: Prow's TestIsApproved "Subfolder in folder with AutoApproveUnownedSubfolders
    # gets approved" needs no approval at all; cli.md has every changed file approved by an
    # OWNERS approver, so the option is read (it must be a boolean) but grants nothing.
    commit(prow, {"a/OWNERS": "options: {auto_approve_unowned_subfolders: true}\n"
                              "approvers: [Art, Anne]\n"})
    pull_request(prow, {"a/new-folder/test.go": "x\n"})
    details = approval(prow)
    assert unapproved(details) == ["a/new-folder/test.go"]
    assert details["suggested_approvers"] == ["anne"]


# ----------------------------------------------------------------------------- changes


def test_deleted_file_needs_its_owners(prow: Path) -> None:
    # Prow lists a deleted file under its name (GitHub's PR files); so does Charter.
    pull_request(prow, {"a/d/test.go": None})
    assert unapproved(approval(prow, approvals=["Bill"])) == ["a/d/test.go"]
    assert approval(prow, approvals=["Dan"])["met"] is True


def test_deleted_owners_file_is_approved_by_the_owners_it_had(prow: Path) -> None:
    # OWNERS come from BASE, where a/d/OWNERS still names its approvers.
    pull_request(prow, {"a/d/OWNERS": None})
    assert unapproved(approval(prow, approvals=["Bill"])) == ["a/d/OWNERS"]
    assert approval(prow, approvals=["Debbie"])["met"] is True


def test_renamed_file_needs_old_and_new_path(prow: Path) -> None:
    # DIFFERENCE: Prow takes GitHub's `filename` (the new path) only, so b's approvers alone
    # approve moving c's file away; cli.md: "a renamed file needs approval for its old and its
    # new path".
    commit(prow, {"c/moved": "a file long enough\nfor git to follow\nacross the move\n"})
    branch(prow, "pr")
    git(prow, "mv", "c/moved", "b/moved")
    commit(prow, {}, "Move c/moved to b/moved")
    details = approval(prow, approvals=["Bill"])
    assert unapproved(details) == ["c/moved"]
    assert "c/moved (renamed to b/moved) needs /approve from one of: alice, bob, carol, chris" \
        in str(details["message"])
    assert approval(prow, approvals=["Bill", "Carol"])["met"] is True
    assert approval(prow, approvals=["Alice"])["met"] is True


def test_owners_changed_by_the_pr_do_not_count(prow: Path) -> None:
    # Both Prow (LoadRepoOwners(org, repo, base ref)) and Charter read OWNERS from BASE.
    pull_request(prow, {"a/OWNERS": "approvers: [Art, Anne, Mallory]\n", "a/test.go": "x\n"})
    details = approval(prow, author="mallory", approvals=["Mallory"])
    assert unapproved(details) == ["a/OWNERS", "a/test.go"]


def test_approval_at_rev_counts_only_for_the_same_tree(prow: Path) -> None:
    # DIFFERENCE: Prow keeps an /approve across pushes (only the lgtm plugin drops its label);
    # cli.md: LOGIN@REV "counts only if REV's tree equals the head's tree".
    pull_request(prow, {"a/test.go": "one\n"})
    first = git(prow, "rev-parse", "HEAD").strip()
    git(prow, "commit", "-q", "--amend", "-m", "Reworded\n\nSame tree.\n\n"
        "Signed-off-by: Test Author <author@example.com>")
    assert approval(prow, approvals=[f"Anne@{first}"])["met"] is True
    commit(prow, {"a/test.go": "two\n"})
    details = approval(prow, approvals=[f"Anne@{first}"])
    assert unapproved(details) == ["a/test.go"]
    assert [d["login"] for d in details["dropped"]] == ["anne"]


def test_backslash_is_part_of_a_file_name(prow: Path) -> None:
    # Prow (filepath.Dir on Linux) and git treat `a\x.go` as a file at the root: only the
    # root's approvers may approve it, never a/'s.
    pull_request(prow, {"a\\x.go": "x\n"})
    assert unapproved(approval(prow, approvals=["Art"])) == ["a\\x.go"]
