"""A finding: one thing a check found, in the shape `charter check --json` prints."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by a check; `rule` is stable, `message` says what to do."""

    check: str
    rule: str
    message: str
    severity: Severity = "error"
    commit: str | None = None
    path: str | None = None
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: data[k] for k in ("check", "severity", "commit", "path", "line", "rule",
                                     "message")}
