"""Signing in and out: local accounts, cookie flags, and GitHub's OAuth flow against the fake
GitHub on loopback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from charter.cli.demo_project import seed
from charter.store.db import connect, upgrade
from charter.store.projects import Governance
from charter.store.settings import load_settings
from charter.web.session import COOKIE
from tests.forge.fake_github import FakeGitHub
from tests.forge.fake_github import serve as serve_github
from tests.store.conftest import KEY, Clock
from tests.web.conftest import DEMO, Demo, Service, Visitor, serve

CLIENT_ID, CLIENT_SECRET = "Iv1.charter-test", "oauth-secret-for-tests"


def test_sign_in_and_out(demo: Demo) -> None:
    visitor = demo.visitor()
    assert "Signed in as" not in visitor.get("/").text
    answer = visitor.post("/signin", {"login": "ada", "password": demo.passwords["ada"],
                                      "next": f"/projects/{DEMO}"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/projects/{DEMO}"
    assert '<strong id="signed-in-as">ada</strong>' in visitor.get("/").text
    out = visitor.post("/signout", {}, page="/")
    assert out.status_code == 303
    assert "Signed in as" not in visitor.get("/").text


@pytest.mark.parametrize("typed", ["ada", "ADA", "Ada"])
def test_local_logins_are_case_insensitive(demo: Demo, typed: str) -> None:
    visitor = demo.visitor()
    answer = visitor.post("/signin", {"login": typed, "password": demo.passwords["ada"]})
    assert answer.status_code == 303
    assert '<strong id="signed-in-as">ada</strong>' in visitor.get("/").text


@pytest.mark.parametrize(("login", "password"), [
    ("ada", "wrong password"), ("nobody", "whatever-password"), ("", ""),
    ("ada", "x" * 5000),
])
def test_wrong_credentials_are_refused(demo: Demo, login: str, password: str) -> None:
    visitor = demo.visitor()
    answer = visitor.post("/signin", {"login": login, "password": password})
    assert answer.status_code == 401 and "do not match" in answer.text
    assert "Signed in as" not in visitor.get("/").text


def test_the_session_cookie_is_signed_httponly_and_lax(demo: Demo) -> None:
    answer = demo.visitor("ada").sign_in("ada", demo.passwords["ada"])
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Max-Age=" in cookie and "Secure" not in cookie
    forged = Visitor(demo.svc.base)
    value = cookie.split(";")[0].split("=", 1)[1]
    body, mac = value.split(".")
    forged.http.cookies.set(COOKIE, f"{body}x.{mac}")
    assert "Signed in as" not in forged.get("/").text


def test_the_next_page_stays_on_this_site(demo: Demo) -> None:
    visitor = demo.visitor()
    answer = visitor.post("/signin", {"login": "ada", "password": demo.passwords["ada"],
                                      "next": "https://evil.example/"})
    assert answer.headers["location"] == "/"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(b"", "0", oauth_clients={CLIENT_ID: CLIENT_SECRET})
    server, thread = serve_github(fake)
    try:
        yield fake
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def oauth_service(tmp_path: Path, github: FakeGitHub) -> Iterator[Service]:
    db = connect(f"sqlite:///{tmp_path / 'charter.db'}")
    upgrade(db)
    clock = Clock()
    gov = Governance(db, KEY, clock=clock)
    seed(gov, clock.now)
    settings = dataclasses.replace(
        load_settings(environ={}), github_client_id=CLIENT_ID,
        github_client_secret=CLIENT_SECRET, github_web_url=github.url,
        github_api_url=github.url)
    yield from serve(gov, {}, settings)


def _start(visitor: Visitor) -> tuple[str, str]:
    """Follow "Sign in with GitHub" to GitHub's authorize page; its state and redirect."""
    answer = visitor.get("/auth/github?next=/projects/rocket/rocket/people")
    assert answer.status_code == 302
    where = urlsplit(answer.headers["location"])
    query = parse_qs(where.query)
    assert where.path == "/login/oauth/authorize" and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"][0].endswith("/auth/github/callback")
    return query["state"][0], query["redirect_uri"][0]


def test_github_sign_in(oauth_service: Service, github: FakeGitHub) -> None:
    visitor = Visitor(oauth_service.base)
    assert "Sign in with GitHub" in visitor.get("/signin").text
    state, redirect = _start(visitor)
    code = github.authorize("femi")
    back = visitor.get(f"/auth/github/callback?code={code}&state={state}")
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/projects/rocket/rocket/people"
    assert '<strong id="signed-in-as">femi</strong>' in visitor.get("/").text
    exchanged = [r for r in github.requests if r.path == "/login/oauth/access_token"]
    assert exchanged[0].body["redirect_uri"] == redirect
    assert exchanged[0].body["client_secret"] == CLIENT_SECRET
    # The code is spent: replaying the callback signs nobody in.
    again = Visitor(oauth_service.base)
    state2, _ = _start(again)
    assert again.get(f"/auth/github/callback?code={code}&state={state2}").status_code == 502


@pytest.mark.parametrize(("github_login", "signed_in"), [
    ("FEMI", "femi"), ("Femi", "femi"), ("femi", "femi"), ("Stranger-1", "Stranger-1"),
])
def test_github_logins_take_the_rosters_spelling(oauth_service: Service, github: FakeGitHub,
                                                 github_login: str, signed_in: str) -> None:
    """GitHub logins are case-insensitive: FEMI on GitHub is femi on the roster, so she acts
    as femi; a login no roster knows keeps GitHub's spelling."""
    visitor = Visitor(oauth_service.base)
    state, _ = _start(visitor)
    code = github.authorize(github_login)
    assert visitor.get(f"/auth/github/callback?code={code}&state={state}").status_code == 303
    assert f'<strong id="signed-in-as">{signed_in}</strong>' in visitor.get("/").text
    # The engine knows her: an upvote from the mapped login is hers, not a stranger's.
    answer = visitor.post(f"/projects/{DEMO}/act", {"do": "upvote", "id": "RFC-3"})
    assert answer.status_code == 303
    last = visitor.get(f"/api/v1/projects/{DEMO}/events").json()["events"][-1]
    assert last["command"]["by"] == signed_in and last["rejected"] is None


@pytest.mark.parametrize("tamper", ["wrong-state", "no-cookie", "no-code"])
def test_github_sign_in_checks_its_state(oauth_service: Service, github: FakeGitHub,
                                         tamper: str) -> None:
    visitor = Visitor(oauth_service.base)
    state, _ = _start(visitor)
    code = github.authorize("femi")
    if tamper == "wrong-state":
        state = state[:-1] + ("A" if state[-1] != "A" else "B")
    if tamper == "no-cookie":
        visitor.http.cookies.clear()
    query = f"state={state}" + ("" if tamper == "no-code" else f"&code={code}")
    answer = visitor.get(f"/auth/github/callback?{query}")
    assert answer.status_code == 400
    assert "Signed in as" not in visitor.get("/").text


def test_github_sign_in_is_off_without_settings(demo: Demo) -> None:
    visitor = demo.visitor()
    assert "Sign in with GitHub" not in visitor.get("/signin").text
    assert visitor.get("/auth/github").status_code == 503
