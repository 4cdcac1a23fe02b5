"""Pull request facts from payloads, and approvals, cancels and holds as Prow counts them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from charter.forge import pulls
from tests.forge.conftest import fixture

HEAD = "a" * 40
OTHER = "b" * 40


def state(**extra: Any) -> dict[str, Any]:
    return {"head": HEAD, "base": "main", "author": "dave", "approvals": {}, "hold": None,
            **extra}


@pytest.mark.parametrize(("steps", "approvals", "hold"), [
    pytest.param([("alice", "approve", [])], {"alice": {"approve": HEAD}}, None, id="approve"),
    pytest.param([("Alice", "lgtm", [])], {"alice": {"lgtm": HEAD}}, None, id="lgtm-lowercased"),
    pytest.param([("alice", "approve", []), ("alice", "approve", ["cancel"])], {}, None,
                 id="approve-cancel"),
    pytest.param([("alice", "approve", []), ("alice", "lgtm", []),
                  ("alice", "lgtm", ["cancel"])], {"alice": {"approve": HEAD}}, None,
                 id="lgtm-cancel-keeps-approve"),
    pytest.param([("alice", "approve", []), ("bob", "approve", ["cancel"])],
                 {"alice": {"approve": HEAD}}, None, id="cancel-is-per-person"),
    pytest.param([("dave", "approve", [])], {}, None, id="author-refused"),
    pytest.param([("dave", "lgtm", [])], {}, None, id="author-lgtm-refused"),
    pytest.param([("carol", "hold", [])], {}, "carol", id="hold"),
    pytest.param([("carol", "hold", []), ("dave", "unhold", [])], {}, None, id="unhold"),
    pytest.param([("carol", "hold", []), ("carol", "hold", ["cancel"])], {}, None,
                 id="hold-cancel"),
    pytest.param([("alice", "approve", ["no-issue"])], {"alice": {"approve": HEAD}}, None,
                 id="approve-with-words"),
])
def test_commands(steps: list[tuple[str, str, list[str]]], approvals: dict[str, Any],
                  hold: str | None) -> None:
    found = state()
    for login, verb, words in steps:
        pulls.apply_command(found, login, verb, words)
    assert found["approvals"] == approvals
    assert found["hold"] == hold


@pytest.mark.parametrize(("verb", "words", "accepted"), [
    ("approve", [], True), ("approve", ["cancel"], None), ("hold", [], True),
    ("unhold", [], None),
])
def test_what_a_command_says(verb: str, words: list[str], accepted: bool | None) -> None:
    assert pulls.apply_command(state(), "alice", verb, words).accepted is accepted


def test_the_author_is_told_why() -> None:
    said = pulls.apply_command(state(), "DAVE", "approve", [])
    assert said.accepted is False and "author" in said.text


@pytest.mark.parametrize(("reviews", "approvals"), [
    pytest.param([("bob", "approved", OTHER)], {"bob": {"review": OTHER}}, id="at-its-commit"),
    pytest.param([("bob", "approved", None)], {"bob": {"review": HEAD}}, id="no-commit-head"),
    pytest.param([("bob", "approved", OTHER), ("bob", "changes_requested", HEAD)], {},
                 id="changes-requested-withdraws"),
    pytest.param([("bob", "approved", OTHER), ("bob", "dismissed", None)], {},
                 id="dismissed-withdraws"),
    pytest.param([("bob", "commented", HEAD)], {}, id="comment-is-not-approval"),
    pytest.param([("dave", "approved", HEAD)], {}, id="author-never"),
])
def test_reviews(reviews: list[tuple[str, str, str | None]], approvals: dict[str, Any]) -> None:
    found = state()
    for login, kind, at in reviews:
        pulls.apply_review(found, pulls.Review(login, kind, at))
    assert found["approvals"] == approvals


def test_approvals_never_include_the_author() -> None:
    found = state(approvals={"dave": {"approve": HEAD}, "alice": {"approve": HEAD,
                                                                   "review": OTHER}})
    assert pulls.approvals_of(found) == [("alice", HEAD), ("alice", OTHER)]


def test_a_real_pull_request_payload() -> None:
    found = pulls.pull_event(fixture("pull_request.opened"))
    assert found is not None
    assert (found.number, found.base, found.author, found.labels, found.open) == (
        2, "master", "codertocat", ("bug",), True)
    assert found.head == "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


@pytest.mark.parametrize("change", [
    pytest.param({"head": {"sha": "not-a-sha"}}, id="bad-sha"),
    pytest.param({"number": "2"}, id="number-as-text"),
    pytest.param({"user": None}, id="no-author"),
    pytest.param({"base": []}, id="base-not-object"),
])
def test_malformed_pull_requests_are_none(change: dict[str, Any]) -> None:
    data = copy.deepcopy(fixture("pull_request.opened"))
    data["pull_request"].update(change)
    assert pulls.pull_event(data) is None


@pytest.mark.parametrize(("event", "name", "expected"), [
    ("check_run", "check_run.completed",
     ("ec26c3e57ca3a959ca5aad62de7213c562f8c821", "Octocoders-linter", "failure", (2,))),
    ("status", "status", ("6113728f27ae82c7b1a177c8d03f9e96e0adf246", "default", "success",
                          ())),
])
def test_check_reports(event: str, name: str, expected: tuple[Any, ...]) -> None:
    report = pulls.check_report(event, fixture(name))
    assert report is not None
    assert (report.sha, report.name, report.state, report.pulls) == expected


def test_a_check_in_progress_reports_its_status() -> None:
    data = copy.deepcopy(fixture("check_run.completed"))
    data["check_run"].update(status="in_progress", conclusion=None)
    report = pulls.check_report("check_run", data)
    assert report is not None and report.state == "in_progress"
