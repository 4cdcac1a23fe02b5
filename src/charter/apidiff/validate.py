"""Is a parsed document OpenAPI 3.x? What cannot be compared is an error, the rest warnings.

A document is refused (exit 2) only when it cannot be read as OpenAPI at all: no `openapi: 3.x`,
or `paths`, a path item or an operation that is not a mapping (the comparison would silently
lose operations). Everything else the OpenAPI Initiative's JSON Schema for the version finds,
and every `$ref` that points outside the document, nowhere, or in a loop, is a warning with its
location: generated specs are full of such strictness violations, and oasdiff compares them.
The schemas are checked by jsonschema-rs (compiled; milliseconds for a megabyte) and never
fetch anything: the official schemas ship with Charter and refer only to themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from charter.apidiff.operations import METHODS
from charter.apidiff.refs import check_refs
from charter.apidiff.spec_warnings import SpecWarning, capped, excerpt, pointer
from charter.errors import CharterError

__all__ = ["SCHEMAS", "validate_document", "validator_version"]

#: The official schema of each OpenAPI minor version, shipped in `apidiff/schemas/`.
SCHEMAS = {"3.0": "oas-3.0.json", "3.1": "oas-3.1.json", "3.2": "oas-3.2.json"}


def validator_version() -> str:
    """What decides the warnings: jsonschema-rs's version and the schemas' ids."""
    from importlib import metadata

    try:
        rs = metadata.version("jsonschema-rs")
    except metadata.PackageNotFoundError:
        rs = "unknown"
    ids = ",".join(str(_schema(minor).get("$id") or _schema(minor).get("id"))
                   for minor in sorted(SCHEMAS))
    return f"{rs};{ids}"


def validate_document(document: Mapping[str, Any], label: str) -> list[SpecWarning]:
    """Raise when DOCUMENT cannot be read as OpenAPI 3.x; else its warnings, by location."""
    minor = _minor_version(document, label)
    _require_skeleton(document, label)
    warnings = _schema_warnings(document, minor, label) + check_refs(document, label)
    return capped(warnings, label)


def _minor_version(document: Mapping[str, Any], label: str) -> str:
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        found = f"openapi: {excerpt(version)}" if "openapi" in document else "no `openapi` field"
        if "swagger" in document:
            found = f"swagger: {excerpt(document['swagger'])}"
        raise CharterError(f"not an OpenAPI 3.x document ({found}); apidiff compares OpenAPI "
                           "3.0, 3.1 and 3.2 descriptions", file=label)
    return version[:3]


def _require_skeleton(document: Mapping[str, Any], label: str) -> None:
    paths = document.get("paths")
    if paths is None:
        return
    if not isinstance(paths, dict):
        raise _unreadable(label, ("paths",), paths)
    for path, item in paths.items():
        if not isinstance(item, dict):
            raise _unreadable(label, ("paths", path), item)
        for method in METHODS:
            if method in item and not isinstance(item[method], dict):
                raise _unreadable(label, ("paths", path, method), item[method])


def _unreadable(label: str, where: tuple[str, ...], value: Any) -> CharterError:
    return CharterError(f"not readable as OpenAPI: {pointer(where)} must be a mapping, found "
                        f"{_json_type(value)}; the operations under it cannot be compared",
                        file=label)


def _schema_warnings(document: Mapping[str, Any], minor: str,
                     label: str) -> list[SpecWarning]:
    validator = _validator(minor)
    if validator is None:
        return [SpecWarning("openapi-unchecked", "#/openapi", f"OpenAPI {excerpt(minor)} has "
                            "no schema Charter knows (3.0, 3.1 and 3.2 have); the document was "
                            "compared without checking it", label)]
    found: dict[tuple[str, str], None] = {}
    for error in validator.iter_errors(document):
        for where, message in _explain(error):
            found[(pointer(where), message)] = None
    return [SpecWarning("openapi-invalid", where, message, label) for where, message in found]


@cache
def _schema(minor: str) -> dict[str, Any]:
    text = resources.files("charter.apidiff").joinpath("schemas", SCHEMAS[minor]).read_text(
        encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(minor: str) -> Any:
    if minor not in SCHEMAS:
        return None
    import jsonschema_rs

    # a retriever that refuses: the schemas refer only to themselves and to the JSON Schema
    # meta-schemas jsonschema-rs carries, so nothing may ever be fetched
    return jsonschema_rs.validator_for(_schema(minor), validate_formats=False, retriever=_refuse)


def _refuse(uri: str) -> Any:
    raise ValueError(f"apidiff fetches no schema ({excerpt(uri)})")


def _explain(error: Any) -> list[tuple[tuple[Any, ...], str]]:
    """(where, what) for ERROR; for a failed oneOf/anyOf, the problems of the closest branch."""
    kind = error.kind
    name = type(kind).__name__
    where = tuple(error.instance_path)
    context = getattr(kind, "context", None)
    if name in ("OneOfNotValid", "AnyOf") and context:
        branch = _closest(context)
        if branch:
            out: list[tuple[tuple[Any, ...], str]] = []
            for sub in branch:
                out.extend(_explain(sub))
            return out
    return [(where, _message(name, kind, error))]


def _closest(branches: Iterable[list[Any]]) -> list[Any]:
    # the branch that got furthest into the value (deepest error) is the one the author meant;
    # of a Reference-or-object choice, the object unless the value has a `$ref`
    def score(errors: list[Any]) -> tuple[bool, int, int]:
        depth = max((len(e.instance_path) for e in errors), default=0)
        return not _wants_ref(errors), depth, -len(errors)

    ranked = [b for b in branches if b]
    return max(ranked, key=score) if ranked else []


def _wants_ref(errors: list[Any]) -> bool:
    """Whether ERRORS are a Reference Object's complaint about a value without `$ref`."""
    return any(type(e.kind).__name__ == "Required" and e.kind.property == "$ref"
               for e in errors)


def _message(name: str, kind: Any, error: Any) -> str:
    keyword = str(list(error.schema_path)[-1]) if list(error.schema_path) else name
    if name == "Required":
        return f"the required field `{excerpt(kind.property)}` is missing"
    if name == "Type":
        wanted = kind.types if isinstance(kind.types, list) else [kind.types]
        return (f"expected {' or '.join(str(t) for t in wanted)}, found "
                f"{_json_type(error.instance)}")
    if name in ("AdditionalProperties", "UnevaluatedProperties"):
        fields = ", ".join(f"`{excerpt(f, 40)}`" for f in list(kind.unexpected)[:5])
        return f"field(s) not allowed here: {fields}"
    if name == "Enum":
        return f"must be one of {excerpt(json.dumps(kind.options), 120)}"
    if name == "Constant":
        return f"must be {excerpt(json.dumps(kind.expected_value), 120)}"
    if name == "Pattern":
        return f"does not match the pattern {excerpt(kind.pattern, 120)}"
    if name == "OneOfMultipleValid":
        return "matches more than one of the forms allowed here (`oneOf`)"
    if name in ("OneOfNotValid", "AnyOf"):
        return f"matches none of the forms allowed here (`{keyword}`)"
    if name == "FalseSchema":
        return "nothing is allowed here"
    if name == "Not":
        return "has a form that is not allowed here (`not`)"
    limit = getattr(kind, "limit", None)
    if isinstance(limit, int | float) and not isinstance(limit, bool):
        return f"does not satisfy `{excerpt(keyword, 40)}: {limit}` of the OpenAPI schema"
    return f"does not satisfy `{excerpt(keyword, 40)}` of the OpenAPI schema"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, dict) else type(value).__name__
