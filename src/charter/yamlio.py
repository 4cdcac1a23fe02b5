"""Reading YAML for people: errors name file:line, duplicate keys are refused, positions kept.

Every file may be hostile, so reading is bounded: a size cap, a cap on what aliases expand to,
a nesting limit, and dates that exist and fall in the years Charter can compute with.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from charter.errors import CharterError, excerpt

Locations = dict[tuple[Any, ...], tuple[str, int]]

#: The largest policy or scenario file read, in bytes. Real ones are a few kilobytes; the pure
#: Python round-trip parser takes about 1.5 s for this much (bench/bench_yamlio.py).
MAX_YAML_BYTES = 256 * 1024
#: What a document may expand to once aliases are followed: nodes, characters of text, depth.
#: Without aliases a file under MAX_YAML_BYTES stays well below the first two.
MAX_NODES = 200_000
MAX_CHARS = 1_000_000
MAX_DEPTH = 64
#: Dates and times outside these years are refused: far from Python's limits (years 1 to
#: 9999), so zone conversions and the policy's windows never leave the calendar.
FIRST_YEAR = 1900
LAST_YEAR = 2999


class _BadValue(Exception):
    """A scalar YAML could read but Charter cannot use, at a 1-based line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def date_problem(value: date, written: str | None = None) -> str | None:
    """Why the date or time VALUE (as WRITTEN) cannot be used, or None: its year must be
    FIRST_YEAR to LAST_YEAR."""
    if FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    return (f"{excerpt(written) if written else value.isoformat()} is outside the years "
            f"Charter reads ({FIRST_YEAR} to {LAST_YEAR}); write a date in that range")


def _constructor() -> type[Any]:
    from ruamel.yaml.constructor import RoundTripConstructor

    class Constructor(RoundTripConstructor):
        """Round-trip construction whose timestamps must exist and be in range."""

        def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
            line = node.start_mark.line + 1 if node.start_mark else None
            try:
                value = super().construct_yaml_timestamp(node, values)
            except (ValueError, OverflowError) as err:
                raise _BadValue(f"{excerpt(node.value)} reads as a date but no such date "
                                f"exists ({err}); write a real date, or quote the value if it "
                                "is meant as text", line) from None
            problem = date_problem(value, node.value) if isinstance(value, date) else None
            if problem:
                raise _BadValue(problem, line)
            return value

    Constructor.add_constructor("tag:yaml.org,2002:timestamp",
                                Constructor.construct_yaml_timestamp)
    return Constructor


def _scanner() -> type[Any]:
    from ruamel.yaml.scanner import RoundTripScanner

    class Scanner(RoundTripScanner):
        """Round-trip scanning that stops at MAX_DEPTH levels of nesting, before the scanner's
        per-level bookkeeping makes deep flow nesting cost quadratic time."""

        def fetch_flow_collection_start(self, token_class: Any, to_push: Any) -> None:
            if len(self.flow_context) >= MAX_DEPTH:
                raise _BadValue(_too_deep(), self.reader.get_mark().line + 1)
            super().fetch_flow_collection_start(token_class, to_push)

        def add_indent(self, column: int) -> bool:
            if len(self.indents) >= MAX_DEPTH:
                raise _BadValue(_too_deep(), self.reader.get_mark().line + 1)
            return bool(super().add_indent(column))

    return Scanner


_CONSTRUCTOR: type[Any] | None = None
_SCANNER: type[Any] | None = None


def parse_yaml(text: str, file: str) -> Any:
    """Parse TEXT as YAML (round-trip, so positions survive); malformed input names its line."""
    global _CONSTRUCTOR, _SCANNER
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if len(text) > MAX_YAML_BYTES:
        raise CharterError(_too_big(len(text)), file=file)
    if _CONSTRUCTOR is None or _SCANNER is None:
        _CONSTRUCTOR, _SCANNER = _constructor(), _scanner()
    yaml = YAML(typ="rt")
    yaml.Constructor = _CONSTRUCTOR
    yaml.Scanner = _SCANNER
    yaml.allow_duplicate_keys = False
    # YAML lets an anchor be defined again (an alias names the latest), as PyYAML and go-yaml
    # read it; ruamel's warning would print library lines that quote the input.
    yaml.composer.warn_double_anchors = False
    try:
        node = yaml.load(text)
    except _BadValue as err:
        raise CharterError(err.message, file=file, line=err.line) from None
    except RecursionError:  # the scanner's limits make this rare: a deep caller's stack
        raise CharterError(_too_deep(), file=file) from None
    except DuplicateKeyError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        key = (err.problem or "").split('"')[1] if '"' in (err.problem or "") else ""
        raise CharterError(f"duplicate key {excerpt(key)}; each key may appear once in a "
                           "mapping (remove or merge the repeated one)", file=file,
                           line=line) from None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        what = err.problem or err.context or "malformed YAML"
        raise CharterError(f"malformed YAML: {what}", file=file, line=line) from None
    except YAMLError as err:
        raise CharterError(f"malformed YAML: {err}", file=file) from None
    limit_expansion(node, file=file)
    return node


