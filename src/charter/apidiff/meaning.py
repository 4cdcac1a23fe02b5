"""The canonical meaning of a JSON Schema: rewrites that accept the same values look the same.

Before two schemas are compared, each is rewritten into one form: `const: x` is `enum: [x]`;
OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` become 3.1's numbers; `null` in a
type list, `nullable: true`, a `{type: 'null'}` member of a `oneOf`/`anyOf` and `null` in an
enum are one flag (`nullable`); a union of bare types or of listed values is one type list or
enum; `integer` beside `number` in a type list is redundant, and so is a default equal to the
only value an enum allows. Order never matters: enum values, required lists and type lists are
compared as sets. Peeling a single-member `allOf`/`oneOf`/`anyOf` and following `$ref`s is the
comparer's part, since only it can resolve references.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: a schema as written (maybe a `$ref`) -> (what it points at, the last reference followed)
Resolve = Callable[[Any], tuple[Any, str | None]]

#: keywords that say nothing about which values are valid
ANNOTATIONS = frozenset({"title", "description", "example", "examples", "deprecated",
                         "externalDocs", "xml", "$comment", "discriminator", "readOnly",
                         "writeOnly", "default", "$schema", "$id", "$anchor"})
UNIONS = ("oneOf", "anyOf")
COMPOSITIONS = ("allOf", "oneOf", "anyOf")


def contract(schema: Mapping[str, Any]) -> dict[str, Any]:
    """SCHEMA without its annotations (and extensions): what decides which values are valid."""
    return {k: v for k, v in schema.items()
            if k not in ANNOTATIONS and not (isinstance(k, str) and k.startswith("x-"))}


_NULL_KEYS = frozenset({"const", "enum"})


def is_null_only(schema: Any) -> bool:
    """Whether SCHEMA accepts exactly `null` (`{type: 'null'}`, `const: null`, `enum: [null]`)."""
    if not isinstance(schema, Mapping):
        return False
    kind = schema.get("type")
    if kind not in ("null", ["null"]) and ("type" in schema or not _NULL_KEYS & schema.keys()):
        return False  # the common case, decided without copying
    rest = contract(schema)
    rest.pop("type", None)
    if kind == "null" or kind == ["null"]:
        return not rest or rest == {"nullable": True}
    if kind is not None:
        return False
    if set(rest) == {"const"}:
        return rest["const"] is None
    if set(rest) == {"enum"} and isinstance(rest["enum"], list):
        return bool(rest["enum"]) and all(v is None for v in rest["enum"])
    return False


def plain_values(schema: Any) -> tuple[list[str] | None, list[Any] | None] | None:
    """(types, enum values) of a schema that says nothing else, else None.

    Either may be None (not constrained). A union of such schemas is one of them: the union
    of the types, and of the values when every member lists values.
    """
    if not isinstance(schema, Mapping):
        return None
    rest = contract(schema)
    if "const" in rest and "enum" not in rest:
        rest["enum"] = [rest.pop("const")]
    if not rest or not set(rest) <= {"type", "enum"}:
        return None
    kind, enum = rest.get("type"), rest.get("enum")
    types: list[str] | None = None
    if isinstance(kind, str):
        types = [kind]
    elif isinstance(kind, list) and all(isinstance(k, str) for k in kind):
        types = list(kind)
    elif kind is not None:
        return None
    if enum is not None and not isinstance(enum, list):
        return None
    return types, enum


def _union_as_one(members: list[Any], resolve: Resolve) -> dict[str, Any] | None:
    """The single schema a union of type-or-value schemas means, or None if it is no such union."""
    plains = [plain_values(resolve(m)[0]) for m in members]
    if not plains or any(p is None for p in plains):
        return None
    parts = [p for p in plains if p is not None]
    enums = [e for _, e in parts]
    if any(e is not None for e in enums) and not all(e is not None for e in enums):
        return None  # some members take any value of their type, others only listed ones
    out: dict[str, Any] = {}
    types = [t for t, _ in parts]
    if all(t is not None for t in types):
        out["type"] = sorted({k for group in types if group for k in group})
    elif not any(e is not None for e in enums):
        return None  # an untyped member without values admits anything: not a plain union
    if enums[0] is not None:
        values: list[Any] = []
        for group in enums:
            for value in group or ():
                if not any(value == v and type(value) is type(v) for v in values):
                    values.append(value)
        out["enum"] = values
    return out


def split_nulls(members: list[Any], resolve: Resolve) -> tuple[list[Any], bool]:
    """MEMBERS of a union without those that only accept null, and whether there were any."""
    kept: list[Any] = []
    nullable = False
    for member in members:
        target, _ = resolve(member)
        if is_null_only(target):
            nullable = True
        else:
            kept.append(member)
    return kept, nullable


def merge(outer: Mapping[str, Any], inner: Mapping[str, Any]) -> dict[str, Any]:
    """The conjunction of OUTER and INNER (OUTER wins where both say something else).

    Properties and required names are united; the result is nullable when either says so,
    since a `nullable` wrapper around a reference is how 3.0 documents make it nullable.
    """
    merged = dict(inner)
    for key, value in outer.items():
        if key == "properties" and isinstance(value, Mapping):
            props = dict(inner.get("properties") or {}) if isinstance(
                inner.get("properties"), Mapping) else {}
            props.update(value)
            merged[key] = props
        elif key == "required" and isinstance(value, list):
            required = list(inner.get("required") or []) if isinstance(
                inner.get("required"), list) else []
            required.extend(r for r in value if r not in required)
            merged[key] = required
        else:
            merged[key] = value
    if accepts_null(outer) or accepts_null(inner):
        merged["nullable"] = True
    return merged


def accepts_null(schema: Mapping[str, Any]) -> bool:
    """Whether SCHEMA says null is valid: 3.0's `nullable`, 3.1's `null` type or enum value."""
    if schema.get("nullable") is True:
        return True
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    # without a type, `enum: [a, null]` (or `const: null`) lets null through
    if kind is None:
        enum = schema.get("enum")
        if isinstance(enum, list) and any(v is None for v in enum):
            return True
        return "const" in schema and schema["const"] is None
    return False


_REWRITTEN = frozenset({"const", "exclusiveMinimum", "exclusiveMaximum", "oneOf", "anyOf"})


def _lone_default(schema: Mapping[str, Any]) -> bool:
    enum = schema.get("enum")
    return "default" in schema and isinstance(enum, list) and len(enum) == 1


def _enum_has_null(schema: Mapping[str, Any]) -> bool:
    enum = schema.get("enum")
    return isinstance(enum, list) and any(v is None for v in enum)


def canonical(schema: Mapping[str, Any], resolve: Resolve) -> Mapping[str, Any]:
    """SCHEMA rewritten into its canonical form (a new dict when anything changed)."""
    kind = schema.get("type")
    if (_REWRITTEN.isdisjoint(schema) and not isinstance(kind, list) and kind != "null"
            and not _enum_has_null(schema) and not _lone_default(schema)):
        return schema  # most schemas: nothing to rewrite, and no copy
    node = dict(schema)
    if "const" in node:
        value = node.pop("const")
        enum = node.get("enum")
        node["enum"] = [value] if not isinstance(enum, list) else [
            v for v in enum if v == value and type(v) is type(value)]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = node.get(bound)
        if isinstance(flag, bool):
            del node[bound]
            if flag and limit in node:
                node[bound] = node.pop(limit)
    for keyword in UNIONS:
        members = node.get(keyword)
        if not isinstance(members, list) or len(members) < 2:
            continue
        # null-only members stay in the list (their positions name the others in reports);
        # the comparer skips them
        kept, nullable = split_nulls(members, resolve)
        if nullable:
            node["nullable"] = True
        one = _union_as_one(kept, resolve) if kept else None
        if one is not None and not set(one) & set(node):
            del node[keyword]
            node.update(one)
    if accepts_null(node):
        node["nullable"] = True
    kind = node.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        if "number" in kinds:  # every integer is a number
            kinds = [k for k in kinds if k != "integer"]
        node["type"] = kinds if len(kinds) != 1 else kinds[0]
    elif kind == "null":
        node["type"] = []
    enum = node.get("enum")
    if isinstance(enum, list) and any(v is None for v in enum):
        # null is valid or not by the nullable flag; the enum lists the other values
        node["enum"] = [v for v in enum if v is not None]
        if not node["enum"]:
            del node["enum"]
    enum = node.get("enum")
    if (isinstance(enum, list) and len(enum) == 1 and "default" in node
            and node["default"] == enum[0] and type(node["default"]) is type(enum[0])):
        del node["default"]  # the only value there is: a default of it says nothing more
    return node
