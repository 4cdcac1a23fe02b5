"""Reading a scenario file quickly: libyaml's event stream built straight into plain data.

A long history is mostly small flow mappings; the round-trip loader, which keeps a position for
every node, spends about a minute and a gigabyte on 100,000 of them. Here positions are found
only when an error must name a line (see `positions`), except under an inline `policy:`, whose
few lines the policy loader needs. Whatever lies outside the common subset (aliases, tags, merge
keys, YAML 1.1 documents, complex keys, scalars whose value needs ruamel's constructor) is read
by the round-trip loader instead, so both ways give the same data.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.scenario.positions import EagerPositions, Positions, StreamPositions
from charter.scenario.scalars import BadScalar, Unsupported, resolvers, scalar
from charter.yamlio import MAX_DEPTH, MAX_YAML_BYTES, locate, parse_yaml

#: The largest scenario file read: some 800,000 events of the usual size. A policy's limit
#: (yamlio.MAX_YAML_BYTES) is set by the round-trip parser's speed; this reader's is linear.
MAX_BYTES = 64 * 1024 * 1024
TOO_DEEP = (f"nested more than {MAX_DEPTH} levels deep; no policy or scenario needs that many, "
            "so flatten it")


@dataclass(frozen=True)
class Document:
    """A scenario file's data, where its keys are, and its inline policy with positions."""

    data: Any
    positions: Positions
    policy_node: Any = None


def read_document(path: Path) -> Document:
    """Read PATH; a missing, unreadable, oversized or malformed file is a CharterError."""
    file = str(path)
    text = read_text(path)
    try:
        data, policy_node = build(text, file)
    except Unsupported as err:
        if len(text) > MAX_YAML_BYTES:
            raise CharterError(f"uses {err}, which only the round-trip YAML reader takes, and "
                               f"that reader reads files up to {MAX_YAML_BYTES:,} "
                               f"bytes; this one is {len(text):,}: write the values out as "
                               "plain YAML", file=file, line=err.line) from None
        node = parse_yaml(text, file)
        policy = node.get("policy") if isinstance(node, Mapping) else None
        return Document(plain_keys(node), EagerPositions(locate(node, file), file), policy)
    return Document(data, StreamPositions(text, file), policy_node)


