"""Shared output helpers: JSON to stdout, rich tables for people."""

from __future__ import annotations

import json
from typing import Any

import click


def emit_json(data: Any) -> None:
    """DATA as indented JSON on stdout, written in pieces: a large state is never held twice
    (indented encoding makes millions of small strings)."""
    pieces: list[str] = []
    for piece in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(data):
        pieces.append(piece)
        if len(pieces) >= 8192:
            click.echo("".join(pieces), nl=False)
            pieces.clear()
    click.echo("".join(pieces))


def console() -> Any:
    import os
    import sys

    from rich.console import Console

    class QuietConsole(Console):
        def on_broken_pipe(self) -> None:
            # `charter simulate | head` is a normal way to read: end quietly, exit 0, as git does.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise SystemExit(0)

    # Piped output keeps long reasons on one line instead of rich's 80-column default.
    width = None if sys.stdout.isatty() else 160
    return QuietConsole(highlight=False, soft_wrap=False, width=width)
