"""Plain YAML scalars read exactly as the round-trip loader (YAML 1.2) reads them.

The kind of a scalar comes from ruamel's own YAML 1.2 rules; the common forms (text, null,
booleans, whole and decimal numbers, ISO dates and times) are built here, and any other form is
`Unsupported`, sending the whole document to the round-trip loader.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from typing import Any

from charter.errors import excerpt
from charter.yamlio import date_problem

_INT = re.compile(r"[-+]?[0-9]{1,18}")
_FLOAT = re.compile(r"[-+]?[0-9]{1,18}\.[0-9]{1,18}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
                   r"(?:Z|[-+][0-9]{2}:[0-9]{2})?")
_TRUE = ("true", "True", "TRUE")


class Unsupported(Exception):
    """The document uses YAML that only the round-trip loader reads exactly; `line` is where,
    when an event of the parser is at hand."""

    def __init__(self, what: str, event: Any = None) -> None:
        super().__init__(what)
        mark = getattr(event, "start_mark", None)
        self.line: int | None = mark.line + 1 if mark is not None else None


class BadScalar(Exception):
    """A scalar YAML reads but Charter refuses, as the round-trip reader does (a date that does
    not exist, or a year outside those Charter reads)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@cache
def resolvers() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    """ruamel's YAML 1.2 implicit resolvers by first character: the same reading of scalars.

    A plain scalar whose first character is not a key here is text.
    """
    from ruamel.yaml.resolver import Resolver

    return {first: tuple((tag, re.compile(rule.pattern, rule.flags)) for tag, rule in rules)
            for first, rules in Resolver.yaml_implicit_resolvers.items()}


def scalar(value: str) -> Any:
    """A plain (unquoted) scalar's value, as the round-trip loader reads it."""
    rules = resolvers().get(value[:1])
    if rules is None:
        return value
    # The usual forms first; each matches no rule that ruamel's order would try before it.
    if _TIME.fullmatch(value) or _DATE.fullmatch(value):
        return _timestamp(value)
    if _INT.fullmatch(value):
        return int(value)
    tag = next((t for t, regexp in rules if regexp.match(value)), None)
    if tag is None or tag.endswith(":str"):
        return value
    kind = tag.rpartition(":")[2]
    if kind == "null":
        return None
    if kind == "bool":
        return value in _TRUE
    if kind == "int" and _INT.fullmatch(value):
        return int(value)
    if kind == "float" and _FLOAT.fullmatch(value):
        return float(value)
    raise Unsupported(f"the value {excerpt(value)}")


def _timestamp(value: str) -> date | datetime:
    try:
        moment: date = date.fromisoformat(value) if len(value) == 10 else \
            datetime.fromisoformat(value.replace("Z", "+00:00").replace("t", "T"))
    except ValueError as err:
        raise BadScalar(f"{excerpt(value)} reads as a date but no such date exists ({err}); "
                        "write a real date, or quote the value if it is meant as text") from None
    problem = date_problem(moment, value)
    if problem:
        raise BadScalar(problem)
    return moment
