"""Errors that reach a person: each names where the problem is and what to do."""

from __future__ import annotations

import re
from collections.abc import Sequence

#: How much of one input value a message may quote (`excerpt`).
QUOTE_LIMIT = 200
#: How long one problem's message, file name or field may be once stored: a message that quotes
#: inputs without `excerpt` is cut in the middle, so the advice at its end survives.
MESSAGE_LIMIT = 600
NAME_LIMIT = 200
#: How many problems one error lists; a hostile file could hold thousands.
PROBLEM_LIMIT = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LONG_WORD = re.compile(rf"\S{{{QUOTE_LIMIT + 1},}}")


def excerpt(value: object, limit: int = QUOTE_LIMIT) -> str:
    """VALUE quoted as Python writes it (`'text'`), cut after LIMIT characters with an ellipsis."""
    text = repr(value[:limit + 1] if isinstance(value, str | bytes) else value)
    return text if len(text) <= limit else text[:limit] + "…"


def shorten(text: str, limit: int) -> str:
    """TEXT on one line (control characters escaped), any run without spaces cut after
    QUOTE_LIMIT characters, and its middle cut when still over LIMIT."""
    text = _CONTROL.sub(lambda m: repr(m[0])[1:-1], text)
    text = _LONG_WORD.sub(lambda m: m[0][:QUOTE_LIMIT] + "…", text)
    if len(text) <= limit:
        return text
    tail = limit // 3
    return text[:limit - tail - 3] + " … " + text[-tail:]


class CharterError(Exception):
    """Bad input or bad usage: printed as one line per problem, exit code 2, never a traceback.

    What an input contributes is capped here, whatever the caller wrote: a message, file name or
    field is kept to one line of bounded length, so no error can repeat a whole file.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None, more: Sequence[CharterError] = ()) -> None:
        self.message = shorten(message, MESSAGE_LIMIT)
        self.file = shorten(file, NAME_LIMIT) if file else file
        self.line = line
        self.field = shorten(field, NAME_LIMIT) if field else field
        self.more = tuple(more)
        super().__init__(self.render())

    @property
    def problems(self) -> tuple[CharterError, ...]:
        """This problem and the ones found with it, in the order they were found."""
        return (self, *self.more)

    def render_one(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"

    def lines(self) -> list[str]:
        """One line per problem, at most PROBLEM_LIMIT of them and a count of the rest."""
        shown = [p.render_one() for p in self.problems[:PROBLEM_LIMIT]]
        rest = len(self.problems) - len(shown)
        if rest:
            shown.append(f"... and {rest} more problem(s); fix these and run again")
        return shown

    def render(self) -> str:
        return "\n".join(self.lines())


def gather(problems: Sequence[CharterError]) -> CharterError:
    """One error carrying every problem of PROBLEMS (at least one), in order."""
    first, *rest = problems
    return CharterError(first.message, file=first.file, line=first.line, field=first.field,
                        more=[*first.more, *rest])
