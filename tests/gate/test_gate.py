"""`evaluate_gate` on pull requests built as real branches in real git repositories."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from charter.errors import CharterError
from charter.gate.approval import fewest_approvers
from charter.gate.evaluate import evaluate_gate
from charter.gate.facts import changed_files, policy_at
from charter.gate.model import Approval, GateResult, Requirement, parse_approval, parse_check
from charter.policy.loader import load_policy
from charter.policy.schema import Policy
from tests.conftest import git

MakeRepo = Callable[[str], Path]
SIGNED = "Signed-off-by: Test Author <author@example.com>"


def commit(repo: Path, files: Mapping[str, str | None], title: str = "Change files",
           body: str = "The test needs it.", signed: bool = True) -> str:
    """Write (or delete, for None) FILES and commit them; return the new commit id."""
    for path, text in files.items():
        target = repo / path
        if text is None:
            git(repo, "rm", "-q", path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        git(repo, "add", path)
    message = f"{title}\n\n{body}" + (f"\n\n{SIGNED}" if signed else "")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def branch(repo: Path, name: str, start: str = "main") -> None:
    git(repo, "checkout", "-q", "-b", name, start)


def make_policy(prs: Mapping[str, Any], processes: Mapping[str, Any] | None = None) -> Policy:
    return Policy.model_validate({"project": {"name": "test"}, "roles": ["maintainer"],
                                  "pull_requests": prs, "processes": processes or {}})


APPROVAL_ONLY = make_policy({"approval": {"owners": "OWNERS", "count": 1, "not_author": True,
                                          "source": "approved by a maintainer other than the "
                                                    "author"}})


def gate(repo: Path, policy: Policy | None, *, author: str | None = "alice",
         approvals: tuple[str, ...] = (), checks: Mapping[str, str] | None = None,
         labels: tuple[str, ...] = (), head: str = "pr") -> GateResult:
    return evaluate_gate(repo, "main", head, author, approvals, checks or {}, labels, policy)


def req(result: GateResult, rule: str) -> Requirement:
    return next(r for r in result.requirements if r.rule == rule)


# ----------------------------------------------------------------------------- inputs


@pytest.mark.parametrize(("text", "expected"), [
    ("alice", Approval("alice")),
    ("@Alice", Approval("alice")),
    ("bob@1a2b3c4", Approval("bob", "1a2b3c4")),
    ("org/team", Approval("org/team")),
])
def test_parse_approval(text: str, expected: Approval) -> None:
    assert parse_approval(text) == expected


@pytest.mark.parametrize("text", ["", "alice@", "al ice", "@"])
def test_parse_approval_rejects_malformed(text: str) -> None:
    with pytest.raises(CharterError, match="LOGIN or LOGIN@REV"):
        parse_approval(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("build=success", ("build", "success")),
    ("e2e tests = FAILURE", ("e2e tests", "failure")),
])
def test_parse_check(text: str, expected: tuple[str, str]) -> None:
    assert parse_check(text) == expected


@pytest.mark.parametrize(("text", "error"), [
    ("build", "NAME=STATE"), ("=success", "NAME=STATE"), ("build=", "NAME=STATE"),
    ("build=green", "unknown state 'green'"),
])
def test_parse_check_rejects_malformed(text: str, error: str) -> None:
    with pytest.raises(CharterError, match=error):
        parse_check(text)


# ----------------------------------------------------------------------------- approval


@pytest.fixture
def owned(make_repo: MakeRepo) -> Path:
    """Root approvers alice and bob; pkg/ adds carol; pkg/sealed/ stops at its own dave."""
    repo = make_repo("owned")
    commit(repo, {"OWNERS": "approvers: [alice, bob]\n",
                  "pkg/OWNERS": "approvers: [carol]\n",
                  "pkg/sealed/OWNERS": "options: {no_parent_owners: true}\napprovers: [dave]\n",
                  "pkg/a.go": "package pkg\n", "pkg/sealed/s.go": "package sealed\n",
                  "README.md": "hello\n"}, "Initial layout")
    return repo


@pytest.mark.parametrize(("files", "author", "approvals", "met", "message"), [
    # The author approving their own file does not count; the other root approver does.
    ({"README.md": "hi\n"}, "alice", ("alice",), False,
     "README.md needs /approve from one of: bob (not the author)"),
    ({"README.md": "hi\n"}, "alice", ("bob",), True, "approved by their owners: bob"),
    # A folder's approvers approve everything below it, and so do their parents' approvers.
    ({"pkg/a.go": "package pkg // x\n"}, "erin", ("carol",), True, "carol"),
    ({"pkg/a.go": "package pkg // x\n"}, "erin", ("bob",), True, "bob"),
    ({"pkg/deep/new.go": "package deep\n"}, "erin", ("carol",), True, "carol"),
    # no_parent_owners: the root approvers do not reach pkg/sealed/.
    ({"pkg/sealed/s.go": "package sealed // x\n"}, "erin", ("bob", "carol"), False,
     "pkg/sealed/s.go needs /approve from one of: dave (not the author)"),
    ({"pkg/sealed/s.go": "package sealed // x\n"}, "erin", ("dave",), True, "dave"),
    # The author is the only approver: nobody else can approve.
    ({"pkg/sealed/s.go": "package sealed // x\n"}, "dave", ("dave",), False,
     "cannot be approved: its only approver is its author (dave)"),
    # A deleted file needs its owners' approval too.
    ({"pkg/a.go": None}, "erin", ("alice",), True, "alice"),
    ({"pkg/a.go": None}, "erin", ("dave",), False, "pkg/a.go (deleted) needs /approve"),
])
def test_approval_by_owners(owned: Path, files: Mapping[str, str | None], author: str,
                            approvals: tuple[str, ...], met: bool, message: str) -> None:
    branch(owned, "pr")
    commit(owned, files)
    r = req(gate(owned, APPROVAL_ONLY, author=author, approvals=approvals), "approval.owners")
    assert r.met is met
    assert message in r.message
    assert r.source == "approved by a maintainer other than the author"


def test_author_self_approval_is_reported_as_ignored(owned: Path) -> None:
    branch(owned, "pr")
    commit(owned, {"README.md": "hi\n"})
    result = gate(owned, APPROVAL_ONLY, author="Alice", approvals=("alice",))
    r = req(result, "approval.owners")
    assert not result.mergeable
    assert r.details["ignored"][0]["login"] == "alice"
    assert "is the author" in r.message
    assert r.details["suggested_approvers"] == ["bob"]


def test_author_may_approve_when_the_policy_allows(owned: Path) -> None:
    policy = make_policy({"approval": {"owners": "OWNERS", "not_author": False}})
    branch(owned, "pr")
    commit(owned, {"README.md": "hi\n"})
    assert req(gate(owned, policy, approvals=("alice",)), "approval.owners").met


def test_approval_at_old_head_survives_noop_rebase_and_drops_on_change(owned: Path) -> None:
    branch(owned, "pr")
    old_head = commit(owned, {"README.md": "hi\n"}, "Greet")
    # Reword the commit: a new head commit with the very same tree.
    git(owned, "commit", "-q", "--amend", "-m", f"Greet readers\n\nWhy: nicer.\n\n{SIGNED}")
    assert git(owned, "rev-parse", "HEAD").strip() != old_head
    r = req(gate(owned, APPROVAL_ONLY, author="erin", approvals=(f"bob@{old_head}",)),
            "approval.owners")
    assert r.met, r.message
    # A new change after the approval: it no longer counts, and the message says why.
    commit(owned, {"README.md": "hi there\n"}, "Greet more")
    r = req(gate(owned, APPROVAL_ONLY, author="erin", approvals=(f"bob@{old_head}",)),
            "approval.owners")
    assert not r.met
    assert f"approval bob@{old_head} dropped" in r.message
    assert "tree differs from the head's: 1 file(s) changed since (README.md)" in r.message
    assert r.details["dropped"][0]["login"] == "bob"
    # An approval of the head itself still counts.
    assert req(gate(owned, APPROVAL_ONLY, author="erin", approvals=(f"bob@{old_head}", "bob")),
               "approval.owners").met


def test_approval_at_unknown_revision_is_bad_input(owned: Path) -> None:
    branch(owned, "pr")
    commit(owned, {"README.md": "hi\n"})
    with pytest.raises(CharterError, match="unknown revision 'nosuchrev'"):
        gate(owned, APPROVAL_ONLY, approvals=("bob@nosuchrev",))


def test_rename_needs_old_and_new_path_approved(make_repo: MakeRepo) -> None:
    repo = make_repo("rename")
    commit(repo, {"old/OWNERS": "approvers: [olga]\n", "new/OWNERS": "approvers: [nina]\n",
                  "old/f.txt": "some content that git can follow\nacross a rename\n"})
    branch(repo, "pr")
    git(repo, "mv", "old/f.txt", "new/f.txt")
    commit(repo, {}, "Move f")
    assert [(c.status, c.old_path, c.path) for c in changed_files(repo, "main", "pr")] == [
        ("R", "old/f.txt", "new/f.txt")]
    r = req(gate(repo, APPROVAL_ONLY, author="erin", approvals=("olga",)), "approval.owners")
    assert not r.met
    assert r.message == ("new/f.txt (renamed from old/f.txt) needs /approve from one of: nina "
                         "(not the author)")
    r = req(gate(repo, APPROVAL_ONLY, author="erin", approvals=("nina",)), "approval.owners")
    assert r.message.startswith("old/f.txt (renamed to new/f.txt) needs /approve from one of: "
                                "olga")
    assert req(gate(repo, APPROVAL_ONLY, author="erin", approvals=("olga", "nina")),
               "approval.owners").met


def test_owners_changed_in_the_pr_are_ignored(owned: Path) -> None:
    branch(owned, "pr")
    commit(owned, {"OWNERS": "approvers: [alice, bob, mallory]\n",
                   "pkg/sealed/OWNERS": "approvers: [mallory]\n",
                   "pkg/sealed/s.go": "package sealed // mine\n"}, "Take over")
    r = req(gate(owned, APPROVAL_ONLY, author="mallory", approvals=("mallory",)),
            "approval.owners")
    assert not r.met
    assert "OWNERS needs /approve from one of: alice, bob (not the author)" in r.message
    assert "pkg/sealed/s.go needs /approve from one of: dave" in r.message
    assert "mallory" not in r.details["counted"]


@pytest.mark.parametrize(("base", "owners", "path", "reason"), [
    pytest.param({"pkg/OWNERS": "approvers: [carol]\n"}, "OWNERS", "docs/x.md",
                 "no OWNERS file covers it (looked for docs/OWNERS or OWNERS)",
                 id="owners-elsewhere-only"),
    pytest.param({"pkg/OWNERS": "reviewers: [carol]\n"}, "OWNERS", "pkg/x.go",
                 "pkg/OWNERS names no approver for it", id="owners-without-approvers"),
    pytest.param({"CODEOWNERS": "* @org/team\n"}, "OWNERS", "x.go",
                 "the policy reads OWNERS files, and the base has none in any folder",
                 id="no-owners-file-at-all"),
    pytest.param({"OWNERS": "approvers: [carol]\n"}, "CODEOWNERS", "x.go",
                 "the base has no CODEOWNERS file (looked for .github/CODEOWNERS, CODEOWNERS or "
                 "docs/CODEOWNERS)", id="no-codeowners-file"),
    pytest.param({"CODEOWNERS": "/src/ @org/team\n"}, "CODEOWNERS", "docs/x.md",
                 "no line of CODEOWNERS matches it", id="no-codeowners-line"),
    pytest.param({".github/CODEOWNERS": "* @org/team\n/docs/\n"}, "CODEOWNERS", "docs/x.md",
                 ".github/CODEOWNERS:2 (`/docs/`) matches it and names no owner",
                 id="codeowners-line-without-owners"),
])
def test_no_approver_names_the_file_looked_for(make_repo: MakeRepo, base: Mapping[str, str],
                                               owners: str, path: str, reason: str) -> None:
    repo = make_repo("partial")
    commit(repo, {**base, "keep.txt": "x\n"})
    branch(repo, "pr")
    commit(repo, {path: "changed\n"})
    r = req(gate(repo, make_policy({"approval": {"owners": owners}}), author="erin",
                 approvals=("carol", "org/team")), "approval.owners")
    assert not r.met
    assert r.message.startswith(f"{path} has no approver: {reason}")
    assert r.details["items"] == [f"{path} has no approver: {reason}"]
    assert r.details["suggested_approvers"] == []


@pytest.mark.parametrize(("base", "source", "note"), [
    pytest.param({"OWNERS": "approvers: [carol]\n"}, "OWNERS", None, id="owners-only"),
    pytest.param({"CODEOWNERS": "* @carol\n"}, "CODEOWNERS", None, id="codeowners-only"),
    pytest.param({".github/CODEOWNERS": "* @carol\n"}, "CODEOWNERS", None,
                 id="codeowners-in-.github"),
    pytest.param({"OWNERS": "approvers: [carol]\n", "CODEOWNERS": "* @dave\n"}, "OWNERS",
                 "approvers come from OWNERS files (pull_requests.approval.owners: OWNERS); "
                 "CODEOWNERS is not read", id="both-owners-wins"),
    pytest.param({}, "OWNERS", None, id="neither"),
])
def test_without_a_policy_approvers_come_from_the_ownership_files_there_are(
        make_repo: MakeRepo, base: Mapping[str, str], source: str, note: str | None) -> None:
    """The built-in default reads OWNERS files, and CODEOWNERS where there is no OWNERS file;
    with both, it says which one it read."""
    repo = make_repo("defaults")
    commit(repo, {**base, "keep.txt": "x\n"})
    branch(repo, "pr")
    commit(repo, {"src/x.go": "package x\n"})
    r = req(gate(repo, None, author="erin", approvals=("carol",)), "approval.owners")
    assert r.details["owners_from"] == source
    assert r.met is bool(base)
    assert r.details.get("notes", []) == ([note] if note else [])
    if note:
        assert r.message.endswith(note)


def test_codeowners_policy_says_owners_files_are_not_read(make_repo: MakeRepo) -> None:
    repo = make_repo("both")
    commit(repo, {"OWNERS": "approvers: [carol]\n", "pkg/OWNERS": "approvers: [dave]\n",
                  ".github/CODEOWNERS": "* @erin\n"})
    branch(repo, "pr")
    commit(repo, {"pkg/x.go": "package x\n"})
    r = req(gate(repo, make_policy({"approval": {"owners": "CODEOWNERS"}}), author="zoe",
                 approvals=("dave",)), "approval.owners")
    assert not r.met
    assert r.details["notes"] == [
        "approvers come from .github/CODEOWNERS (pull_requests.approval.owners: CODEOWNERS); "
        "the 2 OWNERS file(s) are not read"]


def test_count_two_needs_two_distinct_approvers(owned: Path) -> None:
    policy = make_policy({"approval": {"owners": "OWNERS", "count": 2}})
    branch(owned, "pr")
    commit(owned, {"pkg/a.go": "package pkg // x\n"})
    r = req(gate(owned, policy, author="erin", approvals=("carol",)), "approval.owners")
    assert not r.met
    assert r.message == ("pkg/a.go needs 1 more /approve (approved by carol) from: alice, bob "
                         "(not the author)")
    assert req(gate(owned, policy, author="erin", approvals=("carol", "bob")),
               "approval.owners").met
    # With the author excluded, pkg/sealed has one possible approver: two cannot be had.
    commit(owned, {"pkg/sealed/s.go": "package sealed // x\n"})
    r = req(gate(owned, policy, author="erin", approvals=("carol", "bob", "dave")),
            "approval.owners")
    assert "needs 2 approvals but only 1 of its approvers may give one" in r.message


def test_codeowners_convention(make_repo: MakeRepo) -> None:
    repo = make_repo("codeowners")
    commit(repo, {".github/CODEOWNERS": "* @Core\n/docs/ @writer @org/docs-team\n",
                  "docs/a.md": "a\n", "src/x.py": "x = 1\n"})
    policy = make_policy({"approval": {"owners": "CODEOWNERS"}})
    branch(repo, "pr")
    commit(repo, {"docs/a.md": "b\n", "src/x.py": "x = 2\n"})
    r = req(gate(repo, policy, author="erin", approvals=("core",)), "approval.owners")
    assert r.message == ("docs/a.md needs /approve from one of: org/docs-team, writer "
                         "(not the author)")
    assert req(gate(repo, policy, author="erin", approvals=("core", "org/docs-team")),
               "approval.owners").met


def test_suggested_approvers_are_the_fewest(make_repo: MakeRepo) -> None:
    # carol can approve four folders, alice and bob three each: greedy picks carol first and
    # then still needs alice and bob (3 people), while alice and bob alone cover all six.
    repo = make_repo("cover")
    layout = {"p1": "alice, carol", "p2": "alice, carol", "p3": "alice",
              "p4": "bob, carol", "p5": "bob, carol", "p6": "bob"}
    commit(repo, {f"{d}/OWNERS": f"approvers: [{who}]\n" for d, who in layout.items()})
    branch(repo, "pr")
    commit(repo, {f"{d}/f.txt": d for d in layout})
    r = req(gate(repo, APPROVAL_ONLY, author="erin"), "approval.owners")
    assert r.details["suggested_approvers"] == ["alice", "bob"]
    assert "suggestion_note" not in r.details
    demands = [(1, who.split(", ")) for who in layout.values()]
    assert fewest_approvers(demands, ["alice", "bob", "carol"]) == (("alice", "bob"), True)
    assert fewest_approvers(demands, ["alice", "bob", "carol"], exact_limit=0) == (
        ("alice", "bob", "carol"), False)


@pytest.mark.parametrize(("demands", "candidates", "expected"), [
    ([], ["a"], ()),
    ([(1, ["b", "a"])], ["a", "b"], ("a",)),             # ties: alphabetical
    ([(2, ["a", "b", "c"]), (1, ["c"])], ["a", "b", "c"], ("a", "c")),
    ([(1, ["x"])], ["a"], ()),                           # nobody can help: nothing suggested
])
def test_fewest_approvers_table(demands: list[tuple[int, list[str]]], candidates: list[str],
                                expected: tuple[str, ...]) -> None:
    assert fewest_approvers(demands, candidates)[0] == expected


def test_suggestions_prefer_closest_owners(owned: Path) -> None:
    branch(owned, "pr")
    commit(owned, {"pkg/a.go": "package pkg // x\n"})
    r = req(gate(owned, APPROVAL_ONLY, author="erin"), "approval.owners")
    # alice and bob could approve too, but Prow asks the closest OWNERS file's approvers.
    assert r.message == "pkg/a.go needs /approve from one of: alice, bob, carol (not the author)"
    assert r.details["suggested_approvers"] == ["carol"]


# ----------------------------------------------------------------------------- commits


def test_dco_and_commit_style_of_the_prs_commits_only(owned: Path) -> None:
    policy = make_policy({"dco": {"source": "DCO"}, "commits": {"body": "required"}})
    commit(owned, {"README.md": "base\n"}, "Base commit without sign-off", signed=False)
    branch(owned, "pr")
    commit(owned, {"README.md": "one\n"}, "Signed change")
    result = gate(owned, policy)
    assert req(result, "dco").met and req(result, "commits").met
    assert req(result, "dco").message == "all 1 commit(s) carry a valid sign-off"
    commit(owned, {"README.md": "two\n"}, "x" * 80, body="", signed=False)
    result = gate(owned, policy)
    assert not result.mergeable
    assert "dco.signoff-missing" in {f["rule"] for f in req(result, "dco").details["findings"]}
    assert "the title is 80 characters" in req(result, "commits").message
    assert req(result, "dco").source == "DCO"


# ----------------------------------------------------------------------------- checks, hold


CHECKS_POLICY = make_policy({"checks": {"required": ["build", "test"], "source": "gate merges"},
                             "hold": {"labels": ["do-not-merge/hold"]}})


@pytest.mark.parametrize(("checks", "met", "message"), [
    ({}, False, "build: not reported yet; test: not reported yet"),
    ({"build": "success"}, False, "test: not reported yet"),
    ({"build": "success", "test": "failure"}, False, "test: failure, it must pass"),
    ({"build": "pending", "test": "success"}, False, "build: pending, waiting for it to pass"),
    ({"build": "success", "test": "success", "lint": "failure"}, True,
     "required checks pass: build, test"),
    ({"build": "skipped", "test": "neutral"}, True, "required checks pass"),
])
def test_required_checks(owned: Path, checks: dict[str, str], met: bool, message: str) -> None:
    branch(owned, "pr")
    commit(owned, {"README.md": "hi\n"})
    result = gate(owned, CHECKS_POLICY, checks=checks)
    r = req(result, "checks.required")
    assert r.met is met and message in r.message
    assert result.mergeable is met


@pytest.mark.parametrize(("labels", "met"), [((), True), (("do-not-merge/hold",), False),
                                             (("lgtm",), True)])
def test_hold_label(owned: Path, labels: tuple[str, ...], met: bool) -> None:
    branch(owned, "pr")
    commit(owned, {"README.md": "hi\n"})
    result = gate(owned, CHECKS_POLICY, labels=labels,
                  checks={"build": "success", "test": "success"})
    assert req(result, "hold").met is met
    assert result.mergeable is met


# ----------------------------------------------------------------------------- llm-d proposals


@pytest.fixture
def llmd(make_repo: MakeRepo) -> Path:
    repo = make_repo("llmd")
    commit(repo, {"OWNERS": "approvers: [alice, bob]\n", "api/v1/types.go": "package v1\n",
                  "pkg/x.go": "package pkg\n", "docs/proposals/old.md": "# Old\n"})
    return repo


@pytest.mark.parametrize(("files", "labels", "trailer", "met", "message"), [
    ({"pkg/x.go": "package pkg // fix\n"}, (), "", True, "no proposal needed"),
    ({"api/v1/types.go": "package v1 // new field\n"}, (), "", False,
     "needs an approved proposal (touches api/v1/types.go)"),
    ({"pkg/x.go": "package pkg // fix\n"}, ("api-change",), "", False, "has label api-change"),
    ({"router/main.go": "package main\n"}, (), "", False,
     "adds new component folder(s) router"),
    ({"api/v1/types.go": "package v1 // new\n", "docs/proposals/new-api.md": "# New\n"}, (), "",
     True, "it carries its proposal docs/proposals/new-api.md"),
    ({"api/v1/types.go": "package v1 // new\n"}, (), "Proposal: docs/proposals/old.md", True,
     "it links the approved proposal docs/proposals/old.md"),
    ({"api/v1/types.go": "package v1 // new\n"}, (), "Proposal: docs/proposals/missing.md",
     False, "not a proposal merged into the base: docs/proposals/missing.md"),
])
def test_llmd_proposal_required(llmd: Path, files: Mapping[str, str], labels: tuple[str, ...],
                                trailer: str, met: bool, message: str) -> None:
    branch(llmd, "pr")
    commit(llmd, files, body="The test needs it." + (f"\n\n{trailer}" if trailer else ""))
    result = gate(llmd, load_policy("llm-d").policy, author="erin", approvals=("bob",),
                  checks={"build": "success", "test": "success"}, labels=labels)
    r = req(result, "proposal.required")
    assert r.met is met, r.message
    assert message in r.message
    assert r.source and "approved project proposal" in r.source
    assert result.mergeable is met


# ----------------------------------------------------------------------------- llama-stack RFC


@pytest.fixture
def llama(make_repo: MakeRepo) -> Path:
    repo = make_repo("llama")
    commit(repo, {".github/CODEOWNERS": "* @ashwin\n",
                  "llama_stack/cli.py": "import argparse\np = argparse.ArgumentParser()\n"
                                        "p.add_argument('--port', type=int, default=8321)\n",
                  "llama_stack/config/run.yaml": "server:\n  port: 8321\n",
                  "llama_stack/legacy.py": "X = 1\n", "rfcs/RFC-0001-old.md": "# Old\n"},
           "feat: initial layout")
    return repo


@pytest.mark.parametrize(("files", "labels", "met", "reason"), [
    ({"llama_stack/cli.py": "import argparse\np = argparse.ArgumentParser()\n"
                            "p.add_argument('--port', type=int, default=8321)\n"
                            "p.add_argument('--telemetry', action='store_true')\n"},
     (), False, "adds flag(s) --telemetry"),
    ({"llama_stack/config/run.yaml": "server:\n  port: 8321\n  tls: {cert: x}\n"}, (), False,
     "adds configuration key(s) server.tls, server.tls.cert in llama_stack/config/run.yaml"),
    ({"llama_stack/legacy.py": None}, (), False, "deletes public module(s) llama_stack/legacy.py"),
    ({"llama_stack/cli.py": "import argparse\np = argparse.ArgumentParser()\n"}, (), False,
     "removes flag(s) --port"),
    ({"llama_stack/legacy.py": "X = 2\n"}, ("rfc-needed",), False, "has label rfc-needed"),
    ({"llama_stack/legacy.py": None}, ("refactor",), True, "exempt from an RFC by label refactor"),
    ({"llama_stack/legacy.py": None, "rfcs/RFC-0002-drop-legacy.md": "# Drop\n"}, (), True,
     "the RFC is rfcs/RFC-0002-drop-legacy.md"),
    ({"llama_stack/legacy.py": "X = 2  # faster\n"}, (), True, "not a substantial change"),
])
def test_llama_stack_rfc_request_is_advisory(llama: Path, files: Mapping[str, str | None],
                                             labels: tuple[str, ...], met: bool,
                                             reason: str) -> None:
    branch(llama, "pr")
    commit(llama, files, "feat: change things")
    result = gate(llama, load_policy("llama-stack").policy, author="erin",
                  approvals=("ashwin",), labels=labels)
    r = req(result, "rfc.requested")
    assert r.severity == "advisory"
    assert r.met is met, r.message
    assert reason in r.message
    if not met:
        assert r.message.startswith("Thank you for this pull request!")
        assert r.details["request"].startswith("Thank you")
    # Advisory: the polite request never blocks the merge.
    assert result.mergeable, [x.message for x in result.requirements if x.blocks]


# ----------------------------------------------------------------------------- flags


FLAGS_POLICY = make_policy({"experimental": {"marker": "experimental", "source": "off"}})
CLI_PY = "import argparse\np = argparse.ArgumentParser()\n"


@pytest.mark.parametrize(("line", "met", "message"), [
    ("p.add_argument('--experimental-cache', action='store_true')\n", True, "no experimental"),
    ("p.add_argument('--experimental-cache', default=True)\n", False,
     "experimental flag '--experimental-cache' defaults to on"),
    ("p.add_argument('--fast-cache', default=False, help='Experimental: cache')\n", False,
     "must have 'experimental' in its name"),
    ("p.add_argument('--cache', default=True)\n", True, "no experimental"),
])
def test_experimental_flags_added(make_repo: MakeRepo, line: str, met: bool,
                                  message: str) -> None:
    repo = make_repo("flags")
    commit(repo, {"app/cli.py": CLI_PY})
    branch(repo, "pr")
    commit(repo, {"app/cli.py": CLI_PY + line})
    r = req(gate(repo, FLAGS_POLICY), "flags.experimental")
    assert r.met is met and message in r.message
    if not met:
        assert r.message.startswith("app/cli.py:3: ")


def test_experimental_violation_already_at_base_is_not_the_prs(make_repo: MakeRepo) -> None:
    repo = make_repo("flags-old")
    old = CLI_PY + "p.add_argument('--experimental-x', default=True)\n"
    commit(repo, {"app/cli.py": old, "app/other.py": old})
    branch(repo, "pr")
    commit(repo, {"app/cli.py": old + "p.add_argument('--port', default=1)\n"})
    assert req(gate(repo, FLAGS_POLICY), "flags.experimental").met
    commit(repo, {"app/new.py": old})
    r = req(gate(repo, FLAGS_POLICY), "flags.experimental")
    assert not r.met and r.message.startswith("app/new.py:3:")


TEST_BOTH = ("def test_x_on_and_off():\n    assert run(['--experimental-x']) == True\n"
             "    assert run([]) == False\n")


@pytest.mark.parametrize(
    ("tests", "met"),
    [
        ({}, False),
        ({"tests/test_cli.py": "def test_other():\n    assert True\n"}, False),
        ({"tests/test_cli.py": "def test_x():\n    run(['--experimental-x'])  # True\n"},
         False),
        ({"tests/test_cli.py": TEST_BOTH}, True),
        ({"app/cli_test.py": TEST_BOTH.replace("--experimental-x", "experimental_x")}, True),
    ],
    ids=["no-tests", "tests-not-naming-the-flag", "only-on", "on-and-off", "dest-name"],
)
def test_experimental_flag_needs_tests_for_both_states(make_repo: MakeRepo,
                                                       tests: dict[str, str],
                                                       met: bool) -> None:
    repo = make_repo("flag-tests")
    commit(repo, {"app/cli.py": CLI_PY})
    branch(repo, "pr")
    commit(repo, {"app/cli.py": CLI_PY + "p.add_argument('--experimental-x', "
                                        "action='store_true')\n", **tests})
    result = gate(repo, FLAGS_POLICY)
    r = req(result, "flags.experimental-tests")
    assert r.met is met and r.severity == "advisory"
    assert not r.blocks


# ----------------------------------------------------------------------------- API


SPEC = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v1/models:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data: {type: array, items: {type: string}}
"""
API_POLICY = make_policy({"api": {"specs": ["api/openapi.yaml"], "source": "No breaking"}})


