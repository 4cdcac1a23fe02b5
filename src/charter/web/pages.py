"""The dashboard's pages: each reads the engine through `Governance.read` (only what it shows)
and answers `Accept: application/json` with the API's body for the same thing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from charter.engine.machine import Engine
from charter.engine.state import VoteDecision
from charter.errors import CharterError
from charter.store.projects import Governance, NotFound
from charter.web import audit, payloads, views
from charter.web.render import Dashboard, as_json, wants_json

PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]


def router(dash: Dashboard) -> APIRouter:
    """The page routes over DASH."""
    pages = APIRouter(include_in_schema=False)
    gov = dash.gov

    async def show(request: Request, name: str, template: str,
                   read: Callable[[Engine, datetime], dict[str, Any] | None],
                   json_body: Callable[[], dict[str, Any]], **extra: Any) -> Response:
        """TEMPLATE over what READ takes from NAME's engine, or JSON_BODY for JSON clients."""
        try:
            if wants_json(request):
                return as_json(await run_in_threadpool(json_body))
            context = await run_in_threadpool(gov.read, name, read)
        except NotFound as err:
            return dash.error(request, 404, "Not found", err.message, "not-found")
        except CharterError as err:
            return dash.error(request, 400, "Refused", err.message, "bad-request")
        if context is None:
            return dash.error(request, 404, "Not found", "no such decision in this project",
                              "not-found")
        return dash.page(request, template, {"project": name, **context, **extra})

    def who(request: Request) -> str | None:
        session = dash.session(request)
        return session.login if session else None

    @pages.get("/")
    async def index(request: Request) -> Response:
        if wants_json(request):
            return as_json(await run_in_threadpool(payloads.projects, gov))
        names = await run_in_threadpool(gov.project_names)
        return dash.page(request, "index.html", {"projects": names})

    @pages.get("/projects/{owner}/{repo}")
    async def home(request: Request, owner: str, repo: str, page: PageNumber = 1,
                   contested: PageNumber = 1) -> Response:
        name = f"{owner}/{repo}"
        login = who(request)
        return await show(request, name, "home.html",
                          lambda e, now: {**views.home(e, now, page, contested),
                                          "roles": views.roles_of(e, login),
                                          "processes": views.proposable(e)},
                          lambda: payloads.state(gov, name))

    @pages.get("/projects/{owner}/{repo}/rows/{decision_id}")
    async def row(request: Request, owner: str, repo: str, decision_id: str) -> Response:
        """One home-page row, re-read when its deadline passes (htmx swaps it in place)."""
        name = f"{owner}/{repo}"

        def read(e: Engine, now: datetime) -> dict[str, Any] | None:
            found = e.decisions.get(decision_id)
            return None if found is None else {"d": views.row(e, found, now)}

        return await show(request, name, "_row.html", read,
                          lambda: payloads.decision(gov, name, decision_id))

    @pages.get("/projects/{owner}/{repo}/decisions/{decision_id}")
    async def decision(request: Request, owner: str, repo: str,
                       decision_id: str) -> Response:
        name = f"{owner}/{repo}"
        login = who(request)
        return await show(request, name, "decision.html",
                          lambda e, now: _decision(e, now, decision_id, login),
                          lambda: payloads.decision(gov, name, decision_id))

    @pages.get("/projects/{owner}/{repo}/decisions/{decision_id}/status")
    async def status(request: Request, owner: str, repo: str, decision_id: str) -> Response:
        """The decision's status line, polled so a deadline shows without a reload."""
        name = f"{owner}/{repo}"
        return await show(request, name, "_status.html",
                          lambda e, now: _decision(e, now, decision_id, None),
                          lambda: payloads.decision(gov, name, decision_id))

    @pages.get("/projects/{owner}/{repo}/decisions/{decision_id}/ballot")
    async def ballot(request: Request, owner: str, repo: str, decision_id: str) -> Response:
        name = f"{owner}/{repo}"
        login = who(request)

        return await show(request, name, "ballot.html",
                          lambda e, now: ballot_context(gov, name, e, now, decision_id, login),
                          lambda: payloads.decision(gov, name, decision_id), receipt=None)

    @pages.get("/projects/{owner}/{repo}/rfcs")
    async def rfcs(request: Request, owner: str, repo: str, page: PageNumber = 1) -> Response:
        name = f"{owner}/{repo}"
        login = who(request)
        return await show(request, name, "rfcs.html",
                          lambda e, now: {**views.rfcs(e, page),
                                          "roles": views.roles_of(e, login)},
                          lambda: payloads.rfcs(gov, name))

    @pages.get("/projects/{owner}/{repo}/roadmap")
    async def roadmap(request: Request, owner: str, repo: str) -> Response:
        name = f"{owner}/{repo}"
        login = who(request)
        return await show(request, name, "roadmap.html",
                          lambda e, now: views.roadmap(e, now, login),
                          lambda: payloads.roadmap(gov, name))

    @pages.get("/projects/{owner}/{repo}/people")
    async def people(request: Request, owner: str, repo: str) -> Response:
        name = f"{owner}/{repo}"
        return await show(request, name, "people.html",
                          lambda e, now: {"people": views.people(e)},
                          lambda: payloads.people(gov, name))

    @pages.get("/projects/{owner}/{repo}/components")
    async def components(request: Request, owner: str, repo: str) -> Response:
        name = f"{owner}/{repo}"
        return await show(request, name, "components.html",
                          lambda e, now: views.components(e),
                          lambda: payloads.components(gov, name))

    @pages.get("/projects/{owner}/{repo}/triage")
    async def triage(request: Request, owner: str, repo: str) -> Response:
        name = f"{owner}/{repo}"
        return await show(request, name, "triage.html",
                          lambda e, now: {"issues": views.triage_queue(gov, name)},
                          lambda: {"issues": views.triage_queue(gov, name)})

    @pages.get("/projects/{owner}/{repo}/audit")
    async def audit_log(request: Request, owner: str, repo: str,
                        after: Annotated[int, Query(ge=0)] = 0) -> Response:
        name = f"{owner}/{repo}"
        return await show(request, name, "audit.html",
                          lambda e, now: audit.page(gov, name, after),
                          lambda: {**payloads.events(gov, name, after, audit.PER_PAGE),
                                   "verification": audit.verification(gov, name)})

    @pages.get("/projects/{owner}/{repo}/audit/verification")
    async def audit_verification(request: Request, owner: str, repo: str) -> Response:
        """The log's verification, a fragment loaded after the page (it replays the log)."""
        name = f"{owner}/{repo}"
        return await show(request, name, "_verification.html",
                          lambda e, now: {"v": audit.verification(gov, name)},
                          lambda: audit.verification(gov, name))

    @pages.get("/projects/{owner}/{repo}/pulls/{number}")
    async def pull(request: Request, owner: str, repo: str,
                   number: Annotated[int, PathParam(ge=1, le=10**9)]) -> Response:
        name = f"{owner}/{repo}"

        def page(e: Any, now: Any) -> dict[str, Any]:
            gate = views.gate_run(gov, name, number)
            run = gate.get("check_run") if gate else None
            summary = run.get("summary") if run else None
            return {"number": number, "gate": gate,
                    "summary_html": views.markdown_html(summary) if summary else ""}

        return await show(request, name, "pull.html", page,
                          lambda: {"pull": number, "gate": views.gate_run(gov, name, number)})

    return pages


def _decision(engine: Engine, now: datetime, decision_id: str,
              login: str | None) -> dict[str, Any] | None:
    found = views.decision(engine, decision_id, now)
    if found is None:
        return None
    roster = found.get("roster") or []
    vote = engine.decisions[decision_id]
    # Who took part is public (the log says so); what they chose never is.
    voted = isinstance(vote, VoteDecision) and login is not None and (
        login in vote.box.sealed or login in vote.box.binding)
    return {"d": found, "roles": views.roles_of(engine, login),
            "may_vote": bool(login and login in roster and found["status"] == "open"),
            "has_voted": voted,
            "is_subject": bool(login and login == found.get("subject"))}


def ballot_context(gov: Governance, name: str, engine: Engine, now: datetime, vote_id: str,
                   login: str | None) -> dict[str, Any] | None:
    """The ballot page's facts: the decision, whether LOGIN may vote, the receipts at count."""
    context = _decision(engine, now, vote_id, login)
    if context is not None and context["d"]["counted"]:
        context["receipts"] = gov.receipts(name, vote_id)
    return context
