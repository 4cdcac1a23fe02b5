"""`charter render` from a policy, from a scenario, and from a project's live state in a real
SQLite service database, run as an operator runs it."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from charter.store.db import connect, upgrade
from charter.store.projects import Governance

KEY = "operator-secret-key-0123456789"
PROJECT = "acme/rocket"


def charter(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "CHARTER_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
           "CHARTER_SECRET_KEY": KEY, "HOME": str(tmp_path),
           # The tests' own source tree, when they run from a checkout other than the install.
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.run([sys.executable, "-m", "charter", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A service database with one project: a nomination passed, RFCs, a roadmap selected."""
    db = connect(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(db)
    gov = Governance(db, KEY.encode())
    gov.create_project(PROJECT, "llama-stack", {"ann": "maintainer", "bob": "maintainer",
                                                "cy": "maintainer", "dee": "contributor"})
    steps: list[tuple[str, dict[str, Any]]] = [
        ("ann", {"do": "nominate", "id": "NOM-1", "person": "dee", "role": "maintainer"}),
        ("ann", {"do": "vote", "id": "NOM-1", "choice": "yes"}),
        ("bob", {"do": "vote", "id": "NOM-1", "choice": "yes"}),
        ("cy", {"do": "vote", "id": "NOM-1", "choice": "yes"}),
    ]
    for n in range(1, 5):
        steps += [("dee", {"do": "rfc", "id": f"RFC-{n}", "title": f"Idea number {n}"}),
                  ("dee", {"do": "complete", "id": f"RFC-{n}"}),
                  ("ann", {"do": "approve", "id": f"RFC-{n}"})]
    steps += [("bob", {"do": "upvote", "id": "RFC-4"}),
              ("ann", {"do": "select-roadmap", "id": "2026Q1",
                       "items": ["RFC-1", "RFC-2", "RFC-3"]})]
    start = datetime.now(UTC) - timedelta(days=30)
    for n, (by, body) in enumerate(steps):
        # A day apart, so the nomination's week has passed (and its ballots are counted) by
        # the time the RFCs arrive.
        at = start + timedelta(days=n)
        gov.clock = lambda at=at: at  # type: ignore[misc]
        outcome = gov.apply(PROJECT, by, body)
        assert outcome.rejected is None, (body, outcome.rejected)
    db.dispose()
    return tmp_path


@pytest.mark.parametrize(("args", "expected"), [
    (("governance", "--project", PROJECT), ["# Llama Stack governance", "## Time"]),
    (("maintainers", "--project", PROJECT),
     ["## Maintainers", "| ann | the start | initial roster |",
      "| dee |", "NOM-1 (nomination, passed", "## Contributors"]),
    (("roadmap", "--project", PROJECT),
     ["## 2026Q1", "1. **RFC-1**: Idea number 1 (by dee, 0 upvote(s), approved by ann)",
      "3. **RFC-3**", "## Candidates", "- **RFC-4**: Idea number 4 (by dee, 1 upvote(s)"]),
])
def test_render_from_the_live_state(live: Path, args: tuple[str, ...],
                                     expected: list[str]) -> None:
    result = charter(live, "render", *args, "-o", "-")
    assert result.returncode == 0, result.stderr
    for words in expected:
        assert words in result.stdout, words


@pytest.mark.parametrize("document", ["maintainers", "roadmap"])
def test_a_scenario_renders_as_its_live_project_does(live: Path, document: str) -> None:
    assert charter(live, "export", PROJECT, "-o", "x.json").returncode == 0
    from_file = charter(live, "render", document, "--scenario", "x.json", "-o", "-")
    from_db = charter(live, "render", document, "--project", PROJECT, "-o", "-")
    assert from_file.returncode == 0 and from_db.returncode == 0, from_file.stderr

    def body(text: str) -> list[str]:  # the "as of" line differs by the seconds between runs
        return [line for line in text.splitlines() if "as of" not in line]

    assert body(from_file.stdout) == body(from_db.stdout)


@pytest.mark.parametrize(("document", "default"), [("maintainers", "MAINTAINERS.md"),
                                                   ("roadmap", "ROADMAP.md"),
                                                   ("governance", "GOVERNANCE.md")])
def test_writes_its_file_by_default(live: Path, document: str, default: str) -> None:
    result = charter(live, "render", document, "--project", PROJECT)
    assert result.returncode == 0 and f"wrote {default}" in result.stderr
    assert (live / default).read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize(("args", "message"), [
    (("maintainers", "--project", "no/such"),
     "--project 'no/such': no such project in the service's database; the projects are "
     f"{PROJECT}"),
    (("roadmap", "--project", "no/such"), "no such project"),
    (("governance", "--project", "no/such"), "no such project"),
    (("roadmap",), "give --project OWNER/REPO"),
    (("maintainers", "--project", PROJECT, "--scenario", "x.json"), "give --project"),
    (("governance", "--project", PROJECT, "--policy", "llm-d"), "not both"),
    (("roadmap", "--scenario", "missing.json"), "missing.json"),
])
def test_bad_sources_stop_with_one_line(live: Path, args: tuple[str, ...],
                                        message: str) -> None:
    result = charter(live, "render", *args, "-o", "-")
    assert result.returncode == 2
    assert message in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr


def test_an_empty_database_says_it_has_no_project(tmp_path: Path) -> None:
    upgrade(connect(f"sqlite:///{tmp_path / 'c.db'}"))
    result = charter(tmp_path, "render", "roadmap", "--project", PROJECT, "-o", "-")
    assert result.returncode == 2 and "the database has no project yet" in result.stderr


def test_roadmap_and_roster_of_a_fresh_project(tmp_path: Path) -> None:
    db = connect(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(db)
    Governance(db, KEY.encode()).create_project(PROJECT, "llm-d", {})
    db.dispose()
    roadmap = charter(tmp_path, "render", "roadmap", "--project", PROJECT, "-o", "-")
    roster = charter(tmp_path, "render", "maintainers", "--project", PROJECT, "-o", "-")
    assert "No roadmap has been selected yet." in roadmap.stdout
    assert "Nobody holds a role yet." in roster.stdout
    assert roadmap.returncode == 0 and roster.returncode == 0
