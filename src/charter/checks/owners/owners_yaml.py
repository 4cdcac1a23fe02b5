"""OWNERS and OWNERS_ALIASES as YAML node graphs, refused where Prow's YAML reader refuses them.

Prow reads these files with sigs.k8s.io/yaml, whose go-yaml fails a whole document that is not
UTF-8 text, that has an anchor containing itself, or whose aliases expand to most of what it
decodes ("document contains excessive aliasing": more than 99% of the decoded nodes come from
alias expansion in documents up to 400,000 decodes, scaling down to 10% at 4,000,000). PyYAML
composes aliases as shared nodes without expanding them, so a "billion laughs" document composes
quickly; `compose` then replays go-yaml's count over the graph, stopping as soon as go-yaml
would, so no caller ever walks an expansion go-yaml refuses.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What a surrogateescape decoding keeps of bytes that are not UTF-8, and any other lone surrogate.
_NOT_TEXT = re.compile("[\ud800-\udfff]")
_RATIO_LOW, _RATIO_HIGH = 400_000, 4_000_000


class YamlFailure(Exception):
    """Why a file is not a YAML document Prow can read, and the 1-based line to point at."""

    def __init__(self, detail: str, line: int | None, *, encoding: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.line = line
        self.encoding = encoding  # the text is not UTF-8, rather than not YAML


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _error_line(err: yaml.YAMLError, text: str) -> int | None:
    """Where PyYAML gave up, or where the construct began when it gave up only at the end of the
    file (an unclosed bracket, a key missing its colon)."""
    position = getattr(err, "position", None)
    if isinstance(position, int):  # a ReaderError: a character YAML does not allow
        return _line_of(text, position)
    problem = getattr(err, "problem_mark", None)
    context = getattr(err, "context_mark", None)
    lines = len(text.splitlines())
    if problem is not None and (problem.line < lines or context is None):
        return int(problem.line) + 1
    return int(context.line) + 1 if context is not None else None


def _error_detail(err: yaml.YAMLError) -> str:
    problem = getattr(err, "problem", None)
    context = getattr(err, "context", None)
    text = " ".join(str(part) for part in (context, problem) if part)
    return text or (str(err).splitlines()[0] if str(err) else type(err).__name__)


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _allowed_alias_ratio(decodes: int) -> float:
    """go-yaml's allowedAliasRatio."""
    if decodes <= _RATIO_LOW:
        return 0.99
    if decodes >= _RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decodes - _RATIO_LOW) / (_RATIO_HIGH - _RATIO_LOW)


def _alias_positions(root: Any) -> set[tuple[int, int]]:
    """(parent id, child index) of every alias: a node met again, in document order, after the
    anchor that defined it. Raises YamlFailure for an anchor whose value contains itself."""
    seen: set[int] = set()
    inside: set[int] = set()  # anchors whose definition is being walked
    aliases: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int, int, bool]] = [(root, 0, 0, False)]
    while stack:
        node, parent, index, leaving = stack.pop()
        if leaving:
            inside.discard(id(node))
            continue
        if id(node) in seen:
            if id(node) in inside:
                raise YamlFailure("an anchor's value contains an alias to itself",
                                  int(node.start_mark.line) + 1)
            aliases.add((parent, index))
            continue
        seen.add(id(node))
        inside.add(id(node))
        stack.append((node, 0, 0, True))
        children = _children(node)
        stack.extend((children[i], id(node), i, False) for i in range(len(children) - 1, -1, -1))
    return aliases


def _check_expansion(root: Any, aliases: set[tuple[int, int]]) -> None:
    """Replay go-yaml's decodeCount and aliasCount over the graph, failing where it fails, at
    the line of the outermost alias being expanded then."""
    decodes = 1  # the document node
    expanded = 0
    stack: list[tuple[Any, int, int]] = [(root, 0, 0)]  # node, alias depth, alias site line
    while stack:
        node, depth, site = stack.pop()
        decodes += 1
        if depth:
            expanded += 1
        if (expanded > 100 and decodes > 1000
                and expanded / decodes > _allowed_alias_ratio(decodes)):
            raise YamlFailure("its aliases expand to too much: Prow's YAML reader stops with "
                              "\"document contains excessive aliasing\"", site or None)
        children = _children(node)
        for i in range(len(children) - 1, -1, -1):
            if (id(node), i) not in aliases:
                stack.append((children[i], depth, site))
                continue
            # The alias node is decoded where it stands, then its anchor's value inside it.
            decodes += 1
            if depth:
                expanded += 1
            where = site
            if not depth:  # where the alias is written: its key's line, or its list's line
                key = children[i - 1] if isinstance(node, yaml.MappingNode) and i % 2 else node
                where = int(key.start_mark.line) + 1
            stack.append((children[i], depth + 1, where))


def decode(data: bytes) -> str:
    """File bytes as go-yaml reads them: UTF-16 when a byte order mark says so, else UTF-8.

    Bytes that are not UTF-8 are kept as surrogates (surrogateescape) for `compose` to report.
    """
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                break
    return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape")


def compose(text: str) -> Any:
    """The first YAML document's node graph (Go's yaml.Unmarshal reads only the first), or
    YamlFailure when Prow's YAML reader would refuse the file."""
    bad = _NOT_TEXT.search(text)
    if bad:
        code = ord(bad.group())
        what = (f"byte 0x{code - 0xdc00:02x}" if 0xdc80 <= code <= 0xdcff
                else f"code point U+{code:04X}")
        raise YamlFailure(f"not valid UTF-8 ({what})", _line_of(text, bad.start()),
                          encoding=True)
    try:
        root = None
        for node in yaml.compose_all(text, Loader=_Loader):
            root = node
            break
    except yaml.YAMLError as err:
        raise YamlFailure(_error_detail(err), _error_line(err, text)) from None
    except RecursionError:
        raise YamlFailure("nested too deeply", None) from None
    if root is not None:
        _check_expansion(root, _alias_positions(root))
    return root
