"""Templates, content negotiation and the pieces every page shares (who is signed in, CSRF)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from charter.scenario.fields import VERBS
from charter.store.projects import Governance
from charter.web.session import Session, Sessions

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"


def wants_json(request: Request) -> bool:
    """True when the client asks for JSON rather than a page (`Accept: application/json`)."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _when(value: str | None) -> str:
    """An ISO instant as readable UTC text (the script shows it in the viewer's zone)."""
    if not value:
        return ""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class Dashboard:
    """What the pages share: the governance, sessions, templates, settings."""

    gov: Governance
    sessions: Sessions | None
    github_oauth: bool = False

    def __post_init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(TEMPLATES),
                               autoescape=select_autoescape(["html"]), trim_blocks=True,
                               lstrip_blocks=True, auto_reload=False)
        self.env.filters["when"] = _when
        self.version = _fingerprint()

    def session(self, request: Request) -> Session | None:
        return None if self.sessions is None else self.sessions.load(request)

    def page(self, request: Request, template: str, context: dict[str, Any],
             status: int = 200, session: Session | None = None) -> Response:
        """TEMPLATE rendered for the request's visitor, with the cookie set if it is new."""
        session = session or self.session(request)
        csrf = self.sessions.csrf_token(session) if self.sessions and session else None
        html = self.env.get_template(template).render(
            request=request, login=session.login if session else None, csrf=csrf,
            signin_enabled=self.sessions is not None, github_oauth=self.github_oauth,
            version=self.version, path=request.url.path, verbs=VERBS, **context)
        response = HTMLResponse(html, status)
        if self.sessions is not None and session is not None and session.new:
            self.sessions.save(response, session)
        return response

    def error(self, request: Request, status: int, title: str, message: str,
              code: str = "refused") -> Response:
        """An error as a page, or as the API's error JSON when JSON was asked for."""
        if wants_json(request) or request.url.path.startswith("/api/"):
            return JSONResponse({"error": {"code": code, "message": message[:2000]}}, status)
        return self.page(request, "error.html", {"title": title, "message": message}, status)


def as_json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status,
                    media_type="application/json")
