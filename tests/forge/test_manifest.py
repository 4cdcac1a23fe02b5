"""`charter github manifest`: the App manifest GitHub's "create from a manifest" flow takes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from charter.cli import cli, main
from charter.forge.manifest import EVENTS, PERMISSIONS

#: Which permission each subscribed event needs (GitHub refuses a manifest that subscribes to
#: an event without its permission).
NEEDS = {"issues": "issues", "issue_comment": "issues", "pull_request": "pull_requests",
         "pull_request_review": "pull_requests", "push": "contents", "check_run": "checks",
         "check_suite": "checks", "status": "statuses"}


def test_manifest_names_the_webhook_and_every_permission_its_events_need() -> None:
    result = CliRunner().invoke(cli, ["github", "manifest", "--url", "https://gov.example.org/"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["hook_attributes"] == {"url": "https://gov.example.org/webhooks/github",
                                       "active": True}
    assert data["default_events"] == list(EVENTS)
    assert data["default_permissions"] == PERMISSIONS
    for event in data["default_events"]:
        assert NEEDS[event] in data["default_permissions"], event


@pytest.mark.parametrize("args", [[], ["--url", "gov.example.org"]])
def test_manifest_needs_an_address(args: list[str], monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CHARTER_PUBLIC_URL", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["github", "manifest", *args])
    assert exited.value.code == 2 and "CHARTER_PUBLIC_URL" in capsys.readouterr().err