@pytest.mark.parametrize(("new", "met", "message"), [
    (SPEC.replace("version: '1'", "version: '2'"), True, "no breaking change"),
    (SPEC.replace("                  data: {type: array, items: {type: string}}\n",
                  "                  other: {type: string}\n"), False,
     "api/openapi.yaml: GET /v1/models: "),
    (None, False, "api/openapi.yaml is deleted"),
    ("openapi: [broken\n", False, "api/openapi.yaml cannot be compared"),
])
def test_breaking_api_change_on_stable_operation(make_repo: MakeRepo, new: str | None,
                                                  met: bool, message: str) -> None:
    repo = make_repo("api")
    commit(repo, {"api/openapi.yaml": SPEC})
    branch(repo, "pr")
    commit(repo, {"api/openapi.yaml": new})
    result = gate(repo, API_POLICY)
    r = req(result, "api.breaking")
    assert r.met is met, r.message
    assert message in r.message
    assert result.mergeable is met


def test_break_on_an_already_deprecated_operation_is_allowed(make_repo: MakeRepo) -> None:
    repo = make_repo("api-deprecated")
    deprecated = SPEC.replace("    get:\n", "    get:\n      deprecated: true\n")
    commit(repo, {"api/openapi.yaml": deprecated})
    branch(repo, "pr")
    commit(repo, {"api/openapi.yaml": deprecated.replace(
        "                  data: {type: array, items: {type: string}}\n",
        "                  other: {type: string}\n")})
    r = req(gate(repo, API_POLICY), "api.breaking")
    assert r.met and "no breaking change to a stable operation" in r.message


