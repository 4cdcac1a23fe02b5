"""Shared output helpers: JSON to stdout, rich tables for people."""

from __future__ import annotations

import json
from typing import Any

import click


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def console() -> Any:
    import sys

    from rich.console import Console

    # Piped output keeps long reasons on one line instead of rich's 80-column default.
    width = None if sys.stdout.isatty() else 160
    return Console(highlight=False, soft_wrap=False, width=width)
