"""The demo's project: a dozen people and a few weeks of governance, ending now.

Every state appears: accepted, contested and open decisions, a decided and a running secret
nomination, RFCs with upvotes, a roadmap, and an incubating component. Times count back from
the moment the demo starts, so deadlines fall due while you watch.
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
        for days, by, body in HISTORY:
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
    return Seeded(PROJECT, len(HISTORY), tokens)


def create_demo_accounts(gov: Governance) -> list[tuple[str, str, str]]:
    """The demo's accounts with fresh random passwords: (login, role, password)."""
    made = []
    with writing(gov.db) as conn:
        for login, role in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(9)
            set_password(conn, login, password, utcnow())
            made.append((login, role, password))
    return made



