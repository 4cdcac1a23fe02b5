"""Every `$ref` of a document checked without leaving it: outside, dangling and cyclic ones.

apidiff resolves only references inside the document (`#/...`, see `schema.Document`). A
reference to another file or a URL is never read (a pull request's author controls the spec,
and a `$ref` to `file:///etc/passwd` or to a local server must reach neither); it is reported
here, named in a short excerpt, and compared as an opaque name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from charter.apidiff.schema import Document
from charter.apidiff.spec_warnings import SpecWarning, excerpt, pointer

__all__ = ["check_refs"]

# mappings whose keys are names the author chose (a property may be called "example")
_NAME_MAPS = frozenset({
    "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas",
    "responses", "parameters", "examples", "requestBodies", "headers", "securitySchemes",
    "links", "callbacks", "pathItems", "paths", "webhooks", "content", "encoding",
    "variables"})
# fixed fields that hold instance data, where a "$ref" key is data, not a reference
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "value"})


def check_refs(document: Mapping[str, Any], label: str) -> list[SpecWarning]:
    """A warning for each `$ref` in DOCUMENT that points outside it, nowhere, or in a loop."""
    doc = Document(document)
    found: list[SpecWarning] = []
    cycles: set[frozenset[str]] = set()
    # (node, where: (parent's where, key) or None at the top, whether its keys are names);
    # linked, so the walk never copies a path and only a problem's location is spelled out
    stack: list[tuple[Any, Any, bool]] = [(document, None, False)]
    while stack:
        node, where, names = stack.pop()
        if type(node) is list:
            stack.extend((item, (where, i), False) for i, item in enumerate(node)
                         if isinstance(item, dict | list))
            continue
        ref = None if names else node.get("$ref")
        if isinstance(ref, str):
            problem = _problem(doc, ref, cycles)
            if problem is not None:
                location = pointer([*_parts(where), "$ref"])
                found.append(SpecWarning(problem[0], location, problem[1], label))
        for key, value in node.items():
            if not isinstance(value, dict | list):
                continue
            if names:  # a named definition: an object with fixed fields again
                stack.append((value, (where, key), False))
            elif key == "examples" and isinstance(value, dict):
                stack.append((value, (where, key), True))
            elif key in _DATA_KEYS or (isinstance(key, str) and key.startswith("x-")):
                continue
            else:
                stack.append((value, (where, key),
                              key in _NAME_MAPS and isinstance(value, dict)))
    found.sort(key=lambda w: w.location)
    return found


def _parts(where: Any) -> list[Any]:
    parts: list[Any] = []
    while where is not None:
        where, key = where
        parts.append(key)
    return parts[::-1]


def _problem(doc: Document, ref: str, cycles: set[frozenset[str]]) -> tuple[str, str] | None:
    shown = excerpt(ref)
    if not ref.startswith("#"):
        return ("ref-outside-document",
                f"`$ref: {shown}` points outside this document; apidiff resolves only "
                "references inside the document (`#/...`) and reads no other file or URL, so "
                "it compares this reference by its name only")
    chain = [ref]
    target = doc.lookup(ref)
    while isinstance(target, dict) and isinstance(target.get("$ref"), str):
        nxt = target["$ref"]
        if nxt in chain:
            loop = frozenset(chain[chain.index(nxt):])
            if ref not in loop or loop in cycles:
                return None  # reported once, at a reference inside the loop
            cycles.add(loop)
            steps = " -> ".join(excerpt(r, 40) for r in [*chain[chain.index(nxt):], nxt])
            return ("ref-cycle", f"`$ref: {shown}` is part of a cycle of references that "
                    f"never reaches a definition ({excerpt(steps, 240)}); it is compared as an "
                    "empty schema")
        if not nxt.startswith("#"):
            return None  # reported where that reference is written
        chain.append(nxt)
        target = doc.lookup(nxt)
    if target is None and len(chain) == 1:  # a longer chain is reported at its last link
        return ("ref-dangling", f"`$ref: {shown}` points at nothing in this document; it is "
                "compared by its name only")
    return None
