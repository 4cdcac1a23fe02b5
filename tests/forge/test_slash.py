"""Slash commands to engine commands, and webhook signatures: pure functions, tables of cases."""

from __future__ import annotations

from typing import Any

import pytest

from charter.forge import signature, slash
from charter.forge.payload import Comment

ISSUE = Comment(repository="acme/widgets", installation=1, number=42, title="Adopt ruff",
                author="alice", body="", pull_request=False,
                labels=("bug", "component/telemetry"), bot=False)
DECISIONS: dict[str, Any] = {
    "42": {"status": "contested", "vote": "42-vote"},
    "42-vote": {"status": "open", "tally": {"yes": 0}, "secret": False},
}


def translate(line: str, decisions: dict[str, Any] | None = None) -> slash.Translation:
    found, _ = slash.parse(line)
    assert len(found) == 1
    return slash.translate(found[0], ISSUE, lambda: decisions or DECISIONS,
                           lambda vote: f"https://c.test/{vote}/ballot")


@pytest.mark.parametrize(("line", "command"), [
    ("/propose", {"do": "propose", "id": "42", "process": "lazy-consensus",
                  "title": "Adopt ruff"}),
    ("/propose proposal", {"do": "propose", "id": "42", "process": "proposal",
                           "title": "Adopt ruff"}),
    ("/object it breaks CI", {"do": "object", "id": "42", "reason": "it breaks CI"}),
    ("/object", {"do": "object", "id": "42"}),
    ("/retract", {"do": "retract", "id": "42"}),
    ("/WITHDRAW", {"do": "withdraw", "id": "42"}),
    ("/call-vote", {"do": "call-vote", "id": "42", "vote": "42-vote"}),
    ("/vote yes", {"do": "vote", "id": "42-vote", "choice": "yes"}),
    ("/vote No not yet", {"do": "vote", "id": "42-vote", "choice": "no",
                          "explanation": "not yet"}),
    ("/nominate @dave maintainer", {"do": "nominate", "id": "42", "person": "dave",
                                    "role": "maintainer", "title": "Adopt ruff"}),
    ("/nominate dave code-owner api docs", {"do": "nominate", "id": "42", "person": "dave",
                                            "role": "code-owner", "scope": "api docs",
                                            "title": "Adopt ruff"}),
    ("/decline", {"do": "decline", "id": "42"}),
    ("/request-explanations", {"do": "request-explanations", "id": "42"}),
    ("/step-down", {"do": "step-down"}),
    ("/request-reinstatement", {"do": "request-reinstatement", "id": "42",
                                "title": "Adopt ruff"}),
    ("/propose-removal @eve gone", {"do": "propose-removal", "id": "42", "person": "eve",
                                    "reason": "gone", "title": "Adopt ruff"}),
    ("/rfc", {"do": "rfc", "id": "42", "title": "Adopt ruff"}),
    ("/upvote", {"do": "upvote", "id": "42"}),
    ("/complete", {"do": "complete", "id": "42"}),
    ("/approve", {"do": "approve", "id": "42"}),
    ("/select-roadmap 2026Q2 #3 #1 #2", {"do": "select-roadmap", "id": "2026Q2",
                                         "items": ["3", "1", "2"]}),
    ("/meet has docs", {"do": "meet", "id": "telemetry", "criterion": "has docs"}),
    ("/graduate", {"do": "graduate", "id": "telemetry"}),
    ("/archive unused", {"do": "archive", "id": "telemetry", "reason": "unused"}),
    ("/remove", {"do": "remove", "id": "telemetry"}),
])
def test_commands(line: str, command: dict[str, Any]) -> None:
    assert translate(line).command == command


@pytest.mark.parametrize(("line", "decisions", "answer"), [
    ("/vote maybe", None, "usage: `/vote yes|no|abstain"),
    ("/vote yes", {"42": {"status": "open", "tally": {"ballots": 1}, "secret": True}},
     "https://c.test/42/ballot"),
    ("/nominate", None, "usage: `/nominate @LOGIN ROLE"),
    ("/propose-removal", None, "usage"),
    ("/select-roadmap 2026Q2", None, "usage"),
    ("/incubate", None, "usage: `/incubate TIMEFRAME"),
    ("/incubate 6 months", None, "graduation criteria as a list"),
    ("/lgtm", None, "not configured"),
    ("/hold", None, "not configured"),
    ("/frobnicate", None, "unknown command `/frobnicate`"),
])
def test_answers_without_the_engine(line: str, decisions: dict[str, Any] | None,
                                    answer: str) -> None:
    translated = translate(line, decisions)
    assert translated.command is None and answer in (translated.answer or "")


