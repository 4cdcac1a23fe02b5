"""`charter simulate`, `explain`, `policy` and `render` as a user runs them: real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def charter(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "charter", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, check=False)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_every_example_runs(example: Path) -> None:
    result = charter("simulate", str(example), "--json")
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    assert set(state) >= {"as_of", "decisions", "people", "roadmap", "components", "rejected"}
    assert state["decisions"]
    for decision in state["decisions"].values():
        assert {"process", "status", "opened_at", "closes_at", "closed_at"} <= set(decision)
    text = charter("simulate", str(example))
    assert text.returncode == 0 and "Decisions" in text.stdout


def test_llama_stack_example_outcomes() -> None:
    state = json.loads(charter("simulate", "examples/llama-stack-year.yaml", "--json").stdout)
    d = state["decisions"]
    assert d["LC-1"]["closes_at"] == "2026-03-10T15:00:00Z"  # Friday + 48 business hours
    assert d["NOM-1"]["status"] == "passed"
    assert d["NOM-1"]["explanations"] == ["More design reviews outside providers first, please."]
    assert d["GV-1"]["tally"]["quorum_met"] is True
    dinesh = state["people"]["dinesh"]
    assert (dinesh["roles"], dinesh["status"]) == (["emeritus"], "emeritus")
    assert dinesh["history"][0]["until"] == "2026-03-23T09:00:00Z"
    assert state["roadmap"] == {"2026Q2": ["RFC-1", "RFC-3", "RFC-2"]}


def test_explain_names_rule_source_and_numbers() -> None:
    result = charter("explain", "examples/llama-stack-year.yaml", "GV-1", "--json")
    assert result.returncode == 0, result.stderr
    account = json.loads(result.stdout)
    assert "super-majority" in account["source"]
    assert any("60%" in line for line in account["rule"])
    assert "quorum met: 4 of 6" in account["reason"]
    assert account["history"]


SCENARIO_HEAD = "policy: llama-stack\npeople: {alice: maintainer, carol: contributor}\nevents:\n"


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("  - {at: 2026-03-02T09:00:00Z, by: carol, do: propse, id: P1, process: lazy-consensus}\n",
         4, "unknown verb 'propse' (did you mean 'propose'?)"),
        ("  - {at: 2026-03-02T09:00:00Z, by: zed, do: propose, id: P1, process: lazy-consensus}\n",
         4, "unknown person 'zed'"),
        ("  - {at: 2026-03-02T09:00:00Z, by: carol, do: propose, id: P1, process: lazy}\n",
         4, "unknown process 'lazy'"),
        ("  - {at: 2026-03-02T09:00:00Z, by: carol, do: propose, id: P1, process: lazy-consensus}\n"
         "  - {at: 2026-03-01T09:00:00Z, by: alice, do: object, id: P1}\n",
         5, "events must be in time order"),
        ("  - {at: 2026-03-02T09:00:00, by: carol, do: propose, id: P1, process: lazy-consensus}\n",
         4, "has no zone"),
        ("  - {at: 2026-03-02T09:00:00Z, by: alice, do: vote, id: V1, choice: maybe}\n",
         4, "choice must be yes, no or abstain"),
        ("  - {at: 2026-03-02T09:00:00Z, by: alice, do: nominate, id: N1, person: carol}\n",
         4, "nominate needs 'role'"),
        ("  - {at: 2026-03-02T09:00:00Z, by: alice do: nominate}\n", 4, "malformed YAML"),
    ],
    ids=["unknown-verb", "unknown-person", "unknown-process", "out-of-order", "no-zone",
         "bad-choice", "missing-field", "malformed-yaml"],
)
def test_bad_scenarios_exit_2_with_file_and_line(tmp_path: Path, body: str, line: int,
                                                 words: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO_HEAD + body)
    result = charter("simulate", str(path))
    assert result.returncode == 2
    assert f"{path}:{line}" in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_bad_policy_inside_a_scenario_names_the_scenario_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("policy:\n  extends: llama-stack\n  processes:\n    governance-vote:\n"
                    "      pass: {at_least: 101%, of: cast}\npeople: {a: maintainer}\n"
                    "events: []\n")
    result = charter("simulate", str(path))
    assert result.returncode == 2
    assert f"{path}:5" in result.stderr and "101%" in result.stderr


def test_yaml_11_booleans_are_yes_and_no(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("%YAML 1.1\n---\n" + SCENARIO_HEAD.replace("carol: contributor",
                                                               "bob: maintainer, dave: contributor")
                    + "  - {at: 2026-03-02T09:00:00Z, by: alice, do: nominate, id: N1, "
                      "person: dave, role: triager}\n"
                    + "  - {at: 2026-03-03T09:00:00Z, by: bob, do: vote, id: N1, choice: yes}\n"
                    + "  - {at: 2026-03-03T09:00:00Z, by: alice, do: vote, id: N1, choice: no}\n"
                    + "as_of: 2026-03-20T00:00:00Z\n".replace("as_of", "#"))
    result = charter("simulate", str(path), "--json")
    assert result.returncode == 0, result.stderr
    tally = json.loads(result.stdout)["decisions"]["N1"]["tally"]
    assert tally == {"ballots": 2}


def test_unknown_preset_and_missing_file() -> None:
    assert charter("policy", "check", "lama-stack").returncode == 2
    result = charter("simulate", "no/such/file.yaml")
    assert result.returncode == 2 and "no such file" in result.stderr


def test_policy_show_and_render(tmp_path: Path) -> None:
    shown = charter("policy", "show", "llm-d", "--json")
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["processes"]["proposal"]["window"] == "48 business hours"
    result = charter("render", "governance", "--policy", "llama-stack", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "GOVERNANCE.md").read_text().startswith("# Llama Stack governance")
    missing = charter("render", "governance", cwd=tmp_path)
    assert missing.returncode == 2 and "charter.yaml" in missing.stderr


def test_explain_a_component() -> None:
    result = charter("explain", "examples/llm-d-incubation.yaml", "batch-gateway", "--json")
    assert result.returncode == 0, result.stderr
    account = json.loads(result.stdout)
    assert account["status"] == "removed"
    assert "3 months" in account["rule"][0]
    assert [h["what"] for h in account["history"]][-1] == "removed"


def test_the_readme_examples_hold(tmp_path: Path) -> None:
    import re

    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    scenario = next(b for b in blocks if b.startswith("policy:"))
    (tmp_path / "scenario.yaml").write_text(scenario)
    state = json.loads(charter("simulate", str(tmp_path / "scenario.yaml"), "--json").stdout)
    p1 = state["decisions"]["P1"]
    assert (p1["status"], p1["closes_at"]) == ("contested", "2026-03-10T15:00:00Z")
    policy = next(b for b in blocks if "extends: llama-stack" in b)
    (tmp_path / "charter.yaml").write_text(policy)
    assert charter("policy", "check", str(tmp_path / "charter.yaml")).returncode == 0


def test_a_history_with_no_events_has_no_as_of(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("policy: llm-d\npeople: {a: maintainer}\nevents: []\n")
    state = json.loads(charter("simulate", str(tmp_path / "s.yaml"), "--json").stdout)
    assert state["as_of"] is None and state["decisions"] == {}
    assert state["people"]["a"]["roles"] == ["maintainer"]


def test_policy_path_relative_to_the_scenario_or_the_working_folder(tmp_path: Path) -> None:
    # inside a repository, so `..` from the scenario's folder stays inside (see test_extends)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "pol").mkdir()
    (tmp_path / "sc").mkdir()
    (tmp_path / "pol" / "charter.yaml").write_text("charter: 1\nextends: llm-d\n")
    (tmp_path / "sc" / "s.yaml").write_text("policy: pol/charter.yaml\npeople: {a: maintainer}\n"
                                            "events: []\n")
    assert charter("simulate", "sc/s.yaml", cwd=tmp_path).returncode == 0
    (tmp_path / "sc" / "t.yaml").write_text("policy: ../pol/charter.yaml\n"
                                            "people: {a: maintainer}\nevents: []\n")
    assert charter("simulate", str(tmp_path / "sc" / "t.yaml")).returncode == 0
