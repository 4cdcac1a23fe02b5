"""An effect a delivery calls for, to be queued in the transaction that marks it processed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outbound:
    """An effect to queue: `enqueue(conn, project_id, kind, dedupe, ordering_key, payload)`."""

    project_id: int
    kind: str
    dedupe: str
    ordering_key: str
    payload: dict[str, Any]
