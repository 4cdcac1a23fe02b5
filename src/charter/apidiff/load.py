"""Loading OpenAPI documents for apidiff: a file or `REV:path`, parsed and validated."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from charter.apidiff.cache import DiskCache, content_key
from charter.errors import CharterError
from charter.git.command import ensure_repo, resolve_rev, run_git

# The C loader is several times faster on megabyte specs; fall back when libyaml is missing.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HAS_C_LOADER = _BaseLoader is not yaml.SafeLoader


def _str_keys_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    # YAML reads `200:` as an int and `2024-01-01` as a date; OpenAPI means strings by both.
    loader.flatten_mapping(node)
    pairs = loader.construct_pairs(node, deep=True)
    return {k if isinstance(k, str) else _scalar_text(k): v for k, v in pairs}


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


def _make_loader(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    loader: Any = type(f"OpenAPI{base.__name__}", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:map", _str_keys_mapping)
    loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
    made: type[yaml.SafeLoader] = loader
    return made


FAST_LOADER = _make_loader(_BaseLoader)
PURE_LOADER = _make_loader(yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    """A parsed, validated OpenAPI document and the name to report it by."""

    label: str
    document: dict[str, Any]


def parse_document(text: str, label: str, *, c_loader: bool = True) -> dict[str, Any]:
    """Parse YAML or JSON text into a mapping; errors name LABEL and the line."""
    data: Any
    stripped = text.lstrip()
    if stripped.startswith("{"):
        # JSON is YAML, but the json module reads it an order of magnitude faster.
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        else:
            return _require_mapping(data, label)
    try:
        data = yaml.load(text, Loader=FAST_LOADER if c_loader else PURE_LOADER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = err.problem or err.context or "malformed YAML"
        raise CharterError(f"not valid YAML or JSON: {problem}", file=label, line=line) from err
    except yaml.YAMLError as err:
        raise CharterError(f"not valid YAML or JSON: {err}", file=label) from err
    return _require_mapping(data, label)


def _require_mapping(data: Any, label: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CharterError("not an OpenAPI document: expected a mapping with `openapi`, `info` "
                           "and `paths` at the top", file=label)
    return data


def validate_document(document: dict[str, Any], label: str) -> None:
    """Check DOCUMENT is a valid OpenAPI 3.0/3.1 description; raise naming the first problem."""
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        found = f"openapi: {version!r}" if "openapi" in document else "no `openapi` field"
        if "swagger" in document:
            found = f"swagger: {document['swagger']!r}"
        raise CharterError(f"not an OpenAPI 3.x document ({found}); apidiff compares OpenAPI 3.0 "
                           "and 3.1 descriptions", file=label)
    # Imported here: the validator pulls in jsonschema, which is slow to import.
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as err:
        where = err.json_path if err.json_path not in ("", "$") else "the top level"
        raise CharterError(f"invalid OpenAPI document at {where}: {err.message}",
                           file=label) from err
    except Exception as err:  # unresolvable $ref and similar: the validator's own exception types
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        if len(first) > 200:
            first = first[:200] + "..."
        raise CharterError(f"invalid OpenAPI document: {first}", file=label) from err


class SpecCache:
    """Parsed and validated documents keyed by git blob id, so a blob is read only once."""

    def __init__(self) -> None:
        self._docs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, blob: str) -> dict[str, Any] | None:
        with self._lock:
            return self._docs.get(blob)

    def put(self, blob: str, document: dict[str, Any]) -> None:
        with self._lock:
            self._docs[blob] = document

    def clear(self) -> None:
        with self._lock:
            self._docs.clear()

    def __len__(self) -> int:
        return len(self._docs)


BLOB_CACHE = SpecCache()


def split_rev_path(ref: str) -> tuple[str, str] | None:
    """Split `REV:path` into its parts, or None when REF has no revision part."""
    rev, sep, path = ref.partition(":")
    if not sep or not rev or not path:
        return None
    return rev, path


def load_spec(ref: str, *, repo: str | Path | None = None,
              cache: SpecCache | None = None, disk: DiskCache | None = None) -> LoadedSpec:
    """Load REF (a file path, or `REV:path` inside REPO), parse it and validate it.

    Valid documents are kept in DISK (the user's cache folder by default) keyed by the sha256
    of a file's bytes or by the blob id, so an unchanged spec is validated only once.
    """
    disk = DiskCache.default() if disk is None else disk
    file = Path(ref)
    if file.is_file():
        try:
            data = file.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise CharterError(f"cannot read the file: {err}", file=ref) from err
        return LoadedSpec(ref, _validated(text, ref, content_key(data), disk))
    parts = split_rev_path(ref)
    if parts is None:
        what = "is a folder, not a file" if file.exists() else "no such file"
        raise CharterError(f"{what}; give an OpenAPI file, or REV:path inside --repo", file=ref)
    return _load_from_git(ref, parts, repo if repo is not None else ".",
                          BLOB_CACHE if cache is None else cache, disk)


def _validated(text: str, label: str, key: str, disk: DiskCache | None) -> dict[str, Any]:
    cached = disk.get(key) if disk is not None else None
    if cached is not None:
        return cached
    document = parse_document(text, label)
    validate_document(document, label)
    if disk is not None:
        disk.put(key, document)
    return document


def _load_from_git(ref: str, parts: tuple[str, str], repo: str | Path,
                   cache: SpecCache, disk: DiskCache) -> LoadedSpec:
    rev, path = parts
    top = ensure_repo(repo)
    commit = resolve_rev(top, rev)
    out = run_git(top, ["rev-parse", "--verify", "--quiet", f"{commit}:{path}"], check=False)
    blob = out.decode().strip()
    if not blob:
        raise CharterError(f"{path} does not exist at revision {rev}", file=ref)
    cached = cache.get(blob)
    if cached is not None:
        return LoadedSpec(ref, cached)
    usable = disk if disk.usable_for(top) else None
    hit = usable.get(blob) if usable is not None else None
    if hit is not None:
        cache.put(blob, hit)
        return LoadedSpec(ref, hit)
    document = _validated(_blob_text(top, blob, ref), ref, blob, usable)
    cache.put(blob, document)
    return LoadedSpec(ref, document)


def _blob_text(top: Path, blob: str, label: str) -> str:
    data = run_git(top, ["cat-file", "blob", blob])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CharterError("not a text file (not UTF-8); expected YAML or JSON",
                           file=label) from err


_PARSED = SpecCache()


def parse_blob(top: Path, blob: str, label: str, disk: DiskCache | None = None) -> dict[str, Any]:
    """Blob BLOB parsed but not validated (history walks read many old versions)."""
    for source in (BLOB_CACHE, _PARSED):
        found = source.get(blob)
        if found is not None:
            return found
    if disk is not None and disk.usable_for(top):
        hit = disk.get(blob)
        if hit is not None:
            return hit
    document = parse_document(_blob_text(top, blob, label), label)
    _PARSED.put(blob, document)
    return document


def commit_time(repo: str | Path, rev: str) -> datetime:
    """The committer date of REV, with its zone."""
    out = run_git(repo, ["show", "-s", "--format=%cI", f"{rev}^{{commit}}", "--"])
    return datetime.fromisoformat(out.decode().strip())
