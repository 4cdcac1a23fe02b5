"""From an issue comment to the bot's answer on GitHub, on the real service: a proposal made on a
Friday, an objection, a vote called and cast, the worker closing the vote at its deadline."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.forge.conftest import INSTALLATION, REPO, Hub, comment_payload, fixture

PEOPLE = {"alice": "maintainer", "bob": "maintainer", "carol": "maintainer",
          "dave": "contributor"}
FRIDAY = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)


def answers(hub: Hub) -> list[str]:
    """The bot's answers to commands (vote notices are comments too: tests/forge/test_notices)."""
    return [r.body["body"] for r in hub.github.comments()
            if re.match(r"@[\w-]+\n- `/", r.body["body"])]


def test_a_contested_proposal_goes_to_a_vote_on_github(hub: Hub) -> None:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    assert hub.send("installation", fixture("installation.created")).status_code == 202
    hub.clock.now = FRIDAY
    script = [("dave", "/propose"), ("bob", "/object not before the release"),
              ("dave", "/call-vote"), ("alice", "/call-vote"),
              ("alice", "/vote yes"), ("bob", "/vote no it breaks CI"), ("carol", "/vote yes")]
    for author, body in script:
        hub.comment(body, author)
        hub.work()
        hub.clock.advance(minutes=5)
    said = answers(hub)
    assert len(said) == len(script)
    for (author, body), text in zip(script, said, strict=True):
        assert text.startswith(f"@{author}\n- `{body}`")
    # Friday afternoon plus 48 business hours is Tuesday, not Sunday.
    assert "decision 1 is **open** (closes at 2026-03-10T16:00:00Z)" in said[0]
    assert "**contested**" in said[1]
    assert "refused" in said[2] and "maintainer" in said[2]  # the engine's reason
    assert "vote 1-vote is open" in said[3]
    assert all("accepted" in text for text in said[4:])
    state = hub.gov.state(REPO)["decisions"]
    assert state["1-vote"]["tally"]["yes"] == 2 and state["1-vote"]["status"] == "open"

    # The worker fires the vote's close at its deadline (seven days after it opened).
    closes = datetime.fromisoformat(state["1-vote"]["closes_at"].replace("Z", "+00:00"))
    hub.clock.now = closes + timedelta(minutes=1)
    assert hub.worker.fire_due() >= 1
    hub.worker.deliver_due()
    decisions = hub.gov.state(REPO)["decisions"]
    assert decisions["1-vote"]["status"] == "passed"
    assert decisions["1"]["status"] == "accepted"

    # Every answer went through one token exchange for the comment's installation, and each
    # comment names its outbox id once.
    exchanges = [r for r in hub.github.requests if r.path.endswith("/access_tokens")]
    # (the fixtures' installation event and comment name different installations; the vote
    # notices go through the one the project was installed with)
    paths = [r.path for r in exchanges]
    assert f"/app/installations/{INSTALLATION}/access_tokens" in paths
    assert len(paths) == len(set(paths))
    assert all(r.path == f"/repos/{REPO}/issues/1/comments" for r in hub.github.comments())
    ids = [re.search(r"charter:effect (\d+)", text)[1] for text in said]  # type: ignore[index]
    assert len(set(ids)) == len(ids)


def test_a_vote_in_a_comment_on_a_secret_ballot_is_not_counted(hub: Hub) -> None:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    hub.comment("/nominate @dave maintainer", "alice", number=7)
    hub.work()
    hub.comment("/vote yes", "bob", number=7)
    hub.work()
    said = answers(hub)
    assert "decision 7 is **open**" in said[0]
    assert "not counted" in said[1]
    assert "https://charter.test/projects/Codertocat/Hello-World/decisions/7/ballot" in said[1]
    assert hub.gov.state(REPO)["decisions"]["7"]["tally"] == {"ballots": 0}


def test_unknown_commands_and_bots_get_no_engine_command(hub: Hub) -> None:
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    hub.comment("thanks!\n/frobnicate now\n```\n/propose\n```", "dave")
    hub.work()
    said = answers(hub)
    assert len(said) == 1 and "unknown command `/frobnicate`" in said[0]
    assert hub.gov.events_after(REPO) == []


def test_incubate_on_github_registers_the_component_with_its_criteria(hub: Hub) -> None:
    hub.gov.create_project(REPO, "llm-d", {"alice": "maintainer", "bob": "maintainer"})
    data = comment_payload("/incubate 6 months @bob\n- used by two model servers\n- documented",
                           "alice", number=9, title="A telemetry exporter")
    data["issue"]["labels"] = [{"name": "component/telemetry"}]
    assert hub.send("issue_comment", data).status_code == 202
    hub.work()
    component = hub.gov.state(REPO)["components"]["telemetry"]
    assert component["status"] == "incubating", component
    assert "accepted" in answers(hub)[-1] or "incubating" in answers(hub)[-1]
