"""The API's JSON bodies, shared by `/api/v1` and by the pages that answer
`Accept: application/json`, so both always say the same thing."""

from __future__ import annotations

from typing import Any

from charter.store.projects import Governance


def projects(gov: Governance) -> dict[str, Any]:
    return {"projects": gov.project_names()}


def state(gov: Governance, name: str) -> dict[str, Any]:
    return gov.state(name)


def decisions(gov: Governance, name: str, status: str | None = None) -> dict[str, Any]:
    found = gov.state(name)["decisions"]
    return {"decisions": {k: v for k, v in found.items()
                          if status is None or v["status"] == status}}


def decision(gov: Governance, name: str, decision_id: str) -> dict[str, Any]:
    return gov.decision(name, decision_id)


def people(gov: Governance, name: str) -> dict[str, Any]:
    return {"people": gov.state(name)["people"]}


def rfcs(gov: Governance, name: str) -> dict[str, Any]:
    found = gov.state(name)
    return {"rfcs": {k: v for k, v in found["decisions"].items() if "upvotes" in v},
            "ranking": found["rfc_ranking"]}


def roadmap(gov: Governance, name: str) -> dict[str, Any]:
    return {"roadmap": gov.state(name)["roadmap"]}


def components(gov: Governance, name: str) -> dict[str, Any]:
    return {"components": gov.state(name)["components"]}


def events(gov: Governance, name: str, after: int = 0, limit: int = 1000) -> dict[str, Any]:
    return {"events": [e.to_json() for e in gov.events_after(name, after, limit)]}
