"""CLI flags removed or changed between two revisions: flagdiff, `check api` and the gate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from charter.checks.config import config_from_policy
from charter.checks.repository import flagdiff
from charter.checks.suite import run_checks
from charter.gate.evaluate import evaluate_gate
from tests.gate.test_gate import branch, commit, make_policy, req

MakeRepo = Callable[[str], Path]

CLI = """\
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--workers", type=int, default=4)
parser.add_argument("--mode", default="fast")
parser.add_argument("--experimental-cache", action="store_true")
parser.add_argument("--verbose", action="store_true")
"""


def line(flag: str) -> str:
    return next(x for x in CLI.splitlines() if f'"{flag}"' in x) + "\n"


@pytest.mark.parametrize(("new", "expected"), [
    (CLI.replace(line("--workers"), ""), [("cli-flag-removed", True, "stable", "--workers")]),
    (CLI.replace(line("--experimental-cache"), ""),
     [("cli-flag-removed", False, "experimental", "--experimental-cache")]),
    (CLI.replace('default="fast"', 'default="safe"'),
     [("cli-flag-default-changed", True, "stable", "--mode")]),
    (CLI.replace('"--experimental-cache", action="store_true"',
                 '"--experimental-cache", action="store_false"'),
     [("cli-flag-default-changed", False, "experimental", "--experimental-cache")]),
    (CLI.replace("type=int, default=4", "type=float, default=4"),
     [("cli-flag-type-changed", True, "stable", "--workers")]),
    (CLI + 'parser.add_argument("--color", default="auto")\n',
     [("cli-flag-added", False, "stable", "--color")]),
    (CLI.replace("# nothing", ""), []),
], ids=["stable flag removed", "experimental flag removed is exempt", "default changed",
        "experimental default changed is exempt", "type changed", "flag added", "unchanged"])
def test_flagdiff(make_repo: MakeRepo, new: str, expected: list[tuple[str, bool, str, str]]
                  ) -> None:
    repo = make_repo("flags")
    commit(repo, {"cli.py": CLI})
    commit(repo, {"cli.py": new, "README.md": "docs\n"})
    changes = flagdiff(repo, "HEAD~1", "HEAD")
    assert [(c.id, c.breaking, c.tier, c.operation) for c in changes] == expected
    for change in changes:
        assert change.location.startswith("cli.py:") and change.spec == "cli.py"


def test_flag_moved_to_another_file_is_no_change(make_repo: MakeRepo) -> None:
    repo = make_repo("moved")
    commit(repo, {"cli.py": CLI})
    moved = "import argparse\nparser = argparse.ArgumentParser()\n" + line("--workers")
    commit(repo, {"cli.py": CLI.replace(line("--workers"), ""), "tools/run.py": moved})
    assert flagdiff(repo, "HEAD~1", "HEAD") == []


def test_only_changed_files_are_read(make_repo: MakeRepo) -> None:
    repo = make_repo("paths")
    commit(repo, {"cli.py": CLI})
    commit(repo, {"cli.py": CLI.replace(line("--workers"), "")})
    assert flagdiff(repo, "HEAD~1", "HEAD", paths=["other.py"]) == []
    assert [c.operation for c in flagdiff(repo, "HEAD~1", "HEAD", paths=["cli.py"])] == [
        "--workers"]


API_WITH_FLAGS = {"api": {"includes": ["command line flags/arguments"],
                          "source": "No breaking changes"}}


def test_check_api_reports_removed_flag(make_repo: MakeRepo) -> None:
    repo = make_repo("check")
    commit(repo, {"cli.py": CLI})
    commit(repo, {"cli.py": CLI.replace(line("--workers"), "").replace(
        line("--experimental-cache"), "")})
    config = config_from_policy(make_policy(API_WITH_FLAGS))
    report = run_checks(repo, ["api"], config, "HEAD~1..HEAD")
    assert [(f.rule, f.severity, f.path) for f in report.findings] == [
        ("api.cli-flag-removed", "error", "cli.py")]
    assert "--workers" in report.findings[0].message


@pytest.mark.parametrize(("includes", "met"), [
    (["command line flags/arguments"], False), (["API endpoints"], True),
], ids=["flags included", "flags not included"])
def test_gate_api_breaking_covers_flags(make_repo: MakeRepo, includes: list[str],
                                        met: bool) -> None:
    repo = make_repo("gate")
    commit(repo, {"cli.py": CLI})
    branch(repo, "pr")
    commit(repo, {"cli.py": CLI.replace('default="fast"', 'default="safe"')})
    policy = make_policy({"api": {"includes": includes, "source": "No breaking changes"}})
    r = req(evaluate_gate(repo, "main", "pr", "alice", (), {}, (), policy), "api.breaking")
    assert r.met == met
    if not met:
        assert "flag --mode" in r.message and "fast" in r.message
        assert r.details["breaking"][0]["id"] == "cli-flag-default-changed"
