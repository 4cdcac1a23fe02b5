"""The demo's project: a dozen people and a few weeks of governance, ending now.

Every state appears: accepted, contested and open decisions, a decided and a running secret
nomination, RFCs with upvotes, a roadmap, and an incubating component. Times count back from
the moment the demo starts, so deadlines fall due while you watch (two votes close 45 seconds
after the start).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from charter.store.accounts import set_password
from charter.store.db import writing
from charter.store.projects import Governance, utcnow
from charter.store.tokens import create_token

PROJECT = "rocket/rocket"
#: The demo's dashboard accounts: a maintainer on the running nomination's roster, a contributor.
DEMO_ACCOUNTS = (("ada", "maintainer"), ("hana", "contributor"))

POLICY: dict[str, Any] = {
    "charter": 1,
    "extends": "llama-stack",
    "project": {"name": "Rocket", "docs": "https://rocket.example/governance"},
    "processes": {
        "components": {
            "type": "component-lifecycle",
            "managers": "maintainer",
            "requires": ["maintainers", "goals", "timeframe", "criteria"],
            "archive_before_removal": "3 months",
            "source": "Incubating components have maintainers, goals, a timeframe and "
                      "graduation criteria.",
        },
    },
}

PEOPLE = {
    "ada": "maintainer", "bram": "maintainer", "chen": "maintainer", "dara": "maintainer",
    "eli": "maintainer", "femi": ["contributor", "code-owner"], "gus": ["contributor", "triager"],
    "hana": "contributor", "ivo": "contributor", "jun": "contributor", "kim": "contributor",
    "lev": "emeritus",
}

# (days before now, by, command)
HISTORY: list[tuple[float, str, dict[str, Any]]] = [
    (27, "hana", {"do": "propose", "id": "LC-1", "process": "lazy-consensus",
                  "title": "Adopt ruff for linting"}),
    (26, "ivo", {"do": "propose", "id": "LC-2", "process": "lazy-consensus",
                 "title": "Drop Python 3.10 support"}),
    (25.9, "jun", {"do": "object", "id": "LC-2", "reason": "our deployment still runs 3.10"}),
    (25.5, "bram", {"do": "call-vote", "id": "LC-2", "vote": "DV-1"}),
    (25.0, "ada", {"do": "vote", "id": "DV-1", "choice": "yes"}),
    (24.8, "chen", {"do": "vote", "id": "DV-1", "choice": "yes"}),
    (24.5, "dara", {"do": "vote", "id": "DV-1", "choice": "no",
                    "explanation": "let us wait one more release"}),
    (24.0, "jun", {"do": "vote", "id": "DV-1", "choice": "no"}),
    (20, "ada", {"do": "nominate", "id": "NOM-1", "person": "femi", "role": "maintainer"}),
    (19.9, "ada", {"do": "vote", "id": "NOM-1", "choice": "yes"}),
    (19.5, "bram", {"do": "vote", "id": "NOM-1", "choice": "yes"}),
    (19.0, "chen", {"do": "vote", "id": "NOM-1", "choice": "no",
                    "explanation": "More design reviews outside providers first, please."}),
    (18.0, "eli", {"do": "vote", "id": "NOM-1", "choice": "yes"}),
    (16, "hana", {"do": "rfc", "id": "RFC-1", "title": "Streaming tool calls"}),
    (16, "ivo", {"do": "rfc", "id": "RFC-2", "title": "Vector store providers v2"}),
    (15.9, "kim", {"do": "rfc", "id": "RFC-3", "title": "Batch inference API"}),
    (15.8, "femi", {"do": "rfc", "id": "RFC-4", "title": "Safety shields as middleware"}),
    (15.5, "ivo", {"do": "upvote", "id": "RFC-1"}),
    (15.4, "kim", {"do": "upvote", "id": "RFC-1"}),
    (15.3, "jun", {"do": "upvote", "id": "RFC-1"}),
    (15.2, "hana", {"do": "upvote", "id": "RFC-3"}),
    (15.1, "gus", {"do": "upvote", "id": "RFC-2"}),
    (14, "hana", {"do": "complete", "id": "RFC-1"}),
    (14, "ivo", {"do": "complete", "id": "RFC-2"}),
    (14, "kim", {"do": "complete", "id": "RFC-3"}),
    (13, "eli", {"do": "approve", "id": "RFC-1"}),
    (13, "ada", {"do": "approve", "id": "RFC-2"}),
    (13, "bram", {"do": "approve", "id": "RFC-3"}),
    (12, "ada", {"do": "select-roadmap", "id": "QUARTER", "items": ["RFC-1", "RFC-3", "RFC-2"]}),
    (11, "femi", {"do": "incubate", "id": "kv-cache", "goals": "Prefix-cache aware routing",
                  "timeframe": "6 months", "maintainers": ["femi", "ivo"],
                  "criteria": ["Two production users", "e2e tests in CI"]}),
    (10, "femi", {"do": "meet", "id": "kv-cache", "criterion": "e2e tests in CI"}),
    (9, "lev", {"do": "request-reinstatement", "id": "RE-1"}),
    (4, "kim", {"do": "propose", "id": "LC-3", "process": "lazy-consensus",
                "title": "Nightly builds of the docs"}),
    (3, "gus", {"do": "propose", "id": "LC-4", "process": "lazy-consensus",
                "title": "Move the CI to self-hosted runners"}),
    (2.5, "hana", {"do": "object", "id": "LC-4", "reason": "self-hosted runners need upkeep"}),
    (2, "bram", {"do": "nominate", "id": "NOM-2", "person": "gus", "role": "maintainer"}),
    (1.9, "bram", {"do": "vote", "id": "NOM-2", "choice": "yes"}),
    (1.5, "dara", {"do": "vote", "id": "NOM-2", "choice": "yes"}),
    (0.5, "jun", {"do": "propose", "id": "LC-5", "process": "lazy-consensus",
                  "title": "Publish the roadmap on the website"}),
    (0.1, "kim", {"do": "upvote", "id": "RFC-4"}),
]

#: Seconds after the demo starts when its "closing soon" decisions fall due.
CLOSING_SOON = 45
_WEEK = 7.0
_SOON = CLOSING_SOON / 86400
# Two decisions whose week-long votes close CLOSING_SOON seconds after the demo starts, so a
# visitor (and the browser tests) can cast a ballot and watch the countdown reach zero: LC-6's
# decision vote passes and LC-6 becomes accepted without a reload; NOM-3's secret ballots are
# counted and their receipts listed.
CLOSING: list[tuple[float, str, dict[str, Any]]] = [
    (_WEEK + 0.5, "ivo", {"do": "propose", "id": "LC-6", "process": "lazy-consensus",
                          "title": "Vote in the browser on the dashboard"}),
    (_WEEK + 0.4, "jun", {"do": "object", "id": "LC-6", "reason": "mail votes are enough"}),
    (_WEEK - _SOON, "ada", {"do": "call-vote", "id": "LC-6", "vote": "DV-2"}),
    (_WEEK - _SOON - 0.1, "bram", {"do": "vote", "id": "DV-2", "choice": "yes"}),
    (_WEEK - _SOON - 0.2, "eli", {"do": "vote", "id": "DV-2", "choice": "yes"}),
    (_WEEK - _SOON - 0.3, "jun", {"do": "vote", "id": "DV-2", "choice": "no"}),
    (_WEEK - _SOON, "ada", {"do": "nominate", "id": "NOM-3", "person": "hana",
                            "role": "triager"}),
    (_WEEK - _SOON - 0.2, "bram", {"do": "vote", "id": "NOM-3", "choice": "yes"}),
    (_WEEK - _SOON - 0.3, "chen", {"do": "vote", "id": "NOM-3", "choice": "yes"}),
    (_WEEK - _SOON - 0.4, "dara", {"do": "vote", "id": "NOM-3", "choice": "yes"}),
]


def _window_opening(gov: Governance, closes: datetime) -> datetime | None:
    """When a lazy-consensus proposal must open for its window to end at CLOSES, or None when
    no window ends then (CLOSES falls on a weekend, which business time skips)."""
    from charter.engine.machine import calendar_for
    from charter.policy.schema import LazyConsensus

    policy = gov.project(PROJECT).policy.policy
    process = policy.processes["lazy-consensus"]
    assert isinstance(process, LazyConsensus)
    calendar = calendar_for(policy)
    low, high = closes - timedelta(days=30), closes
    for _ in range(40):  # the window's end only moves later as its start does
        middle = low + (high - low) / 2
        if calendar.after(middle, process.window) < closes:
            low = middle
        else:
            high = middle
    opened = high.replace(microsecond=0)
    ends = calendar.after(opened, process.window)
    return opened if abs((ends - closes).total_seconds()) <= 1 else None


@dataclass(frozen=True)
class Seeded:
    project: str
    events: int
    tokens: list[tuple[str, str, str]]  # (login, what they may do, token)


def _fixed(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def seed(gov: Governance, now: datetime | None = None) -> Seeded:
    """Create the demo project in GOV and replay its history up to NOW."""
    start = now or utcnow()
    original = gov.clock
    try:
        gov.create_project(PROJECT, POLICY, PEOPLE)
        # LC-7's lazy-consensus window ends when the votes close, on a weekday; at a weekend
        # (when business time stands still) it is simply open.
        opened = _window_opening(gov, start + timedelta(seconds=CLOSING_SOON))
        lc7 = ((start - opened).total_seconds() / 86400 if opened else 0.05, "kim",
               {"do": "propose", "id": "LC-7", "process": "lazy-consensus",
                "title": "Show countdowns in the viewer's time zone"})
        # In time order: the log of a project only moves forward.
        for days, by, body in sorted([*HISTORY, *CLOSING, lc7], key=lambda item: -item[0]):
            at = start - timedelta(days=days)
            gov.clock = _fixed(at)
            if body.get("id") == "QUARTER":  # the quarter the demo runs in
                body = {**body, "id": f"{start.year}Q{(start.month - 1) // 3 + 1}"}
            gov.apply(PROJECT, by, body)
    finally:
        gov.clock = original
    tokens: list[tuple[str, str, str]] = []
    with writing(gov.db) as conn:
        for login, admin, what in (("admin", True, "admin"), ("ada", False, "maintainer"),
                                   ("chen", False, "maintainer"),
                                   ("hana", False, "contributor")):
            tokens.append((login, what, create_token(conn, login, admin=admin, now=start)))
    return Seeded(PROJECT, len(HISTORY) + len(CLOSING) + 1, tokens)


def create_demo_accounts(gov: Governance) -> list[tuple[str, str, str]]:
    """The demo's accounts with fresh random passwords: (login, role, password)."""
    made = []
    with writing(gov.db) as conn:
        for login, role in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(9)
            set_password(conn, login, password, utcnow())
            made.append((login, role, password))
    return made