INCUBATION = """Let's incubate the telemetry exporter.
/incubate 6 months @alice @bob
Graduation criteria:
- [ ] used by two model servers
* documented
- [x] conformance tests green
```
- not a criterion (in a fence)
```
"""


@pytest.mark.parametrize(("body", "labels", "expected"), [
    (INCUBATION, ("component/telemetry",), {
        "do": "incubate", "id": "telemetry", "goals": "Adopt ruff", "timeframe": "6 months",
        "criteria": ["used by two model servers", "documented", "conformance tests green"],
        "maintainers": ["alice", "bob"], "title": "Adopt ruff"}),
    ("/incubate 3 months\n- works", ("component/x",), {
        "do": "incubate", "id": "x", "goals": "Adopt ruff", "timeframe": "3 months",
        "criteria": ["works"], "title": "Adopt ruff"}),
    ("/incubate 3 months\n- works", ("bug",), None),
])
def test_incubate_takes_its_criteria_from_the_comment_s_list(
        body: str, labels: tuple[str, ...], expected: dict[str, Any] | None) -> None:
    found, _ = slash.parse(body)
    issue = Comment(**{**ISSUE.__dict__, "body": body, "labels": labels})
    translated = slash.translate(found[0], issue, lambda: {}, lambda vote: vote)
    assert translated.command == expected
    if expected is None:
        assert "component/ID" in (translated.answer or "")


def test_approve_on_a_pull_request() -> None:
    found, _ = slash.parse("/approve")
    pull = Comment(**{**ISSUE.__dict__, "pull_request": True})
    for decisions, expected in (({}, None), ({"42": {"status": "open"}}, "approve")):
        translated = slash.translate(found[0], pull, lambda d=decisions: d,  # type: ignore[misc]
                                     lambda vote: vote)
        assert (translated.command or {}).get("do") == expected


def test_answers_quote_commands_without_breaking_out_of_code() -> None:
    from charter.forge import answer

    body = answer.compose("eve", [answer.note("/object `x` @everyone **bold**", "why")])
    assert body == "@eve\n- `/object 'x' @everyone **bold**`: not applied: why"


def test_vote_on_a_decision_without_a_vote_goes_to_the_decision() -> None:
    assert translate("/vote yes", {"42": {"status": "open", "vote": None}}).command == {
        "do": "vote", "id": "42", "choice": "yes"}


@pytest.mark.parametrize(("body", "verbs", "more"), [
    ("/propose", ["propose"], 0),
    ("thanks!\n  /object too soon\n> /vote yes", ["object"], 0),
    ("```\n/propose\n```\n/retract", ["retract"], 0),
    ("a/b\n/ space\n//x\n/1", [], 0),
    ("\n".join(["/upvote"] * 12), ["upvote"] * 10, 2),
])
def test_parse(body: str, verbs: list[str], more: int) -> None:
    found, ignored = slash.parse(body)
    assert [s.verb for s in found] == verbs and ignored == more


BODY = b'{"zen": "Keep it logically awesome."}'


@pytest.mark.parametrize(("header", "ok"), [
    (signature.sign(b"s3cret", BODY), True),
    (signature.sign(b"other", BODY), False),
    (signature.sign(b"s3cret", BODY + b" "), False),
    (signature.sign(b"s3cret", BODY).upper(), False),
    ("sha1=" + "0" * 40, False),
    ("sha256=", False),
    ("", False),
    (None, False),
    ("sha256=" + "é" * 64, False),
])
def test_signatures(header: str | None, ok: bool) -> None:
    assert signature.verify(b"s3cret", BODY, header) is ok


def test_a_known_signature() -> None:
    # GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
    assert signature.sign(b"It's a Secret to Everybody", b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
