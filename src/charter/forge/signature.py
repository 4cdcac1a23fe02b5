"""Webhook signatures as GitHub makes them: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: bytes, body: bytes) -> str:
    """The header value GitHub sends for BODY under SECRET."""
    return PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether HEADER signs BODY under SECRET, compared in constant time."""
    if not header or not header.startswith(PREFIX) or len(header) != len(PREFIX) + 64:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.encode("ascii", "replace"))
