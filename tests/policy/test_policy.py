"""The policy loader, presets and GOVERNANCE.md rendering."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.policy.loader import PRESETS, load_policy
from charter.policy.render import render_governance
from charter.policy.schema import NominationProcess, VoteProcess


@pytest.mark.parametrize("name", PRESETS)
def test_presets_load_and_every_process_cites_the_charter(name: str) -> None:
    policy = load_policy(name).policy
    assert policy.preset == name
    for pname, proc in policy.processes.items():
        assert proc.source, f"{pname} has no source sentence"
    charter_dir = Path(__file__).resolve().parents[3] / "shared" / "charters"
    if charter_dir.exists():
        text = " ".join(p.read_text() for p in charter_dir.iterdir())
        text = re.sub(r"\s+", " ", re.sub(r"[`*]", "", text))
        for pname, proc in policy.processes.items():
            first = re.sub(r"\s+", " ", (proc.source or "").split(" - ")[0].split(". ")[0])
            assert first[:40].replace("`", "") in text, f"{pname}: {first!r} not in charter"


def test_llama_stack_numbers() -> None:
    p = load_policy("llama-stack").policy
    gv = p.processes["governance-vote"]
    assert isinstance(gv, VoteProcess)
    assert gv.pass_.at_least == Fraction(3, 5) and gv.pass_.of == "cast"
    assert gv.quorum is not None and gv.quorum.at_least == Fraction(3, 5)
    assert gv.quorum.abstain_counts and not gv.veto
    nom = p.processes["nomination"]
    assert isinstance(nom, NominationProcess)
    assert nom.secret and nom.pass_.more_than == Fraction(1, 2) and nom.pass_.of == "eligible"
    assert str(p.processes["lazy-consensus"].window) == "48 business hours"  # type: ignore[union-attr]
    assert str(p.processes["governance-change"].window) == "7 days"  # type: ignore[union-attr]


def write(tmp_path: Path, text: str, name: str = "charter.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_extends_deep_merges_and_null_deletes(tmp_path: Path) -> None:
    path = write(tmp_path, """\
charter: 1
extends: llama-stack
project: {name: Mine}
calendar: {weekend_zone: Europe/Paris}
processes:
  lazy-consensus: {window: 72 business hours}
  roadmap: null
