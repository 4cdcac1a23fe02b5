"""Output formats: the JSON of `charter check` is exactly what `json.dumps(indent=2)` writes."""

from __future__ import annotations

import json

import pytest

from charter.checks.findings import Finding, make_finding
from charter.checks.formats import TEXT_PER_RULE, as_json, as_text

FINDINGS = [
    Finding("dco", "dco.signoff-missing", "commit 0123 ('Add \"x\"') by A <a@b.c>: no sign-off",
            commit="0123456789abcdef0123456789abcdef01234567"),
    Finding("commits", "commits.body-missing", "tabs\\tand\\nnewlines", "warning",
            commit="fedcba9876543210fedcba9876543210fedcba98"),
    Finding("owners", "owners.unknown-key", "unknown key 'reviewer'", path="pkg/OWNERS", line=3),
    Finding("proposals", "proposals.encoding", "non-ASCII: é ü 日本 \u2028 😀 \x1b[31m",
            path="docs/propösals/ä.md", line=1),
    Finding("flags", "flags.too-large", "backslash \\ and quote \"", "info", path="a\udcff.py"),
    Finding("api", "api.skipped", "no range", "info", commit="not hex \"quoted\""),
]


@pytest.mark.parametrize("findings", [
    pytest.param([], id="none"),
    pytest.param(FINDINGS, id="every-kind-of-value"),
    pytest.param(FINDINGS * 3, id="repeated-rules"),
])
def test_json_is_what_json_dumps_writes(findings: list[Finding]) -> None:
    expected = json.dumps({"findings": [f.to_json() for f in findings],
                           "checked": {"commits": 12, "files": 3}}, indent=2)
    assert as_json(findings, 12, 3) == expected


def test_make_finding_is_a_finding() -> None:
    assert make_finding("dco", "dco.x", "m", "warning", "abc", "p", 3) == Finding(
        "dco", "dco.x", "m", "warning", "abc", "p", 3)
    assert make_finding("dco", "dco.x", "m") == Finding("dco", "dco.x", "m")


def test_text_shows_the_first_findings_of_each_rule_and_counts_the_rest() -> None:
    many = [Finding("dco", "dco.signoff-missing", f"commit {i}", commit=f"{i:040x}")
            for i in range(TEXT_PER_RULE + 25)]
    few = [Finding("owners", "owners.unknown-key", "unknown key", path="OWNERS", line=1)]
    lines = as_text(many + few, 35, 1, ["dco", "owners"]).splitlines()
    assert sum(1 for line in lines if line.startswith("error   dco.signoff-missing")) == \
        TEXT_PER_RULE
    assert sum(1 for line in lines if line.startswith("error   owners.unknown-key")) == 1
    assert any(line.startswith("...") and "dco.signoff-missing" in line
               and "and 25 more like it" in line for line in lines)
    assert not any("owners.unknown-key" in line and "more like it" in line for line in lines)
    assert lines[-1] == (f"{TEXT_PER_RULE + 26} error(s), 0 warning(s); checked 35 commit(s), "
                         "1 file(s) with: dco, owners")
