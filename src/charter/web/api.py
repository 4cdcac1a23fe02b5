"""The REST API (`/api/v1`): projects, their state and log, and commands in the one vocabulary.

Reads are public, as a project's governance is; commands need a bearer token, and the engine
decides what its holder may do. Every error is `{"error": {"code", "message", "field"?}}`.
"""


from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from charter.errors import CharterError
from charter.store import items, notices
from charter.store.db import reading
from charter.store.projects import Forbidden, Governance, Malformed, NotFound
from charter.store.settings import Settings
from charter.store.tokens import Holder, holder_of
from charter.web import dashboard, payloads, webhooks

#: Request bodies larger than this are refused before they are read (the API's commands are
#: small; the webhook endpoint has its own, larger cap).
MAX_BODY = 1024 * 1024


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers
        super().__init__(message)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message[:2000]}
    if field:
        error["field"] = field
    return {"error": error}


def install_error_handlers(app: FastAPI) -> None:
    """Every error, expected or not, as the documented JSON; never a traceback."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, err: ApiError) -> JSONResponse:
        return JSONResponse(error_body(err.code, err.message, err.field), err.status,
                            headers=err.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(error_body("invalid", str(first.get("msg", "invalid request")),
                                       where or None), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(err.status_code, "http-error")
        return JSONResponse(error_body(code, str(err.detail)), err.status_code)

    @app.exception_handler(Exception)
    async def _internal(_: Request, err: Exception) -> JSONResponse:
        return JSONResponse(error_body("internal", f"internal error ({type(err).__name__}); "
                                                   "it was logged"), 500)


def _translate(err: CharterError) -> ApiError:
    if isinstance(err, NotFound):
        return ApiError(404, "not-found", err.message, err.field)
    if isinstance(err, Forbidden):
        return ApiError(403, "forbidden", err.message, err.field)
    if isinstance(err, Malformed):
        return ApiError(422, "invalid", err.message, err.field)
    return ApiError(400, "bad-request", err.message, err.field)


def router(gov: Governance) -> APIRouter:
    """The `/api/v1` routes over GOV."""
    api = APIRouter(prefix="/api/v1")
    # Tokens are never changed once issued (there is no revocation yet), so a known one needs
    # no database round trip; unknown ones are always looked up.
    known: dict[str, Holder] = {}

    def holder(authorization: Annotated[str | None, Header()] = None) -> Holder:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise ApiError(401, "unauthorized", "send Authorization: Bearer <token> (create one "
                           "with `charter token create LOGIN`)",
                           headers={"WWW-Authenticate": "Bearer"})
        token = authorization[7:].strip()
        found = known.get(token)
        if found is None:
            with reading(gov.db) as conn:
                found = holder_of(conn, token)
            if found is not None and len(known) < 10_000:
                known[token] = found
        if found is None:
            raise ApiError(401, "unauthorized", "unknown token",
                           headers={"WWW-Authenticate": "Bearer"})
        return found

    def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CharterError as err:
            raise _translate(err) from None

    @api.get("/projects")
    def list_projects() -> dict[str, Any]:
        result: dict[str, Any] = call(payloads.projects, gov)
        return result

    @api.post("/projects", status_code=201)
    def create_project(body: Annotated[dict[str, Any], Body()],
                       who: Annotated[Holder, Depends(holder)]) -> dict[str, Any]:
        if not who.admin:
            raise ApiError(403, "forbidden", "creating a project needs an admin token "
                           "(`charter token create LOGIN --admin`)")
        unknown = sorted(set(body) - {"name", "policy", "people"})
        if unknown:
            raise ApiError(422, "invalid", f"unknown field {unknown[0]!r}; a project has name, "
                           "policy and people", unknown[0])
        project = call(gov.create_project, body.get("name"), body.get("policy"),
                       body.get("people"))
        return {"name": project.name, "policy": project.policy_hash, "people": project.people}

    @api.put("/projects/{owner}/{repo}/policy")
    def adopt_policy(owner: str, repo: str, body: Annotated[dict[str, Any], Body()],
                     who: Annotated[Holder, Depends(holder)]) -> dict[str, Any]:
        """Adopt a policy for decisions opened from now on; open ones keep theirs."""
        if not who.admin:
            raise ApiError(403, "forbidden", "changing a project's policy needs an admin token "
                           "(`charter token create LOGIN --admin`)")
        unknown = sorted(set(body) - {"policy"})
        if unknown:
            raise ApiError(422, "invalid", f"unknown field {unknown[0]!r}; the body is "
                           "{\"policy\": <preset name or policy mapping>}", unknown[0])
        if "policy" not in body:
            raise ApiError(422, "invalid", "policy is missing: a preset name or a policy "
                           "mapping", "policy")
        name = f"{owner}/{repo}"
        changed = call(gov.adopt_policy, name, body["policy"], by=who.login)
        return {"policy": call(gov.project, name).policy_hash, "changed": changed}

    @api.get("/projects/{owner}/{repo}/state")
    def state(owner: str, repo: str) -> dict[str, Any]:
        result: dict[str, Any] = call(payloads.state, gov, f"{owner}/{repo}")
        return result

    @api.get("/projects/{owner}/{repo}/decisions")
    def decisions(owner: str, repo: str,
                  status: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
        result: dict[str, Any] = call(payloads.decisions, gov, f"{owner}/{repo}", status)
        return result

    @api.get("/projects/{owner}/{repo}/decisions/{decision_id}")
    def decision(owner: str, repo: str, decision_id: str) -> dict[str, Any]:
        result: dict[str, Any] = call(payloads.decision, gov, f"{owner}/{repo}", decision_id)
        return result

    @api.get("/projects/{owner}/{repo}/people")
    def people(owner: str, repo: str) -> dict[str, Any]:
        result: dict[str, Any] = call(payloads.people, gov, f"{owner}/{repo}")
        return result

    @api.get("/projects/{owner}/{repo}/rfcs")
    def rfcs(owner: str, repo: str) -> dict[str, Any]:
        result: dict[str, Any] = call(payloads.rfcs, gov, f"{owner}/{repo}")
        return result

    @api.get("/projects/{owner}/{repo}/roadmap")
    def roadmap(owner: str, repo: str) -> dict[str, Any]:
        result: dict[str, Any] = call(payloads.roadmap, gov, f"{owner}/{repo}")
        return result

    @api.get("/projects/{owner}/{repo}/components")
    def components(owner: str, repo: str) -> dict[str, Any]:
        result: dict[str, Any] = call(payloads.components, gov, f"{owner}/{repo}")
        return result

    @api.get("/projects/{owner}/{repo}/events")
    def log(owner: str, repo: str, after: Annotated[int, Query(ge=0)] = 0,
            limit: Annotated[int, Query(ge=1, le=1000)] = 1000) -> dict[str, Any]:
        result: dict[str, Any] = call(payloads.events, gov, f"{owner}/{repo}", after, limit)
        return result

    @api.get("/projects/{owner}/{repo}/notices")
    def notice_ledger(owner: str, repo: str,
                      decision: Annotated[str | None, Query(max_length=200)] = None
                      ) -> dict[str, Any]:
        """Every notice (vote opened, reminder, result; comment or mail), its recipients and
        when it was delivered: the record that everyone was told."""
        project = call(gov.project, f"{owner}/{repo}")
        with reading(gov.db) as conn:
            return {"notices": notices.ledger(conn, project.id, decision)}

    @api.get("/projects/{owner}/{repo}/triage")
    def triage(owner: str, repo: str) -> dict[str, Any]:
        """Open issues still under the triage label, oldest first."""
        call(gov.project, f"{owner}/{repo}")
        with reading(gov.db) as conn:
            return {"issues": [i.to_json() for i in items.triage_queue(conn, f"{owner}/{repo}")]}

    @api.get("/projects/{owner}/{repo}/scenario")
    def scenario(owner: str, repo: str) -> dict[str, Any]:
        result: dict[str, Any] = call(gov.export, f"{owner}/{repo}")
        return result

    @api.post("/projects/{owner}/{repo}/commands", status_code=201)
    def command(owner: str, repo: str, body: Annotated[dict[str, Any], Body()],
                who: Annotated[Holder, Depends(holder)]) -> Any:
        outcome = call(gov.apply, f"{owner}/{repo}", who.login, body)
        answer: dict[str, Any] = {"event": outcome.event.to_json(),
                                  "decision": outcome.decision}
        if outcome.receipt is not None:
            answer["receipt"] = outcome.receipt
            # The log keeps who took part, never the choice; so does this answer.
        if outcome.rejected is not None:
            return JSONResponse({**error_body("rejected", outcome.rejected), **answer}, 409)
        return answer

    return api


class CapBody:
    """Refuses a body declared larger than MAX_BODY before it is read (GitHub's webhooks have
    their own, larger cap). Plain ASGI: it costs each request one header lookup, where
    Starlette's `@app.middleware` would wrap every request and response in streams."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != webhooks.PATH:
            length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                answer = JSONResponse(error_body("too-large", f"request bodies are at most "
                                                              f"{MAX_BODY} bytes"), 413)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(gov: Governance, webhook_secret: bytes | None = None,
               settings: Settings | None = None) -> FastAPI:
    """The HTTP service: the REST API, GitHub's webhooks and the dashboard; webhooks are
    refused without WEBHOOK_SECRET, sign-in without the governance's secret key."""
    app = FastAPI(title="Charter", version="1", docs_url="/api/docs", redoc_url=None)
    install_error_handlers(app)
    app.add_middleware(CapBody)

    app.include_router(router(gov))
    app.include_router(webhooks.router(gov, webhook_secret))
    dashboard.install(app, gov, settings)
    return app