def test_api_without_specs_is_skipped(make_repo: MakeRepo) -> None:
    repo = make_repo("nospec")
    commit(repo, {"a.txt": "a\n"})
    branch(repo, "pr")
    commit(repo, {"a.txt": "b\n"})
    r = req(gate(repo, make_policy({"api": {}})), "api.breaking")
    assert r.met and "no OpenAPI spec is listed" in r.message


# ----------------------------------------------------------------------------- whole gate


def test_defaults_and_json_shape(owned: Path) -> None:
    branch(owned, "pr")
    commit(owned, {"pkg/a.go": "package pkg // x\n"})
    result = gate(owned, None, author="erin", approvals=("carol",))
    assert [r.rule for r in result.requirements] == ["dco", "commits", "approval.owners"]
    data = result.to_json()
    assert set(data) == {"mergeable", "requirements"} and data["mergeable"] is True
    assert {"rule", "met", "message"} <= set(data["requirements"][0])


def test_policy_is_read_from_base_not_head(owned: Path) -> None:
    commit(owned, {"charter.yaml": "charter: 1\nextends: ./rules.yaml\n",
                   "rules.yaml": "project: {name: t}\nroles: [maintainer]\n"
                                 "pull_requests: {hold: {labels: [hold]}}\n"})
    branch(owned, "pr")
    commit(owned, {"rules.yaml": "project: {name: t}\nroles: [maintainer]\n"})
    base_policy = policy_at(owned, "main")
    assert base_policy is not None and base_policy.pull_requests.hold is not None
    head_policy = policy_at(owned, "pr")
    assert head_policy is not None and head_policy.pull_requests.hold is None
    assert policy_at(owned, "main~1") is None


