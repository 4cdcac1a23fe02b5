"""Progress lines for large documents: the command line listens, the library only reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["LARGE_BYTES", "listening", "report"]

#: Documents at least this large (4 MB) get progress lines: they take seconds, not a blink.
LARGE_BYTES = 4 * 1000 * 1000

_LISTENER: ContextVar[Callable[[str], None] | None] = ContextVar("apidiff_progress",
                                                                 default=None)


def report(message: str) -> None:
    """Tell the listener, if any, what apidiff is doing now."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(message)


@contextmanager
def listening(listener: Callable[[str], None]) -> Iterator[None]:
    """Send progress to LISTENER while the block runs."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)
