"""The pages' forms: each posts a command in the API's vocabulary, checked for its CSRF token and
applied through `Governance.apply` as the signed-in person, exactly as `POST /commands` does.
The engine decides; a refusal is shown with its reason, 403 when the engine says it is about who
is acting (`forbidden`) and 409 when the decision's state or the time does not allow it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from charter.engine.state import FORBIDDEN, RejectionKind
from charter.errors import CharterError
from charter.store.projects import Forbidden, NotFound
from charter.web.pages import ballot_context
from charter.web.render import Dashboard, as_json, wants_json

#: Fields a form may send; anything else is the page's own (csrf, next) or refused.
LIST_FIELDS = {"items", "criteria", "maintainers"}
MAX_FIELDS = 40


def command_of(form: Any) -> dict[str, Any]:
    """The command a form describes: blank fields dropped, list fields kept as lists."""
    body: dict[str, Any] = {}
    for key in form:
        if key in ("csrf", "next"):
            continue
        values = [v for v in form.getlist(key) if isinstance(v, str) and v.strip()]
        if key in LIST_FIELDS:
            if values:
                body[key] = [v.strip() for v in values]
        elif values:
            body[key] = values[-1].strip()
    return body


def safe_next(value: object, fallback: str) -> str:
    """A local path to go back to; anything else (another site, a scheme) is replaced."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") \
            and "\\" not in value and len(value) < 500:
        return value
    return fallback


def refused_status(kind: RejectionKind | None) -> int:
    """403 when the engine refused because of who is acting, 409 for anything else."""
    return 403 if kind == FORBIDDEN else 409


def router(dash: Dashboard) -> APIRouter:
    forms = APIRouter(include_in_schema=False)
    gov = dash.gov

    @forms.post("/projects/{owner}/{repo}/act")
    async def act(request: Request, owner: str, repo: str) -> Response:
        name = f"{owner}/{repo}"
        if dash.sessions is None:
            return dash.error(request, 503, "Sign-in is off", "set CHARTER_SECRET_KEY to "
                              "enable sign-in", "not-configured")
        session = dash.sessions.load(request)
        form = await request.form(max_fields=MAX_FIELDS, max_files=0)
        if not dash.sessions.csrf_ok(session, form.get("csrf")):
            return dash.error(request, 403, "Form expired", "the form's CSRF token is missing "
                              "or does not belong to this session; reload the page and try "
                              "again", "csrf")
        if session.login is None:
            return dash.error(request, 401, "Sign in first", "sign in to take part",
                              "unauthorized")
        body = command_of(form)
        back = safe_next(form.get("next"), f"/projects/{name}")
        try:
            outcome = await run_in_threadpool(gov.apply, name, session.login, body)
        except NotFound as err:
            return dash.error(request, 404, "Not found", err.message, "not-found")
        except Forbidden as err:
            return dash.error(request, 403, "Refused", err.message, "forbidden")
        except CharterError as err:
            return dash.error(request, 422, "Not a valid command", err.message, "invalid")
        if outcome.rejected is not None:
            status = refused_status(outcome.refusal)
            return dash.error(request, status, "Refused" if status == 403 else "Rejected",
                              f"The engine refused this: {outcome.rejected}", "rejected")
        if wants_json(request):
            answer: dict[str, Any] = {"event": outcome.event.to_json(),
                                      "decision": outcome.decision}
            if outcome.receipt is not None:
                answer["receipt"] = outcome.receipt
            return as_json(answer, 201)
        if outcome.receipt is not None:
            return await _receipt(request, dash, name, str(body.get("id")), outcome.receipt)
        # The page words the notice itself: a link cannot make it say anything else.
        sep = "&" if "?" in back else "?"
        return RedirectResponse(f"{back}{sep}done={quote(str(body.get('do'))[:40])}"
                                f"&event={outcome.event.seq}", 303)

    return forms


async def _receipt(request: Request, dash: Dashboard, name: str, vote_id: str,
                   receipt: str) -> Response:
    """The ballot page again, with the receipt of the ballot just cast."""
    session = dash.session(request)
    login = session.login if session else None
    context = await run_in_threadpool(dash.gov.read, name,
                                      lambda e, now: ballot_context(dash.gov, name, e, now,
                                                                    vote_id, login))
    return dash.page(request, "ballot.html", {"project": name, **(context or {}),
                                              "receipt": receipt}, 201)