def test_unrelated_histories_are_bad_input(owned: Path) -> None:
    git(owned, "checkout", "-q", "--orphan", "pr")
    commit(owned, {"x.txt": "x\n"})
    with pytest.raises(CharterError, match="share no history"):
        gate(owned, APPROVAL_ONLY)


def test_unknown_author_is_said(owned: Path) -> None:
    branch(owned, "pr")
    commit(owned, {"README.md": "hi\n"})
    r = req(gate(owned, APPROVAL_ONLY, author=None, approvals=("alice",)), "approval.owners")
    assert r.met and "the author is unknown (pass --author)" in r.message


def test_fewest_approvers_exact_search_stays_fast_at_the_limit() -> None:
    # A ring of 20 people, each file approvable by two neighbours: 10 people are needed, and
    # only the two alternating sets of 10 achieve it; the alphabetically first is returned.
    people = [f"p{i:02}" for i in range(20)]
    demands = [(1, [people[i], people[(i + 1) % 20]]) for i in range(20)]
    chosen, exact = fewest_approvers(demands, people)
    assert exact and chosen == tuple(people[0::2])


def test_policy_extends_outside_the_repository_is_refused(make_repo: Callable[[str], Path]
                                                          ) -> None:
    from charter.errors import CharterError
    from charter.gate.facts import policy_at
    from tests.conftest import git as run_git

    repo = make_repo("ext")
    (repo / "charter.yaml").write_text("charter: 1\nextends: ../../etc/policy.yaml\n")
    run_git(repo, "add", "charter.yaml")
    run_git(repo, "commit", "-q", "-m", "policy")
    with pytest.raises(CharterError, match="outside the repository"):
        policy_at(repo, "HEAD")
