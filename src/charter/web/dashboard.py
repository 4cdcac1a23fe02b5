"""The dashboard wired into the service: pages, forms, sign-in and the static files."""

from __future__ import annotations

import inspect
import time
from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from charter.store.projects import Governance
from charter.store.settings import Settings
from charter.web import forms, pages, signin
from charter.web.render import STATIC, Dashboard
from charter.web.session import Sessions


def install(app: FastAPI, gov: Governance, settings: Settings | None) -> Dashboard:
    """Add the dashboard to APP; sign-in needs the secret key (it signs the session cookies)."""
    public = settings.public_url if settings else None
    sessions = Sessions(gov.key, secure=bool(public and public.startswith("https://"))) \
        if gov.key else None
    oauth = None
    if settings and settings.github_client_id and settings.github_client_secret:
        oauth = signin.GitHubOAuth(settings.github_client_id, settings.github_client_secret,
                                   settings.github_web_url, settings.github_api_url, public)
    dash = Dashboard(gov, sessions, github_oauth=oauth is not None)

    @app.middleware("http")
    async def server_timing(request: Request, call_next: Any) -> Any:
        # How long the server took, for the browser's devtools and the benchmark.
        start = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
        return response

    json_errors = app.exception_handlers.get(StarletteHTTPException)

    @app.exception_handler(StarletteHTTPException)
    async def not_a_page(request: Request, err: StarletteHTTPException) -> Response:
        # A browser asking for a page that does not exist gets a page; API clients, JSON.
        if json_errors is not None and (request.url.path.startswith("/api/")
                                        or "text/html" not in request.headers.get("accept", "")):
            answer = json_errors(request, err)
            return await answer if inspect.isawaitable(answer) else answer
        return dash.error(request, err.status_code, "Not found" if err.status_code == 404
                          else "Refused", str(err.detail), "not-found")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router(dash))
    app.include_router(forms.router(dash))
    app.include_router(signin.router(dash, oauth))
    return dash
