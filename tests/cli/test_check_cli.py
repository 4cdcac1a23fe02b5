"""`charter check` end to end on real repositories: checks chosen by the policy, every format."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import cli
from tests.conftest import git

MakeRepo = Callable[[str], Path]


def commit(repo: Path, path: str, text: str, message: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", message)


SIGNED = "Signed-off-by: Test Author <author@example.com>"


@pytest.fixture
def repo(make_repo: MakeRepo) -> Path:
    r = make_repo("project")
    commit(r, "OWNERS", "approvers: [alice]\n", f"Add owners\n\nWhy: ownership.\n\n{SIGNED}")
    commit(r, "pkg/OWNERS", "approvers: [bob]\nfilters:\n  '.*': {approvers: [carol]}\n",
           f"Add pkg owners\n\nWhy: pkg has its own.\n\n{SIGNED}")
    commit(r, "pkg/a.py", "x = 1\n", "Add a without sign-off\n\nWhy not.")
    return r


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_default_checks_find_dco_and_owners_mistakes(repo: Path) -> None:
    code, out = run("check", "--repo", str(repo), "--json")
    assert code == 1
    data = json.loads(out)
    rules = {f["rule"] for f in data["findings"]}
    assert "dco.signoff-missing" in rules
    assert "owners.filters-ignored" in rules
    assert data["checked"]["commits"] == 3
    dco = next(f for f in data["findings"] if f["check"] == "dco")
    assert len(dco["commit"]) == 40 and "git commit --amend --no-edit -s" in dco["message"]


def test_range_limits_commits(repo: Path) -> None:
    code, out = run("check", "dco", "--repo", str(repo), "--range", "HEAD~1..HEAD", "--json")
    assert code == 1
    assert json.loads(out)["checked"]["commits"] == 1
    code, out = run("check", "dco", "--repo", str(repo), "--range", "HEAD~2..HEAD~1", "--json")
    assert code == 0 and json.loads(out)["findings"] == []


def test_policy_enables_checks(repo: Path, tmp_path: Path) -> None:
    policy = tmp_path / "charter.yaml"
    policy.write_text("charter: 1\nextends: llm-d\npull_requests:\n  dco: null\n"
                      "  approval: null\n  experimental: null\n")
    code, out = run("check", "--repo", str(repo), "--policy", str(policy), "--json")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert not any(r.startswith(("dco.", "owners.")) for r in rules)
    assert code == 0 or rules


def test_sarif_and_github_formats(repo: Path) -> None:
    code, out = run("check", "dco", "--repo", str(repo), "--format", "sarif")
    sarif = json.loads(out)
    assert code == 1 and sarif["version"] == "2.1.0"
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "dco.signoff-missing" and result["level"] == "error"
    code, out = run("check", "owners", "--repo", str(repo), "--format", "github")
    assert code == 1
    assert out.startswith("::error file=pkg/OWNERS")
    assert "title=owners.filters-ignored" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["check", "nope"], "unknown check 'nope'"),
        (["check", "--range", "nosuch..HEAD"], "unknown revision 'nosuch'"),
        (["check", "--policy", "nosuch-preset"], "unknown preset or file"),
    ],
    ids=["unknown-check", "unknown-revision", "unknown-policy"],
)
def test_bad_usage_exits_2(repo: Path, args: list[str], words: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    from charter.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--repo", str(repo)])
    assert exit_info.value.code == 2
    assert words in capsys.readouterr().err


def test_not_a_repository_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from charter.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--repo", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "not a git repository" in capsys.readouterr().err


def test_file_checks_count_the_files_they_read(make_repo: MakeRepo) -> None:
    r = make_repo("files")
    commit(r, "docs/proposals/a.md", "# A\n\n## Summary\n\nx\n", f"Add a\n\nWhy.\n\n{SIGNED}")
    commit(r, "cli.py", "import argparse\np = argparse.ArgumentParser()\n"
                        "p.add_argument('--experimental-x', action='store_true')\n",
           f"Add cli\n\nWhy.\n\n{SIGNED}")
    code, out = run("check", "proposals", "flags", "--repo", str(r), "--policy", "llm-d",
                    "--json")
    assert code == 1  # the proposal lacks most of llm-d's sections
    data = json.loads(out)
    assert data["checked"]["files"] == 2
    assert any(f["check"] == "proposals" for f in data["findings"])


@pytest.fixture
def api_repo(make_repo: MakeRepo, tmp_path: Path) -> Path:
    from tests.cli.test_apidiff_cli import V1, V2_BREAKING

    r = make_repo("api")
    policy = ("charter: 1\nproject: {name: demo}\nroles: [maintainer]\n"
              "pull_requests:\n  api: {specs: [api/openapi.yaml]}\n")
    commit(r, "charter.yaml", policy, f"Add the policy\n\nIt lists the API.\n\n{SIGNED}")
    commit(r, "api/openapi.yaml", V1, f"Add the API\n\nClients need it.\n\n{SIGNED}")
    commit(r, "api/openapi.yaml", V2_BREAKING, f"Change the API\n\nIt moved.\n\n{SIGNED}")
    return r


@pytest.mark.parametrize(("args", "code", "rules"), [
    pytest.param([], 0, {"api.skipped"}, id="enabled-by-policy-no-range-skipped"),
    pytest.param(["--range", "HEAD~1..HEAD"], 1, {"api.response-required-property-removed"},
                 id="enabled-by-policy-with-range-runs"),
    pytest.param(["api", "--range", "HEAD~1..HEAD"], 1,
                 {"api.response-required-property-removed"}, id="named-with-range-runs"),
])
def test_api_runs_with_a_range_and_is_skipped_without(api_repo: Path, args: list[str], code: int,
                                                     rules: set[str]) -> None:
    """`charter check` alone runs what the policy enables: `api` needs two revisions, so it is
    skipped (an info finding says how to run it) unless a range is given."""
    got, out = run("check", *args, "--repo", str(api_repo), "--json")
    findings = json.loads(out)["findings"]
    assert got == code
    assert {f["rule"] for f in findings if f["check"] == "api"} == rules
    skipped = [f for f in findings if f["rule"] == "api.skipped"]
    assert all(f["severity"] == "info" and "--range BASE..HEAD" in f["message"] for f in skipped)


def test_api_named_without_a_range_is_bad_usage(api_repo: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from charter.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["check", "api", "--repo", str(api_repo)])
    assert exit_info.value.code == 2
    assert "pass --range" in capsys.readouterr().err


def test_text_output_counts_what_it_does_not_show(make_repo: MakeRepo) -> None:
    """Thousands of findings: each rule shows its first few, then how many more there are."""
    from charter.checks.formats import TEXT_PER_RULE

    r = make_repo("many")
    for i in range(TEXT_PER_RULE + 3):
        commit(r, f"f{i}.txt", "x\n", f"Change {i}\n\nBecause.\n")
    code, out = run("check", "dco", "--repo", str(r))
    lines = out.splitlines()
    assert code == 1
    assert sum(1 for line in lines if line.startswith("error   dco.signoff-missing")) == \
        TEXT_PER_RULE
    assert any("dco.signoff-missing" in line and "and 3 more" in line for line in lines)
    assert lines[-1].startswith(f"{TEXT_PER_RULE + 3} error(s)")
