"""`charter commit-msg FILE`, the pre-commit hook: sign-off and style before the commit exists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import cli
from tests.conftest import GIT_ENV

SIGNOFF = "Signed-off-by: Test Author <author@example.com>"


@pytest.mark.parametrize(
    ("message", "code", "rule"),
    [
        (f"Add a cache\n\nLookups were slow.\n\n{SIGNOFF}\n", 0, None),
        ("Add a cache\n\nLookups were slow.\n", 1, "dco.signoff-missing"),
        (f"Add a cache\n\nLookups were slow.\n# {SIGNOFF}\n", 1, "dco.signoff-missing"),
        (f"{'x' * 73}\n\nWhy.\n\n{SIGNOFF}\n", 1, "commits.title-too-long"),
        (f"Add a cache\n\n{SIGNOFF}\n", 1, "commits.body-missing"),
    ],
    ids=["good", "no-signoff", "signoff-only-in-a-comment", "long-title", "llm-d-needs-body"],
)
def test_commit_msg_hook(make_repo: Callable[[str], Path], tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch, message: str, code: int,
                         rule: str | None) -> None:
    repo = make_repo("r")
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    msg = tmp_path / "COMMIT_EDITMSG"
    msg.write_text(message)
    result = CliRunner().invoke(cli, ["commit-msg", str(msg), "--repo", str(repo),
                                      "--policy", "llm-d"])
    assert result.exit_code == code, result.output
    if rule:
        assert rule in result.output
