"""`since:` on the commit rules: a rule adopted on an old history judges only what came after."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from charter.checks.since import Since
from charter.cli import cli, main
from charter.errors import CharterError
from charter.git.history import Commit
from charter.policy.loader import load_policy
from charter.policy.schema import SinceCommit
from tests.conftest import git

MakeRepo = Callable[[str], Path]
SIGNED = "Signed-off-by: Test Author <author@example.com>"


def commit(repo: Path, name: str, message: str, day: int) -> str:
    (repo / name).write_text(name)
    git(repo, "add", name)
    when = f"2026-01-{day:02d}T10:00:00Z"
    git(repo, "commit", "-q", "-m", message,
        env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def history(make_repo: MakeRepo) -> tuple[Path, list[str]]:
    """Two old commits that break both rules, then two that follow them."""
    repo = make_repo("old")
    shas = [commit(repo, "a", "no sign-off and no body", 5),
            commit(repo, "b", "x" * 90, 6),
            commit(repo, "c", f"Adopt the rules\n\nFrom now on they hold.\n\n{SIGNED}", 8),
            commit(repo, "d", f"Follow them\n\nBecause we said so.\n\n{SIGNED}", 9)]
    return repo, shas


def check(repo: Path, policy: str) -> tuple[int, Any]:
    (repo.parent / "policy.yaml").write_text(policy)
    result = CliRunner().invoke(cli, ["check", "dco", "commits", "--repo", str(repo),
                                      "--policy", str(repo.parent / "policy.yaml"), "--json"])
    return result.exit_code, json.loads(result.stdout)


BASE = "charter: 1\nproject: {name: p}\nroles: [maintainer]\n"


@pytest.mark.parametrize("since", ["2026-01-07", "2026-01-07T00:00:00Z",
                                   "'2026-01-08T10:00:00+00:00'"])
def test_a_date_exempts_older_commits(history: tuple[Path, list[str]], since: str) -> None:
    repo, _ = history
    code, data = check(repo, BASE + f"pull_requests:\n  dco: {{since: {since}}}\n"
                                    f"  commits: {{since: {since}}}\n")
    assert code == 0, data
    assert data["findings"] == []
    assert data["checked"] == {"commits": 4, "files": 0}


def test_without_since_the_old_commits_fail(history: tuple[Path, list[str]]) -> None:
    repo, shas = history
    code, data = check(repo, BASE + "pull_requests:\n  dco: {}\n  commits: {}\n")
    assert code == 1
    failing = {f["commit"] for f in data["findings"]}
    assert failing == set(shas[:2])


def test_a_commit_exempts_its_ancestors_not_itself(history: tuple[Path, list[str]]) -> None:
    repo, shas = history
    code, data = check(repo, BASE + "pull_requests:\n"
                                    f"  commits: {{since: {{commit: {shas[1][:10]}}}}}\n"
                                    "  dco: {since: {commit: HEAD~2}}\n")
    # HEAD~2 is b: a is exempt from dco, b is judged; commits exempts only a, and b breaks it.
    assert code == 1
    found = {(f["rule"], f["commit"]) for f in data["findings"]}
    assert found == {("dco.signoff-missing", shas[1]), ("commits.title-too-long", shas[1]),
                     ("commits.body-missing", shas[1])}


def test_a_root_commit_exempts_nothing(history: tuple[Path, list[str]]) -> None:
    repo, shas = history
    code, data = check(repo, BASE + f"pull_requests:\n  dco: {{since: {{commit: {shas[0]}}}}}\n")
    assert code == 1
    assert {f["commit"] for f in data["findings"]} == set(shas[:2])


def test_an_unknown_commit_names_the_field(history: tuple[Path, list[str]],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo, _ = history
    policy = repo.parent / "policy.yaml"
    policy.write_text(BASE + "pull_requests:\n  dco: {since: {commit: nosuchrev}}\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "dco", "--repo", str(repo), "--policy", str(policy)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "pull_requests.dco.since" in err and "nosuchrev" in err


@pytest.mark.parametrize(("value", "message"), [
    ("2026-01-07T09:00:00", "no time zone"),
    ("1234567", "is a number"),
    ("next tuesday", "is not a date"),
    ("{commit: ''}", "must name a commit"),
    ("{commit: --all}", "must name a commit"),
    ("{sha: abc}", "expected a date"),
    ("[2026-01-07]", "expected a date"),
])
def test_bad_since_values_are_refused(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "charter.yaml"
    path.write_text(BASE + f"pull_requests:\n  dco:\n    since: {value}\n")
    with pytest.raises(CharterError) as err:
        load_policy(str(path))
    assert message in str(err.value)
    assert "charter.yaml:6" in str(err.value) or "since" in str(err.value)


def test_policy_values_normalise_to_utc() -> None:
    policy = load_policy({"charter": 1, "project": {"name": "p"}, "roles": ["maintainer"],
                          "pull_requests": {"commits": {"since": "2026-01-07T12:00:00+02:00"},
                                            "dco": {"since": {"commit": "abc1234"}}}}).policy
    assert policy.pull_requests.commits is not None and policy.pull_requests.dco is not None
    assert policy.pull_requests.commits.since == datetime(2026, 1, 7, 10, tzinfo=UTC)
    assert policy.pull_requests.dco.since == SinceCommit(commit="abc1234")


def _commit(sha: str, day: int) -> Commit:
    when = datetime(2026, 1, day, tzinfo=UTC)
    return Commit(sha, (), "A", "a@x.org", "A", "a@x.org", when, when, "t")


@pytest.mark.parametrize(("since", "sha", "day", "judged"), [
    (Since(at=datetime(2026, 1, 7, tzinfo=UTC)), "a", 6, False),
    (Since(at=datetime(2026, 1, 7, tzinfo=UTC)), "a", 7, True),
    (Since(commit="c", older=frozenset({"a", "b"})), "b", 9, False),
    (Since(commit="c", older=frozenset({"a", "b"})), "c", 1, True),
    (Since(), "z", 1, True),
])
def test_applies(since: Since, sha: str, day: int, judged: bool) -> None:
    assert since.applies(_commit(sha, day)) is judged
