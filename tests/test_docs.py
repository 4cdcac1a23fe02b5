"""The README and docs/ stand on their own: links resolve inside the repository, and the
policies and scenarios they show load and run."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import cli
from charter.policy.loader import load_policy
from charter.yamlio import parse_yaml, plain

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#+\s+(.*)$", re.M)


def _anchor(title: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _blocks(page: Path, kind: str = "yaml") -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


def test_docs_exist() -> None:
    names = {p.name for p in PAGES}
    assert {"policy.md", "scenario.md", "cli.md", "checks.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_resolve_inside_the_repository(page: Path) -> None:
    broken: list[str] = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL (https:, mailto:) points at the web, not at a file
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if ROOT not in resolved.parents and resolved != ROOT:
            broken.append(f"{target} leaves the repository")
        elif not resolved.exists():
            broken.append(f"{target} does not exist")
        elif anchor and resolved.suffix == ".md":
            anchors = {_anchor(h) for h in HEADING.findall(resolved.read_text(encoding="utf-8"))}
            if anchor not in anchors:
                broken.append(f"{target}: no heading with that anchor")
    assert broken == []


def test_nothing_in_the_repository_points_outside_it() -> None:
    outside = ["../" + "shared", "shared/" + "spec"]
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True,
                             text=True, check=True).stdout.split()
    found = [name for name in tracked
             if (ROOT / name).is_file() and any(
                 o in (ROOT / name).read_text(encoding="utf-8", errors="replace")
                 for o in outside)]
    assert found == []


POLICIES = [(block, i) for i, block in enumerate(_blocks(ROOT / "docs" / "policy.md"))
            if re.search(r"^extends:", block, re.M) and re.search(r"^project:", block, re.M)]


@pytest.mark.parametrize(("block", "index"), POLICIES, ids=[str(i) for _, i in POLICIES])
def test_policy_examples_load(block: str, index: int) -> None:
    data = plain(parse_yaml(block, f"docs/policy.md block {index}"))
    assert isinstance(data, dict)
    load_policy({"charter": 1, **data})


SCENARIOS = [block for block in _blocks(ROOT / "docs" / "scenario.md") if "events:" in block]


@pytest.mark.parametrize("block", SCENARIOS, ids=[str(i) for i in range(len(SCENARIOS))])
def test_scenario_examples_run(block: str, tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(block)
    result = CliRunner().invoke(cli, ["simulate", str(path), "--json"])
    assert result.exit_code == 0, result.output


def test_there_are_examples_to_run() -> None:
    assert len(POLICIES) >= 2 and len(SCENARIOS) >= 3