def read_text(path: Path) -> str:
    """The UTF-8 text of the regular file PATH, at most MAX_BYTES; every way of failing is a
    clear error naming it."""
    file = str(path)
    too_big = f"over the {MAX_BYTES:,}-byte limit for a scenario file (split the history)"
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise CharterError("is a folder, not a YAML file; name the file in it", file=file)
        if not stat.S_ISREG(info.st_mode):
            raise CharterError("is not a regular file (a device, pipe or socket); name a YAML "
                               "file", file=file)
        if info.st_size > MAX_BYTES:
            raise CharterError(f"is {info.st_size:,} bytes, {too_big}", file=file)
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise CharterError("no such file; check the path", file=file) from None
    except OSError as err:
        raise CharterError(f"cannot be read: {err.strerror}", file=file) from None
    if len(data) > MAX_BYTES:
        raise CharterError(f"has grown {too_big}", file=file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CharterError("is not UTF-8 text; save the file as UTF-8", file=file) from None


def event_reader(text: str) -> Any:
    """A parser of TEXT giving YAML events: libyaml's when PyYAML was built with it."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)


def build(text: str, file: str) -> tuple[Any, Any]:
    """TEXT's one document as plain data, and its `policy:` mapping with positions (or None)."""
    import yaml

    loader = event_reader(text)
    try:
        return _Builder(loader, file).document()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        problem = err.problem or err.context or "unreadable"
        if "nesting depth" in problem:  # libyaml's own limit, met while scanning ahead
            raise CharterError(TOO_DEEP, file=file, line=line) from None
        raise CharterError(f"malformed YAML: {problem}", file=file, line=line) from None
    except yaml.YAMLError as err:
        position = getattr(err, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        raise CharterError(f"malformed YAML: {str(err).splitlines()[0]}", file=file,
                           line=line) from None
    finally:
        loader.dispose()


class _Builder:
    """Recursive descent over libyaml's events: one call per mapping or list."""

    def __init__(self, loader: Any, file: str) -> None:
        import yaml

        self.get = loader.get_event
        self.file = file
        self.special = resolvers()  # first characters of plain scalars that may not be text
        self.ScalarEvent, self.MappingStart = yaml.ScalarEvent, yaml.MappingStartEvent
        self.SequenceStart = yaml.SequenceStartEvent
        self.MappingEnd, self.SequenceEnd = yaml.MappingEndEvent, yaml.SequenceEndEvent
        self.events = yaml.events
        self.depth = 0
        self.policy: Any = None
        self.shared: dict[str, str] = {}

    def document(self) -> tuple[Any, Any]:
        events = self.events
        root: Any = None
        documents = 0
        while True:
            event: Any = self.get()
            kind = type(event)
            if kind is events.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise CharterError("malformed YAML: expected a single document in the "
                                       "stream, but found another document", file=self.file,
                                       line=event.start_mark.line + 1)
                if event.version not in (None, (1, 2)):
                    raise Unsupported("a YAML 1.1 document", event)
                root = self.node(self.get(), top=True)
            elif kind is events.StreamEndEvent:
                return root, self.policy

    def node(self, event: Any, top: bool = False, positioned: bool = False) -> Any:
        kind = type(event)
        if kind is self.ScalarEvent:
            if event.tag is not None:
                raise Unsupported("a tag", event)
            value = event.value
            if event.implicit[0] and value[:1] in self.special:
                return self.scalar(value, event)
            return value
        if kind is self.MappingStart or kind is self.SequenceStart:
            if event.tag is not None:
                raise Unsupported("a tag", event)
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CharterError(TOO_DEEP, file=self.file, line=event.start_mark.line + 1)
            if positioned:
                value = self.positioned(event)
            elif kind is self.MappingStart:
                value = self.mapping(top)
            else:
                value = self.sequence()
            self.depth -= 1
            return value
        if kind is self.events.AliasEvent:
            raise Unsupported("an alias", event)
        return None  # the document ended without content

    def scalar(self, value: str, event: Any) -> Any:
        try:
            return scalar(value)
        except BadScalar as err:
            raise CharterError(err.message, file=self.file,
                               line=event.start_mark.line + 1) from None
        except Unsupported as err:
            raise Unsupported(str(err), event) from None

    def key(self, event: Any) -> Any:
        if type(event) is not self.ScalarEvent:
            raise Unsupported("a complex key", event)
        return self.node(event)

    def duplicate(self, key: Any, event: Any) -> CharterError:
        return CharterError(f"duplicate key {str(key)!r}; each key may appear once in a "
                            "mapping (remove or merge the repeated one)", file=self.file,
                            line=event.start_mark.line + 1)

    def mapping(self, top: bool) -> dict[Any, Any]:
        get, end, scalar_event = self.get, self.MappingEnd, self.ScalarEvent
        special, node, shared = self.special, self.node, self.shared
        out: dict[Any, Any] = {}
        while True:
            event: Any = get()
            if type(event) is end:
                return out
            key = self.key(event)
            if key in out:
                raise self.duplicate(key, event)
            if type(key) is str:
                key = shared.setdefault(key, key)
            event = get()
            # Inlined for the common case, a plain or quoted scalar with no tag.
            if type(event) is scalar_event and event.tag is None:
                value = event.value
                if event.implicit[0] and value[:1] in special:
                    value = self.scalar(value, event)
                elif len(value) <= 24:
                    # Logins, verbs and choices repeat in every event: keep one copy of each.
                    value = shared.setdefault(value, value)
                out[key] = value
            elif top and key == "policy" and type(event) is self.MappingStart:
                out[key] = self.policy = node(event, positioned=True)
            else:
                out[key] = node(event)

    def sequence(self) -> list[Any]:
        get, end, node = self.get, self.SequenceEnd, self.node
        out: list[Any] = []
        while True:
            event = get()
            if type(event) is end:
                return out
            out.append(node(event))

    def positioned(self, start: Any) -> Any:
        """A mapping or list that keeps its lines as the round-trip loader does (for the
        policy loader, which names the line of each of its keys)."""
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        is_map = type(start) is self.MappingStart
        out: Any = CommentedMap() if is_map else CommentedSeq()
        out.lc.line, out.lc.col = start.start_mark.line, start.start_mark.column
        end = self.MappingEnd if is_map else self.SequenceEnd
        while True:
            event: Any = self.get()
            if type(event) is end:
                return out
            if is_map:
                key_mark = event.start_mark
                key = self.key(event)
                if key in out:
                    raise self.duplicate(key, event)
                event = self.get()
                out[key] = self.node(event, positioned=True)
                out.lc.add_kv_line_col(key, [key_mark.line, key_mark.column,
                                             event.start_mark.line, event.start_mark.column])
            else:
                out.lc.add_kv_line_col(len(out), [event.start_mark.line,
                                                  event.start_mark.column])
                out.append(self.node(event, positioned=True))


def plain_keys(node: Any) -> Any:
    """A round-trip tree as plain data, keeping scalar keys' types (a login written 123 stays a
    number, so the scenario can say it must be quoted)."""
    from charter.yamlio import plain

    if isinstance(node, Mapping):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            simple = plain(key)
            out[simple if isinstance(simple, str | int | float | bool | date) or simple is None
                else str(key)] = plain_keys(value)
        return out
    if isinstance(node, list | tuple):
        return [plain_keys(v) for v in node]
    return plain(node)