""")
    p = load_policy(path).policy
    assert p.project.name == "Mine" and p.calendar.weekend_zone == "Europe/Paris"
    assert p.calendar.weekend == ("saturday", "sunday")
    assert str(p.processes["lazy-consensus"].window) == "72 business hours"  # type: ignore[union-attr]
    assert p.processes["lazy-consensus"].on_objection is not None  # type: ignore[union-attr]
    assert "roadmap" not in p.processes and p.preset is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("charter: 1\nextends: llama-stack\nprocesses:\n  governance-vote:\n"
         "    pass: {at_least: 160%, of: cast}\n", 5, "not between 0% and 100%"),
        ("charter: 1\nproject: {name: a}\nproject: {name: b}\n", 3, "duplicate key"),
        ("charter: 1\nextends: llama-stack\nprocesses:\n  lazy-consensus:\n"
         "    windw: 3 days\n", 5, "unknown key 'windw'"),
        ("charter: 1\nextends: llama-stack\nprocesses:\n  lazy-consensus:\n"
         "    window: soon\n", 5, "expected a duration"),
        ("charter: 1\nextends: nope\n", 2, "no preset or file"),
        ("charter: 1\nproject: [\n", 3, "malformed YAML"),
        ("charter: 1\nextends: llama-stack\nprocesses:\n  x: {type: referendum}\n", 4,
         "unknown process type"),
        ("charter: 1\nextends: llama-stack\nprocesses:\n  nomination:\n"
         "    voters: wizard\n", 5, "unknown role 'wizard'"),
        ("charter: 1\nextends: llama-stack\ncalendar:\n  weekend_zone: Mars/Olympus\n", 4,
         "unknown time zone"),
    ],
    ids=["threshold-above-100", "duplicate-key", "typo", "bad-duration", "unknown-preset",
         "malformed", "unknown-type", "unknown-role", "unknown-zone"],
)
def test_bad_policies_name_file_and_line(tmp_path: Path, text: str, line: int, words: str
                                         ) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CharterError) as caught:
        load_policy(path)
    err = caught.value
    assert words in err.render()
    assert err.file == str(path)
    assert err.line == line


def test_unknown_preset_name() -> None:
    with pytest.raises(CharterError, match="unknown preset or file 'lama-stack'"):
        load_policy("lama-stack")


def _numbers(value: object) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("source", "preset_choice", "charter"):
                found |= _numbers(v)
    elif isinstance(value, list | tuple):
        for v in value:
            found |= _numbers(v)
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int | float):
        found.add(str(value))
    elif isinstance(value, str) and not value.startswith("http") and \
            not re.match(r"\d{4}-\d\d-\d\d", value):
        found |= set(re.findall(r"\d+(?:\.\d+)?", value))
    return found


@pytest.mark.parametrize("name", PRESETS)
def test_every_number_in_the_policy_appears_in_governance_md(name: str) -> None:
    policy = load_policy(name).policy
    document = render_governance(policy)
    numbers = _numbers(policy.model_dump(mode="json", by_alias=True))
    assert numbers, "the policy has numbers"
    missing = {n for n in numbers if not re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])",
                                                   document)}
    assert not missing, f"numbers missing from GOVERNANCE.md: {sorted(missing)}"
    for proc in policy.processes.values():
        assert proc.source and proc.source in document
    assert "this policy's choice" in document


def test_render_says_where_the_preset_chose() -> None:
    document = render_governance(load_policy("llama-stack").policy)
    assert "not specified" in document or "does not say" in document
    assert "at least 60% of votes cast" in document
    assert "abstentions count toward it" in document


@pytest.mark.parametrize(("notices", "field", "message"), [
    ({"mailing_list": "not an address"}, "notices.mailing_list", "mail address"),
    ({"triage_label": "a,b"}, "notices.triage_label", "label name"),
    ({"triage_label": "needs-triage", "triagers": ["janitor"]}, "notices.triagers",
     "unknown role 'janitor'"),
    ({"stale": {"nudge_after": "10 business days"}}, "notices.stale", "label_after"),
    ({"stale": {"nudge_after": "soon", "label_after": "1 day"}}, "notices.stale.nudge_after",
     "duration"),
])
def test_notices_are_checked(notices: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(CharterError) as caught:
        load_policy({"extends": "llama-stack", "notices": notices}, file="p.yaml")
    assert caught.value.field == field and message in caught.value.message


def test_notices_load() -> None:
    notices = load_policy({"extends": "llama-stack", "notices": {
        "mailing_list": "maintainers@lists.example.org",
        "stale": {"nudge_after": "10 business days", "label_after": "5 business days"}}},
        file="p.yaml").policy.notices
    assert notices.mailing_list == "maintainers@lists.example.org"
    assert notices.triage_label == "needs-triage"  # from the preset
    assert notices.stale is not None and notices.stale.label == "stale"
    assert str(notices.stale.nudge_after) == "10 business days"


def test_notices_are_rendered_in_governance_md() -> None:
    policy = load_policy({"extends": "llama-stack", "notices": {
        "mailing_list": "maintainers@lists.example.org",
        "stale": {"nudge_after": "10 business days", "label_after": "5 business days"}}},
        file="p.yaml").policy
    document = render_governance(policy)
    assert "announced to maintainers@lists.example.org" in document
    assert "labeled `needs-triage` until one of the triagers or maintainers" in document
    assert "idle for 10 business days is nudged, and labeled `stale` 5 business days" in document
    assert "maintainer mailing list" in document  # the sentence it encodes
