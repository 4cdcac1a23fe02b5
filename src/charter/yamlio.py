"""Reading YAML for people: errors name file:line, duplicate keys are refused, positions kept."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from charter.errors import CharterError

Locations = dict[tuple[Any, ...], tuple[str, int]]


def parse_yaml(text: str, file: str) -> Any:
    """Parse TEXT as YAML (round-trip, so positions survive); malformed input names its line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except DuplicateKeyError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        key = (err.problem or "").split('"')[1] if '"' in (err.problem or "") else ""
        raise CharterError(f"duplicate key {key!r}; each key may appear once in a mapping "
                           "(remove or merge the repeated one)", file=file, line=line) from None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        what = err.problem or err.context or "malformed YAML"
        raise CharterError(f"malformed YAML: {what}", file=file, line=line) from None
    except YAMLError as err:
        raise CharterError(f"malformed YAML: {err}", file=file) from None


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file; a missing or unreadable file is a clear error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CharterError("no such file; check the path", file=str(path)) from None
    except IsADirectoryError:
        raise CharterError("is a folder, not a YAML file", file=str(path)) from None
    except UnicodeDecodeError:
        raise CharterError("not UTF-8 text; save the file as UTF-8", file=str(path)) from None
    except OSError as err:
        raise CharterError(f"cannot read: {err.strerror}", file=str(path)) from None
    return parse_yaml(text, str(path))


def locate(node: Any, file: str, prefix: tuple[Any, ...] = (), into: Locations | None = None
           ) -> Locations:
    """Map every key path in a round-trip YAML tree to (file, 1-based line)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    out: Locations = {} if into is None else into
    if not prefix and () not in out and isinstance(node, CommentedMap | CommentedSeq):
        # The document's own position: where a problem with the whole mapping is reported.
        out[()] = (file, node.lc.line + 1)
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            try:
                line = node.lc.key(key)[0] + 1
            except (KeyError, TypeError, AttributeError):
                line = out.get(prefix, (file, 0))[1]
            out[(*prefix, str(key))] = (file, line)
            locate(value, file, (*prefix, str(key)), out)
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            try:
                line = node.lc.item(index)[0] + 1
            except (KeyError, TypeError, AttributeError):
                line = out.get(prefix, (file, 0))[1]
            out[(*prefix, index)] = (file, line)
            locate(value, file, (*prefix, index), out)
    return out


def plain(node: Any) -> Any:
    """Round-trip YAML nodes as plain Python: dicts, lists, str, int, float, date, datetime."""
    if isinstance(node, Mapping):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [plain(v) for v in node]
    if isinstance(node, datetime):
        return datetime(node.year, node.month, node.day, node.hour, node.minute, node.second,
                        node.microsecond, tzinfo=node.tzinfo)
    if isinstance(node, date):
        return date(node.year, node.month, node.day)
    # ruamel's scalar subclasses (ScalarString, ScalarInt, ...) become their plain base type.
    if isinstance(node, bool):
        return bool(node)
    for kind in (str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


def where(locations: Locations, path: tuple[Any, ...]) -> tuple[str | None, int | None]:
    """The closest known position for PATH (its longest located prefix)."""
    for cut in range(len(path), -1, -1):
        hit = locations.get(tuple(path[:cut]))
        if hit:
            return hit
    return None, None
