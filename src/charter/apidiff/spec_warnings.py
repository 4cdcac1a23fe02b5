"""Warnings about an OpenAPI document that can still be compared, and short excerpts of input."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["EXCERPT", "MAX_WARNINGS", "SpecWarning", "capped", "excerpt", "pointer"]

#: The most characters of any one input value that a message quotes.
EXCERPT = 80
#: Warnings kept per document; past it one more warning says how many were left out.
MAX_WARNINGS = 100


@dataclass(frozen=True, slots=True)
class SpecWarning:
    """A problem in one document that did not prevent the comparison, and where it is."""

    id: str  # "openapi-invalid", "ref-outside-document", "ref-dangling", "ref-cycle", ...
    location: str  # a JSON pointer into the document, as a `$ref` would write it
    message: str
    spec: str = ""  # the document's file or REV:path

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "spec": self.spec, "location": self.location,
                "message": self.message}

    @classmethod
    def from_json(cls, data: Any) -> SpecWarning | None:
        """The warning stored as DATA (by `to_json`), or None when DATA is not one."""
        if not isinstance(data, dict):
            return None
        fields = [data.get(k) for k in ("id", "location", "message", "spec")]
        texts = [f for f in fields if isinstance(f, str)]
        return cls(*texts) if len(texts) == len(fields) else None

    def render(self) -> str:
        return f"{self.location}: {self.message}"


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    """VALUE as text, cut to LIMIT characters with `...` when longer."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def pointer(parts: Iterable[Any]) -> str:
    """The JSON pointer `#/a/b~1c` to the node at PARTS, each part cut to a short excerpt."""
    escaped = [excerpt(str(p)).replace("~", "~0").replace("/", "~1") for p in parts]
    text = "#/" + "/".join(escaped) if escaped else "#"
    # deep places keep their start and their end, where the problem is
    return text if len(text) <= 400 else text[:150] + "..." + text[-247:]


def capped(warnings: list[SpecWarning], label: str) -> list[SpecWarning]:
    """At most MAX_WARNINGS of WARNINGS, plus one saying how many more there were."""
    if len(warnings) <= MAX_WARNINGS:
        return warnings
    more = len(warnings) - MAX_WARNINGS
    return [*warnings[:MAX_WARNINGS],
            SpecWarning("more-warnings", "#", f"{more} more warning(s) not listed", label)]
