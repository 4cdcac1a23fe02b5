"""Signing in and out: local accounts (argon2) and GitHub's OAuth web flow.

GitHub: `/auth/github` redirects to GitHub's authorize page with a random `state` kept in a
signed, short-lived cookie; the callback checks it, exchanges the code for a token, asks
`/user` who that is, and signs them in under their GitHub login (the roster's logins). Logins
are case-insensitive, as on GitHub: whoever signs in gets the rosters' spelling of theirs.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from charter.store.accounts import account_spelling, authenticate
from charter.store.db import reading
from charter.web.forms import safe_next
from charter.web.render import Dashboard

OAUTH_COOKIE = "charter_oauth"
OAUTH_MAX_AGE = 600


@dataclass(frozen=True)
class GitHubOAuth:
    """An OAuth App's credentials and where GitHub is (its web and API addresses)."""

    client_id: str
    client_secret: str
    web_url: str = "https://github.com"
    api_url: str = "https://api.github.com"
    public_url: str | None = None


def router(dash: Dashboard, oauth: GitHubOAuth | None) -> APIRouter:
    signin = APIRouter(include_in_schema=False)

    @signin.get("/signin")
    async def form(request: Request) -> Response:
        if dash.sessions is None:
            return dash.error(request, 503, "Sign-in is off",
                              "set CHARTER_SECRET_KEY to enable sign-in", "not-configured")
        back = safe_next(request.query_params.get("next"), "/")
        return dash.page(request, "signin.html", {"next": back, "failed": False})

    @signin.post("/signin")
    async def check(request: Request) -> Response:
        if dash.sessions is None:
            return dash.error(request, 503, "Sign-in is off",
                              "set CHARTER_SECRET_KEY to enable sign-in", "not-configured")
        session = dash.sessions.load(request)
        data = await request.form(max_fields=10, max_files=0)
        if not dash.sessions.csrf_ok(session, data.get("csrf")):
            return dash.error(request, 403, "Form expired", "the form's CSRF token is missing "
                              "or does not belong to this session; reload the page", "csrf")
        login, password = str(data.get("login") or "").strip(), str(data.get("password") or "")
        back = safe_next(data.get("next"), "/")

        def verify() -> str | None:
            with reading(dash.gov.db) as conn:
                spelled = account_spelling(conn, login)
                return spelled if authenticate(conn, spelled, password) else None

        known = await run_in_threadpool(verify) if login else None
        if known is None:
            return dash.page(request, "signin.html", {"next": back, "failed": True,
                                                      "login_value": login[:100]}, 401,
                             session=session)
        known = await run_in_threadpool(dash.gov.roster_spelling, known)
        response = RedirectResponse(back, 303)
        dash.sessions.save(response, dash.sessions.fresh(known, "password"))
        return response

    @signin.post("/signout")
    async def signout(request: Request) -> Response:
        if dash.sessions is None:
            return RedirectResponse("/", 303)
        session = dash.sessions.load(request)
        data = await request.form(max_fields=10, max_files=0)
        if not dash.sessions.csrf_ok(session, data.get("csrf")):
            return dash.error(request, 403, "Form expired", "the form's CSRF token is missing "
                              "or does not belong to this session; reload the page", "csrf")
        response = RedirectResponse("/", 303)
        dash.sessions.save(response, dash.sessions.fresh(None))
        return response

    @signin.get("/auth/github")
    async def github(request: Request) -> Response:
        if oauth is None or dash.sessions is None:
            return dash.error(request, 503, "GitHub sign-in is off", "set "
                              "CHARTER_GITHUB_CLIENT_ID and CHARTER_GITHUB_CLIENT_SECRET (and "
                              "CHARTER_SECRET_KEY) to sign in with GitHub", "not-configured")
        state = secrets.token_urlsafe(24)
        back = safe_next(request.query_params.get("next"), "/")
        query = {"client_id": oauth.client_id, "state": state, "scope": "",
                 "redirect_uri": _callback(request, oauth), "allow_signup": "false"}
        response = RedirectResponse(f"{oauth.web_url.rstrip('/')}/login/oauth/authorize?"
                                    f"{urlencode(query)}", 302)
        cookie = dash.sessions.sign({"state": state, "next": back,
                                     "exp": int(time.time()) + OAUTH_MAX_AGE})
        response.set_cookie(OAUTH_COOKIE, cookie, max_age=OAUTH_MAX_AGE, httponly=True,
                            samesite="lax", secure=dash.sessions.secure, path="/auth/github")
        return response

    @signin.get("/auth/github/callback")
    async def callback(request: Request) -> Response:
        if oauth is None or dash.sessions is None:
            return dash.error(request, 503, "GitHub sign-in is off", "GitHub sign-in is not "
                              "configured", "not-configured")
        kept = dash.sessions.unsign(request.cookies.get(OAUTH_COOKIE))
        state = request.query_params.get("state", "")
        code = request.query_params.get("code", "")
        if kept is None or not state or not secrets.compare_digest(str(kept.get("state")),
                                                                  state):
            return dash.error(request, 400, "Sign-in failed", "the sign-in's state does not "
                              "match this browser's (it expired, or the link was not started "
                              "here); start again", "bad-state")
        if not code or len(code) > 200:
            return dash.error(request, 400, "Sign-in failed", "GitHub sent no code "
                              f"({request.query_params.get('error', 'no reason given')[:100]})",
                              "no-code")
        try:
            login = await _github_login(oauth, code, _callback(request, oauth))
        except _OAuthFailed as err:
            return dash.error(request, 502, "Sign-in failed", str(err), "github")
        login = await run_in_threadpool(dash.gov.roster_spelling, login)
        response = RedirectResponse(safe_next(kept.get("next"), "/"), 303)
        response.delete_cookie(OAUTH_COOKIE, path="/auth/github")
        dash.sessions.save(response, dash.sessions.fresh(login, "github"))
        return response

    return signin


class _OAuthFailed(Exception):
    pass


def _callback(request: Request, oauth: GitHubOAuth) -> str:
    base = oauth.public_url.rstrip("/") if oauth.public_url else str(request.base_url).rstrip("/")
    return f"{base}/auth/github/callback"


async def _github_login(oauth: GitHubOAuth, code: str, redirect_uri: str) -> str:
    """Exchange CODE for a token and ask GitHub whose it is."""
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        try:
            answer = await client.post(
                f"{oauth.web_url.rstrip('/')}/login/oauth/access_token",
                json={"client_id": oauth.client_id, "client_secret": oauth.client_secret,
                      "code": code, "redirect_uri": redirect_uri},
                headers={"Accept": "application/json"})
            token = _field(answer, "access_token")
            user = await client.get(f"{oauth.api_url.rstrip('/')}/user",
                                    headers={"Authorization": f"Bearer {token}",
                                             "Accept": "application/vnd.github+json"})
            login = _field(user, "login")
        except httpx.HTTPError as err:
            raise _OAuthFailed(f"GitHub could not be reached ({type(err).__name__})") from None
    if len(login) > 100:
        raise _OAuthFailed("GitHub answered with an unusable login")
    return login


def _field(response: httpx.Response, name: str) -> str:
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    value = data.get(name) if isinstance(data, dict) else None
    if response.status_code != 200 or not isinstance(value, str) or not value:
        why = data.get("error_description") or data.get("error") or data.get("message") \
            if isinstance(data, dict) else None
        raise _OAuthFailed(f"GitHub refused the sign-in ({response.status_code}"
                           f"{': ' + str(why)[:200] if why else ''})")
    return value
