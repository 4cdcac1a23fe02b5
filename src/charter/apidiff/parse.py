"""Parsing OpenAPI text (YAML or JSON) into plain data, safely: every input may be hostile.

YAML is built straight from libyaml's event stream: faster than PyYAML's node graph and
constructor, and the one place where nesting depth, alias expansion ("billion laughs") and
duplicate keys are checked, each refused with the line it happens on. Scalars mean what
PyYAML's safe loader makes of them, except that mapping keys and timestamps stay text
(`200:` and `2024-01-01` are strings in OpenAPI).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml
from yaml import events as ev

from charter.errors import CharterError

__all__ = ["HAS_C_LOADER", "MAX_ALIAS_EXPANSION", "MAX_DEPTH", "parse_document", "paused_gc"]

#: Deepest nesting of mappings and sequences accepted; real specs stay far below it.
MAX_DEPTH = 128
#: Aliases may expand a document to this many times its written nodes, plus ALIAS_ALLOWANCE.
MAX_ALIAS_EXPANSION = 10
ALIAS_ALLOWANCE = 100_000

# The C parser is several times faster on megabyte specs; fall back when libyaml is missing.
_CParser: Any = getattr(yaml, "CSafeLoader", None)
HAS_C_LOADER = _CParser is not None

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP_TAGS = frozenset({None, "!", "tag:yaml.org,2002:map"})
_SEQ_TAGS = frozenset({None, "!", "tag:yaml.org,2002:seq"})
_SCALAR_TAGS = frozenset({"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool",
                          "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
# YAML's `=` and `!`/`&`/`*` scalars, which PyYAML resolves to tags it has no value for
_TEXT_TAGS = frozenset({"tag:yaml.org,2002:value", "tag:yaml.org,2002:yaml"})
_RESOLVERS: dict[str | None, list[tuple[str, Any]]] = yaml.resolver.Resolver.yaml_implicit_resolvers
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_NO_KEY = object()


class _Nested(Exception):
    """JSON nested deeper than MAX_DEPTH (or than Python can read)."""


class _Duplicate(Exception):
    """A JSON object repeats a key; the YAML pass reports it with its line."""


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block runs (plain data has no cycles).

    Building or walking millions of containers triggers it again and again, each pass walking
    everything built so far: a 50 MB spec took minutes instead of seconds.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_document(text: str, label: str, *, c_loader: bool = True) -> dict[str, Any]:
    """Parse YAML or JSON TEXT into a mapping; errors name LABEL and the line."""
    with paused_gc():
        return _parse(text, label, c_loader)


def _parse(text: str, label: str, c_loader: bool) -> dict[str, Any]:
    if text.lstrip().startswith("{"):
        # JSON is YAML, but the json module reads it an order of magnitude faster.
        try:
            return _require_mapping(_parse_json(text), label)
        except _Nested:
            raise _too_deep(label, None) from None
        except (ValueError, _Duplicate):
            pass  # the YAML pass reads it too, and names the line of the problem
    return _require_mapping(_parse_yaml(text, label, c_loader), label)


def _require_mapping(data: Any, label: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CharterError("not an OpenAPI document: expected a mapping with `openapi`, `info` "
                           "and `paths` at the top", file=label)
    return data


def _too_deep(label: str, line: int | None) -> CharterError:
    return CharterError(f"nested more than {MAX_DEPTH} levels deep; an OpenAPI document "
                        "never needs that much (is it generated wrongly?)", file=label, line=line)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Duplicate
    return found


def _parse_json(text: str) -> Any:
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise _Nested from None
    # the json module nests as deep as Python's stack allows; the rest of apidiff may not
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                if depth >= MAX_DEPTH:
                    raise _Nested
                stack.append((child, depth + 1))
    return data


def _parse_yaml(text: str, label: str, c_loader: bool) -> Any:
    parser = (_CParser if c_loader and HAS_C_LOADER else yaml.SafeLoader)(text)
    try:
        return _Builder(label).build(parser)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = err.problem or err.context or "malformed YAML"
        raise CharterError(f"not valid YAML or JSON: {problem}", file=label, line=line) from None
    except yaml.YAMLError as err:
        raise CharterError(f"not valid YAML or JSON: {str(err)[:200]}", file=label) from None
    finally:
        parser.dispose()


def _line(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


class _Frame:
    """A mapping or sequence being built: its value, the pending key, its expanded size."""

    __slots__ = ("anchor", "height", "key", "key_event", "merges", "size", "value")

    def __init__(self, value: dict[str, Any] | list[Any], anchor: str | None) -> None:
        self.value = value
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_event: Any = None  # where the pending key is, for an error
        self.merges: list[dict[str, Any]] | None = None
        self.size = 1
        self.height = 1


class _Builder:
    """Builds plain data from parser events, refusing what could exhaust time or memory."""

    def __init__(self, label: str) -> None:
        self.label = label
        # anchor name: (value, values it expands to, its nesting height)
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.open: set[str] = set()
        self.written = 0

    def build(self, parser: Any) -> Any:
        get = parser.get_event
        get()  # stream start
        if isinstance(parser.peek_event(), ev.StreamEndEvent):
            return None
        get()  # document start
        stack: list[_Frame] = []
        scalar_event, map_start, seq_start = ev.ScalarEvent, ev.MappingStartEvent, \
            ev.SequenceStartEvent
        while True:
            event = get()
            kind = type(event)
            if kind is scalar_event:
                self.written += 1
                value = event.value
                if event.tag is not None or event.anchor is not None or (
                        event.implicit[0] and value[:1] in _RESOLVERS):
                    value = self._scalar(event)
                if not stack:
                    return self._finish(parser, value, 1)
                # the common case inline: a text key, or a value under a new text key
                parent = stack[-1]
                parent.size += 1
                container: Any = parent.value
                if type(container) is list:
                    container.append(value)
                elif parent.key is _NO_KEY and type(value) is str:
                    parent.key = value
                    parent.key_event = event
                elif type(parent.key) is str and type(value) is not _MergeKey \
                        and parent.key not in container:
                    container[parent.key] = value
                    parent.key = _NO_KEY
                else:
                    parent.size -= 1
                    self._add(parent, value, 1, event)
                continue
            height = 0
            if kind is map_start or kind is seq_start:
                self.written += 1
                if len(stack) >= MAX_DEPTH:
                    raise _too_deep(self.label, _line(event))
                stack.append(self._open(event, kind is map_start))
                continue
            if kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                frame = stack.pop()
                value, size, height = self._close(frame), frame.size, frame.height
            elif kind is ev.AliasEvent:
                value, size, height = self._alias(event)
                if len(stack) + height > MAX_DEPTH:
                    raise _too_deep(self.label, _line(event))
            else:
                raise CharterError(f"not valid YAML or JSON: unexpected {kind.__name__}",
                                   file=self.label, line=_line(event))
            if not stack:
                return self._finish(parser, value, size)
            parent = stack[-1]
            if height >= parent.height:
                parent.height = height + 1
            self._add(parent, value, size, event)

    def _finish(self, parser: Any, root: Any, root_size: int) -> Any:
        parser.get_event()  # document end
        if not isinstance(parser.peek_event(), ev.StreamEndEvent):
            raise CharterError("expected a single document, found another after it",
                               file=self.label, line=_line(parser.peek_event()))
        limit = MAX_ALIAS_EXPANSION * self.written + ALIAS_ALLOWANCE
        if root_size > limit:
            raise CharterError(f"YAML aliases expand this document to {root_size:,} values "
                               f"from {self.written:,} written; the limit is {limit:,} (ten "
                               "times the written values, plus 100,000): write the repeated "
                               "parts out, or share them with $ref", file=self.label)
        return root

    def _open(self, event: Any, mapping: bool) -> _Frame:
        tags = _MAP_TAGS if mapping else _SEQ_TAGS
        if event.tag not in tags:
            raise CharterError(f"unsupported YAML tag {event.tag}; OpenAPI documents hold "
                               "plain mappings, lists and scalars", file=self.label,
                               line=_line(event))
        frame = _Frame({} if mapping else [], event.anchor)
        if event.anchor is not None:
            self.open.add(event.anchor)
        return frame

    def _close(self, frame: _Frame) -> Any:
        value: Any = frame.value
        if frame.merges:
            merged: dict[str, Any] = {}
            for part in frame.merges:
                merged.update(part)
            merged.update(value)
            value = merged
        if frame.anchor is not None:
            self.open.discard(frame.anchor)
            self.anchors[frame.anchor] = (value, frame.size, frame.height)
        return value

    def _alias(self, event: Any) -> tuple[Any, int, int]:
        name = event.anchor
        if name in self.open:
            raise CharterError(f"the alias *{name} refers to a value that contains it; "
                               "recursive YAML cannot be compared", file=self.label,
                               line=_line(event))
        found = self.anchors.get(name)
        if found is None:
            raise CharterError(f"the alias *{name} names no anchor defined before it",
                               file=self.label, line=_line(event))
        return found

    def _scalar(self, event: Any) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = _STR
            if event.implicit[0]:
                for candidate, pattern in _RESOLVERS.get(value[:1], ()):
                    if pattern.match(value):
                        tag = candidate
                        break
        if tag in (_STR, _TIMESTAMP):
            obj: Any = value
        elif tag in _SCALAR_TAGS:
            node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
            obj = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
        elif tag == _MERGE:
            obj = _MergeKey(value)
        elif tag in _TEXT_TAGS:
            obj = value
        else:
            raise CharterError(f"unsupported YAML tag {tag}; OpenAPI documents hold plain "
                               "mappings, lists and scalars", file=self.label, line=_line(event))
        if event.anchor is not None:
            self.anchors[event.anchor] = (obj, 1, 0)
        return obj

    def _add(self, frame: _Frame, value: Any, size: int, event: Any) -> None:
        frame.size += size
        container = frame.value
        if type(value) is _MergeKey:
            value = str(value) if frame.key is not _NO_KEY or isinstance(container, list) \
                else value
        if isinstance(container, list):
            container.append(value)
            return
        if frame.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise CharterError("a mapping key must be a plain value, not a mapping or a "
                                   "list", file=self.label, line=_line(event))
            frame.key = value
            frame.key_event = event
            return
        key, frame.key = frame.key, _NO_KEY
        if isinstance(key, _MergeKey):
            self._merge(frame, value, event)
            return
        text = _key_text(key)
        if text in container:
            raise CharterError(f"duplicate key {text[:80]!r}; each key may appear once in a "
                               "mapping (remove or merge the repeated one)", file=self.label,
                               line=_line(frame.key_event))
        container[text] = value

    def _merge(self, frame: _Frame, value: Any, event: Any) -> None:
        # YAML's `<<`: the merged mappings' keys come first; the mapping's own keys win, and
        # of several merged mappings the first listed wins (as PyYAML's flatten_mapping does)
        parts = [value] if isinstance(value, dict) else list(reversed(value)) \
            if isinstance(value, list) else None
        if parts is None or not all(isinstance(p, dict) for p in parts):
            raise CharterError("`<<` merges mappings only: give a mapping or a list of them",
                               file=self.label, line=_line(event))
        frame.merges = (frame.merges or []) + parts


class _MergeKey(str):
    """The `<<` merge key, told apart from a quoted "<<"."""

    __slots__ = ()
