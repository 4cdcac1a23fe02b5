"""The operations of an OpenAPI document: each method and path, matched across versions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from charter.apidiff.schema import Document

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
TEMPLATE_PARAM = re.compile(r"\{([^{}]*)\}")


def normalize_path(path: str) -> str:
    """The path template with parameter names erased: `/users/{id}` -> `/users/{}`."""
    return TEMPLATE_PARAM.sub("{}", path)


@dataclass(frozen=True, slots=True)
class Op:
    """One operation (method and path) of a document, with the path item it belongs to."""

    path: str
    method: str
    op: Mapping[str, Any]
    item: Mapping[str, Any]
    doc: Document
    spec: str = ""

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def norm(self) -> str:
        return normalize_path(self.path)

    @property
    def operation_id(self) -> str | None:
        oid = self.op.get("operationId")
        return oid if isinstance(oid, str) else None


def same_id(a: Op, b: Op) -> bool:
    # an operationId is only compared when both sides have one
    return a.operation_id is None or b.operation_id is None or a.operation_id == b.operation_id


def operations(doc: Document, spec: str = "") -> dict[tuple[str, str], Op]:
    """Every operation of DOC, keyed by its normalized path and method."""
    result: dict[tuple[str, str], Op] = {}
    paths = doc.root.get("paths")
    if not isinstance(paths, dict):
        return result
    for path, raw_item in paths.items():
        item, _ = doc.resolve(raw_item)
        if not isinstance(path, str) or not isinstance(item, dict):
            continue
        norm = normalize_path(path)
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                result[(norm, method)] = Op(path, method, op, item, doc, spec)
    return result
