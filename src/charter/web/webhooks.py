"""`POST /webhooks/github`: checked (signature, size, JSON) before anything is stored, stored
once by its delivery id, acknowledged; the worker does the rest."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from charter.forge import inbox, payload, signature
from charter.store import queue
from charter.store.db import writing
from charter.store.projects import Governance

PATH = "/webhooks/github"
_GUID = re.compile(r"[A-Za-z0-9-]{1,100}")
_EVENT = re.compile(r"[a-z_]{1,60}")


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status)


async def _body(request: Request) -> bytes | None:
    """The body, or None as soon as it passes the cap (declared or actual)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > payload.MAX_BODY):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > payload.MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def router(gov: Governance, secret: bytes | None) -> APIRouter:
    """The webhook route; without SECRET every delivery is refused (nothing can be checked)."""
    hooks = APIRouter()

    @hooks.post(PATH, include_in_schema=False)
    async def github(request: Request) -> Any:
        if secret is None:
            return _error(503, "not-configured", "webhooks are off: set CHARTER_WEBHOOK_SECRET "
                          "to the App's webhook secret")
        body = await _body(request)
        if body is None:
            return _error(413, "too-large", f"webhook bodies are at most {payload.MAX_BODY} "
                          "bytes")
        if not signature.verify(secret, body, request.headers.get("x-hub-signature-256")):
            return _error(401, "bad-signature", "X-Hub-Signature-256 does not sign this body "
                          "with the webhook secret")
        try:
            data = payload.parse(body)
        except payload.BadPayload as err:
            return _error(400, "bad-payload", str(err))
        guid = request.headers.get("x-github-delivery", "")
        event = request.headers.get("x-github-event", "")
        if not _GUID.fullmatch(guid) or not _EVENT.fullmatch(event):
            return _error(400, "bad-headers", "X-GitHub-Delivery and X-GitHub-Event must name "
                          "the delivery and its event")
        new = await run_in_threadpool(_store, gov, guid, event, data)
        if not new:
            return JSONResponse({"delivery": guid, "status": "duplicate"}, 200)
        status = "queued" if event in payload.HANDLED else "ignored"
        return JSONResponse({"delivery": guid, "status": status}, 202)

    return hooks


def _store(gov: Governance, guid: str, event: str, data: dict[str, Any]) -> bool:
    with writing(gov.db) as conn:
        stored = inbox.store(conn, guid, event, data, gov.clock())
        if stored and event in payload.HANDLED:
            queue.announce(conn)  # workers in other processes wake at the commit
    if stored:
        queue.ring()  # committed: an in-process worker may start on it now
    return stored
