"""What the flag finders share: the Flag record and the rule that marks a flag experimental."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

from charter.errors import CharterError

FlagValue: TypeAlias = "bool | int | float | str | tuple[FlagValue, ...] | None"


class Unresolved(Exception):
    """An expression whose value cannot be known from the file (or package) alone."""


class FlagSyntaxError(CharterError):
    """A source file that cannot be parsed, so its flags cannot be found."""


@dataclass(frozen=True, slots=True)
class Flag:
    """A command-line flag or feature gate found in source code.

    `default` is the resolved default (None also when unknown: see `default_known`); `how` says
    which API defined it; `why_experimental` says which rule made it experimental.
    """

    name: str
    default: FlagValue
    kind: str
    path: str
    line: int
    experimental: bool
    how: str
    default_known: bool = True
    name_known: bool = True
    help: str | None = None
    why_experimental: str | None = None


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def name_has_marker(name: str, marker: str) -> bool:
    """The name contains the marker, ignoring case, dashes and underscores."""
    return _squash(marker) in _squash(name)


def path_marker(path: str, marker: str) -> str | None:
    """The folder or file name in PATH that marks everything in it experimental, if any."""
    parts = path.split("/")
    parts[-1] = parts[-1].rsplit(".", 1)[0]
    return next((p for p in parts if name_has_marker(p, marker)), None)


def why_experimental(*, name: str | None, marker: str, help: str | None = None,
                     path: str | None = None, prerelease: str | None = None,
                     group: str | None = None, package: str | None = None) -> str | None:
    """The first reason, in the order the module docstring of `flags` gives, or None."""
    if name is not None and name_has_marker(name, marker):
        return f"its name contains {marker!r}"
    if help and re.search(rf"\b{re.escape(marker)}\b", help, re.IGNORECASE):
        return f"its help text says {marker!r}"
    if prerelease is not None and prerelease.strip('"').upper() == "ALPHA":
        return "its feature gate is Alpha"
    if group and re.search(rf"\b{re.escape(marker)}\b", group, re.IGNORECASE):
        return f"it is in the argument group {group!r}"
    if package and name_has_marker(package, marker):
        return f"its Go package {package!r} is marked {marker!r}"
    if path is not None:
        part = path_marker(path, marker)
        if part is not None:
            return f"it is defined under {part!r}, marked {marker!r}"
    return None
