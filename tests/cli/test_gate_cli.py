"""`charter gate` end to end: exit codes, JSON, Markdown, and the policy read from BASE."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import cli, main
from tests.conftest import git

MakeRepo = Callable[[str], Path]
SIGNED = "Signed-off-by: Test Author <author@example.com>"
POLICY = """charter: 1
project: {name: demo}
roles: [maintainer]
pull_requests:
  dco: {source: "All commits must include a valid DCO sign-off line"}
  approval:
    owners: OWNERS
    count: 1
    not_author: true
    source: "All changes must be reviewed and approved by a maintainer other than the author"
  checks: {required: [build], source: "gate merges on compilation and passing tests"}
  hold: {labels: [do-not-merge/hold]}
"""


def commit(repo: Path, files: dict[str, str], title: str = "Change files") -> str:
    for path, text in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        git(repo, "add", path)
    git(repo, "commit", "-q", "-m", f"{title}\n\nThe test needs it.\n\n{SIGNED}")
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(make_repo: MakeRepo) -> Path:
    r = make_repo("project")
    commit(r, {"charter.yaml": POLICY, "OWNERS": "approvers: [alice, bob]\n",
               "pkg/a/OWNERS": "approvers: [carol]\n", "pkg/a/b.go": "package a\n"})
    git(r, "checkout", "-q", "-b", "pr")
    commit(r, {"pkg/a/b.go": "package a // change\n"})
    return r


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["gate", "--repo", str(repo), "--base", "main",
                                      "--head", "pr", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_not_mergeable_json_names_file_and_approvers(repo: Path) -> None:
    code, out = run(repo, "--author", "carol", "--approved-by", "carol", "--check",
                    "build=success", "--json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"mergeable", "requirements"} and data["mergeable"] is False
    approval = next(r for r in data["requirements"] if r["rule"] == "approval.owners")
    assert approval["met"] is False
    assert approval["message"].startswith(
        "pkg/a/b.go needs /approve from one of: alice, bob (not the author)")
    assert approval["source"].startswith("All changes must be reviewed")
    assert approval["details"]["suggested_approvers"] == ["alice"]
    assert [r["rule"] for r in data["requirements"]] == [
        "dco", "approval.owners", "checks.required", "hold"]


def test_mergeable_exits_zero(repo: Path) -> None:
    code, out = run(repo, "--author", "erin", "--approved-by", "@Carol", "--check",
                    "build=success", "--check", "lint=failure", "--format", "json")
    assert code == 0, out
    assert json.loads(out)["mergeable"] is True


@pytest.mark.parametrize(("args", "unmet"), [
    (("--approved-by", "carol"), "checks.required"),
    (("--approved-by", "carol", "--check", "build=failure"), "checks.required"),
    (("--approved-by", "carol", "--check", "build=success", "--label", "do-not-merge/hold"),
     "hold"),
    (("--check", "build=success"), "approval.owners"),
])
def test_each_blocking_requirement_fails_the_gate(repo: Path, args: tuple[str, ...],
                                                  unmet: str) -> None:
    code, out = run(repo, "--author", "erin", "--json", *args)
    assert code == 1
    failed = [r["rule"] for r in json.loads(out)["requirements"] if not r["met"]]
    assert failed == [unmet]


def test_policy_comes_from_base_not_head(repo: Path) -> None:
    # The PR drops its required check and hold from charter.yaml: BASE's policy still applies.
    commit(repo, {"charter.yaml": POLICY.replace(
        "  checks: {required: [build], source: \"gate merges on compilation and passing "
        "tests\"}\n", "")})
    code, out = run(repo, "--author", "erin", "--approved-by", "alice", "--json")
    assert code == 1
    rules = {r["rule"]: r["met"] for r in json.loads(out)["requirements"]}
    assert rules["checks.required"] is False


def test_policy_option_and_builtin_defaults(repo: Path, tmp_path: Path) -> None:
    code, out = run(repo, "--author", "erin", "--approved-by", "carol", "--policy", "llm-d",
                    "--json")
    rules = [r["rule"] for r in json.loads(out)["requirements"]]
    assert "proposal.required" in rules and "flags.experimental" in rules and code == 1
    git(repo, "rm", "-q", "charter.yaml")
    commit(repo, {}, "Drop the policy")
    commit(repo, {"x.txt": "x\n"})
    code, out = run(repo, "--base", "pr~1", "--head", "pr", "--author", "erin",
                    "--approved-by", "alice", "--json")
    assert code == 0
    assert [r["rule"] for r in json.loads(out)["requirements"]] == [
        "dco", "commits", "approval.owners"]


def test_stale_approval_is_dropped_with_reason(repo: Path) -> None:
    old = git(repo, "rev-parse", "pr").strip()
    commit(repo, {"pkg/a/b.go": "package a // change again\n"})
    code, out = run(repo, "--author", "erin", "--approved-by", f"carol@{old}", "--check",
                    "build=success")
    assert code == 1
    assert f"approval carol@{old} dropped: given at {old}, whose tree differs" in out
    assert "FAIL approval.owners" in out


def test_markdown_for_a_check_run(repo: Path) -> None:
    code, out = run(repo, "--author", "erin", "--check", "build=pending", "--format",
                    "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("## ❌ Not mergeable: 2 of 4 requirement(s) unmet")
    assert "| ❌ | `approval.owners` | pkg/a/b.go needs /approve from one of: alice, bob, " \
           "carol (not the author) |" in lines
    assert "| ✅ | `dco` | all 1 commit(s) carry a valid sign-off |" in lines
    assert "| `pkg/a/b.go` | @alice, @bob, @carol |" in lines
    assert "**Suggested approvers:** @carol" in lines
    assert "> All changes must be reviewed and approved by a maintainer other than the " \
           "author" in lines


def test_text_output(repo: Path) -> None:
    code, out = run(repo, "--author", "erin", "--approved-by", "carol", "--check",
                    "build=success")
    assert code == 0
    assert out.startswith("Mergeable: all 4 blocking requirement(s) met")
    assert "ok   approval.owners: all 1 changed path(s) approved by their owners: carol" in out


@pytest.mark.parametrize(("args", "error"), [
    (("--check", "build"), "--check 'build': expected NAME=STATE"),
    (("--check", "build=green"), "unknown state 'green'"),
    (("--approved-by", "alice@"), "expected LOGIN or LOGIN@REV"),
    (("--approved-by", "alice@nosuch"), "unknown revision 'nosuch'"),
    (("--head", "nosuch"), "unknown revision 'nosuch'"),
    (("--policy", "nosuch-preset"), "unknown preset or file 'nosuch-preset'"),
])
def test_bad_input_exits_two_with_one_line(repo: Path, capsys: pytest.CaptureFixture[str],
                                           args: tuple[str, ...], error: str) -> None:
    argv = ["gate", "--repo", str(repo), "--base", "main", "--head", "pr", *args]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert error in err and len(err.strip().splitlines()) == 1


def test_bad_policy_at_base_exits_two(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "checkout", "-q", "main")
    commit(repo, {"charter.yaml": POLICY.replace("count: 1", "count: many")})
    with pytest.raises(SystemExit) as exit_info:
        main(["gate", "--repo", str(repo), "--base", "main", "--head", "pr"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert ":charter.yaml:8: pull_requests.approval.count:" in err


@pytest.mark.parametrize(("unsigned", "fix"), [
    pytest.param(3, "run `git rebase --signoff {fork}` to sign off every commit of the pull "
                    "request, and force-push", id="several-commits-one-rebase"),
    pytest.param(1, "run `git commit --amend --no-edit -s` and force-push", id="only-the-head"),
])
def test_text_output_one_line_per_requirement_and_each_fix_once(
        repo: Path, unsigned: int, fix: str) -> None:
    """Each requirement is one line; under an unmet one, one line per commit or file, then its
    fix said once, not once per commit."""
    fork = git(repo, "rev-parse", "main").strip()
    shas = []
    for i in range(unsigned):
        (repo / f"f{i}.txt").write_text(f"{i}\n")
        git(repo, "add", f"f{i}.txt")
        git(repo, "commit", "-q", "-m", f"Change {i} without a sign-off\n\nIt is a test.")
        shas.append(git(repo, "rev-parse", "HEAD").strip())
    code, out = run(repo, "--author", "erin", "--check", "build=success")
    assert code == 1
    lines = out.splitlines()
    requirement_lines = [line for line in lines if line[:7] in ("  FAIL ", "  ok   ", "  note ")]
    assert [line.split(":")[0].split()[-1] for line in requirement_lines] == [
        "dco", "approval.owners", "checks.required", "hold"]
    assert f"  FAIL dco: {unsigned} of {unsigned + 1} commit(s) lack a valid sign-off" in lines
    for sha in shas:
        assert sum(1 for line in lines if line.strip().startswith(f"commit {sha[:12]}")) == 1
    assert [line.strip() for line in lines if "to fix:" in line] == [
        f"to fix: {fix.format(fork=fork)}"]
    assert out.count("git rebase --signoff") == (1 if unsigned > 1 else 0)
    code, out = run(repo, "--author", "erin", "--check", "build=success", "--json")
    dco = next(r for r in json.loads(out)["requirements"] if r["rule"] == "dco")
    assert dco["details"]["fix"] == [fix.format(fork=fork)]
    assert len(dco["details"]["items"]) == unsigned == len(dco["details"]["findings"])