def _too_big(size: int) -> str:
    return (f"is {size:,} bytes, over the {MAX_YAML_BYTES:,}-byte limit for a policy or "
            "scenario file; real ones are a few kilobytes, so check that this is the right file")


def _too_deep() -> str:
    return (f"nested more than {MAX_DEPTH} levels deep; no policy or scenario needs that many, "
            "so flatten it")


def limit_expansion(data: Any, *, file: str | None = None, max_nodes: int = MAX_NODES,
                    max_chars: int = MAX_CHARS, max_depth: int = MAX_DEPTH) -> None:
    """Refuse DATA (any YAML loader's output: ruamel, PyYAML) whose aliases expand past
    MAX_NODES nodes or MAX_CHARS characters, that nests deeper than MAX_DEPTH, or refers to
    itself. Linear in the file: a shared node is measured once, not once per alias."""
    measured: dict[int, tuple[int, int, int]] = {}  # id -> (nodes, characters, depth)
    entered: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            nodes, chars, depth = 1, 0, 0
            for child in _children(node):
                n, c, d = measured[id(child)] if _is_container(child) else _leaf(child)
                nodes, chars, depth = nodes + n, chars + c, max(depth, d)
            entered.discard(key)
            measured[key] = (nodes, chars, depth + 1)
            if nodes > max_nodes or chars > max_chars:
                raise CharterError(
                    f"this expands to {nodes:,} values and {chars:,} characters of text once "
                    f"aliases (*name) are followed, over the limits of {max_nodes:,} values "
                    f"and {max_chars:,} characters; write the values out instead of nesting "
                    "aliases", file=file, line=_line(node))
            if depth + 1 > max_depth:
                raise CharterError(_too_deep(), file=file, line=_line(node))
            continue
        if key in measured:
            continue
        if key in entered:
            raise CharterError("an alias refers to a mapping or list that contains it, which "
                               "never ends; write the values out instead", file=file,
                               line=_line(node))
        entered.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node)
                     if _is_container(child) and id(child) not in measured)


def _is_container(node: Any) -> bool:
    return isinstance(node, Mapping | list | tuple)


def _children(node: Any) -> list[Any]:
    if isinstance(node, Mapping):
        return [*node.keys(), *node.values()]
    if isinstance(node, list | tuple):
        return list(node)
    return []


def _leaf(node: Any) -> tuple[int, int, int]:
    return 1, len(node) if isinstance(node, str | bytes) else 0, 0


def _line(node: Any) -> int | None:
    line = getattr(getattr(node, "lc", None), "line", None)
    return line + 1 if isinstance(line, int) else None


def read_text(path: Path, max_bytes: int = MAX_YAML_BYTES) -> str:
    """The UTF-8 text of the regular file PATH, refused when larger than MAX_BYTES."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise CharterError("is a folder, not a YAML file; name the file in it",
                               file=str(path))
        if not stat.S_ISREG(info.st_mode):
            raise CharterError("is not a regular file (a device, pipe or socket); name a YAML "
                               "file", file=str(path))
        if info.st_size > max_bytes:
            raise CharterError(_too_big(info.st_size), file=str(path))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise CharterError("no such file; check the path", file=str(path)) from None
    except OSError as err:
        raise CharterError(f"cannot be read: {err.strerror}", file=str(path)) from None
    if len(data) > max_bytes:
        raise CharterError(_too_big(len(data)), file=str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CharterError("is not UTF-8 text; save the file as UTF-8", file=str(path)) from None


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file; a missing, unreadable or oversized file is a clear error."""
    return parse_yaml(read_text(path), str(path))


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
