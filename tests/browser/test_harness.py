"""What the browser tests read from `charter demo`'s banner, and how they report axe-core's
findings: checked on text, without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.harness import (
    describe_violations,
    need_chromium,
    parse_banner,
)

BANNER = """
Charter demo: rocket/rocket, 51 events, served at http://127.0.0.1:8123
  open http://127.0.0.1:8123/projects/rocket/rocket and sign in as:
    ada        maintainer   password correct-horse-1
    hana       contributor  password battery-staple-2
  database: sqlite:////tmp/charter-demo-x/charter.db
  tokens (Authorization: Bearer ...):
    admin      admin        QtNs3i4hYqL0rbmV2pq2u0iY6sEm3Q4W9Uo0gC1qXXc
    ada        maintainer   h0fQ1C2mJ3pqI5r7s9t1u3v5w7x9y1z3A5B7C9D1E3F
  try:
    curl http://127.0.0.1:8123/api/v1/projects/rocket/rocket/decisions?status=open
"""


@pytest.mark.parametrize(("field", "expected"), [
    ("project", "rocket/rocket"),
    ("database", "sqlite:////tmp/charter-demo-x/charter.db"),
    ("tokens", {"admin": ("admin", "QtNs3i4hYqL0rbmV2pq2u0iY6sEm3Q4W9Uo0gC1qXXc"),
                "ada": ("maintainer", "h0fQ1C2mJ3pqI5r7s9t1u3v5w7x9y1z3A5B7C9D1E3F")}),
    ("accounts", {"ada": ("maintainer", "correct-horse-1"),
                  "hana": ("contributor", "battery-staple-2")}),
])
def test_the_banner_is_read(field: str, expected: object) -> None:
    project, tokens, accounts, database = parse_banner(BANNER)
    found = {"project": project, "tokens": tokens, "accounts": accounts,
             "database": database}[field]
    assert found == expected


def test_a_banner_without_accounts_has_none() -> None:
    lines = [line for line in BANNER.splitlines() if "password" not in line
             and "sign in" not in line]
    _, tokens, accounts, _ = parse_banner("\n".join(lines))
    assert accounts == {} and set(tokens) == {"admin", "ada"}


def test_violations_read_as_rule_element_and_fix() -> None:
    text = describe_violations([{
        "id": "color-contrast", "impact": "serious", "help": "Elements must meet contrast",
        "helpUrl": "https://dequeuniversity.com/rules/axe/4.14/color-contrast",
        "nodes": [{"target": ["main > p.muted"], "html": "<p class=\"muted\">late</p>",
                   "failureSummary": "Fix any of the following:\n  contrast is 2.1"}]}])
    lines = text.splitlines()
    assert lines[0].startswith("color-contrast (serious): Elements must meet contrast")
    assert "at main > p.muted: Fix any of the following:   contrast is 2.1" in lines[1]
    assert "<p class=\"muted\">late</p>" in lines[2]


@pytest.mark.parametrize(("ci", "outcome"), [("1", pytest.fail.Exception),
                                             (None, pytest.skip.Exception)])
def test_a_missing_chromium_fails_in_ci_and_skips_elsewhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str | None,
        outcome: type[BaseException]) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    absent = str(tmp_path / "chromium")
    with pytest.raises(outcome, match=r"no Chromium at .*chromium.*apt-get install chromium"):
        need_chromium(absent)

