"""Loading OpenAPI documents for apidiff: a file or `REV:path`, parsed and validated.

Nothing outside the named file or blob is ever read: `$ref`s are resolved inside the document
only (`refs.py`). A document larger than MAX_BYTES is refused before it is read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from charter.apidiff.cache import DiskCache, content_key
from charter.apidiff.parse import HAS_C_LOADER, parse_document
from charter.apidiff.progress import LARGE_BYTES, report
from charter.apidiff.spec_warnings import SpecWarning
from charter.apidiff.validate import validate_document
from charter.errors import CharterError
from charter.git.command import ensure_repo, resolve_rev, run_git

__all__ = [
    "BLOB_CACHE",
    "HAS_C_LOADER",
    "MAX_BYTES",
    "LoadedSpec",
    "SpecCache",
    "commit_time",
    "load_spec",
    "parse_blob",
    "parse_document",
    "split_rev_path",
    "validate_document",
]

#: The largest document apidiff reads: 64 MiB (docs/cli.md); a 50 MB spec compares in seconds.
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    """A parsed, validated OpenAPI document, the name to report it by, and its warnings."""

    label: str
    document: dict[str, Any]
    warnings: tuple[SpecWarning, ...] = field(default=())
    large: bool = False  # big enough to report progress on


#: A parsed document and its warnings (none when it was only parsed, not validated).
Entry = tuple[dict[str, Any], tuple[SpecWarning, ...]]


class SpecCache:
    """Parsed and validated documents keyed by git blob id, so a blob is read only once."""

    def __init__(self) -> None:
        self._docs: dict[str, Entry] = {}
        self._lock = threading.Lock()

    def get(self, blob: str) -> Entry | None:
        with self._lock:
            return self._docs.get(blob)

    def put(self, blob: str, entry: Entry) -> None:
        with self._lock:
            self._docs[blob] = entry

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
            _check_size(file.stat().st_size, ref)
            data = file.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise CharterError(f"cannot read the file: {err}", file=ref) from err
        return _loaded(ref, _validated(text, ref, content_key(data), disk), len(data))
    parts = split_rev_path(ref)
    if parts is None:
        what = "is a folder, not a file" if file.exists() else "no such file"
        raise CharterError(f"{what}; give an OpenAPI file, or REV:path inside --repo", file=ref)
    return _load_from_git(ref, parts, repo if repo is not None else ".",
                          BLOB_CACHE if cache is None else cache, disk)


def _loaded(label: str, entry: Entry, size: int = 0) -> LoadedSpec:
    # warnings are stored with the name the document had then; report it by this one
    document, warnings = entry
    return LoadedSpec(label, document, tuple(
        w if w.spec == label else SpecWarning(w.id, w.location, w.message, label)
        for w in warnings), size >= LARGE_BYTES)


def _check_size(size: int, label: str) -> None:
    if size > MAX_BYTES:
        raise CharterError(f"the document has {size / 1e6:.1f} MB; apidiff reads OpenAPI "
                           f"documents up to {MAX_BYTES // (1024 * 1024)} MiB", file=label)


def _validated(text: str, label: str, key: str, disk: DiskCache | None) -> Entry:
    cached = disk.get(key) if disk is not None else None
    if cached is not None:
        return cached
    large = len(text) >= LARGE_BYTES
    if large:
        report(f"reading {label} ({len(text) / 1e6:.1f} MB)")
    document = parse_document(text, label)
    if large:
        report(f"checking {label}")
    warnings = tuple(validate_document(document, label))
    if disk is not None:
        disk.put(key, document, warnings)
    return document, warnings


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
        return _loaded(ref, cached)
    usable = disk if disk.usable_for(top) else None
    hit = usable.get(blob) if usable is not None else None
    if hit is not None:
        cache.put(blob, hit)
        return _loaded(ref, hit)
    text = _blob_text(top, blob, ref)
    entry = _validated(text, ref, blob, usable)
    cache.put(blob, entry)
    return _loaded(ref, entry, len(text))


def _blob_text(top: Path, blob: str, label: str) -> str:
    size = run_git(top, ["cat-file", "-s", blob]).decode().strip()
    _check_size(int(size) if size.isdigit() else 0, label)
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
            return found[0]
    if disk is not None and disk.usable_for(top):
        hit = disk.get(blob)
        if hit is not None:
            return hit[0]
    document = parse_document(_blob_text(top, blob, label), label)
    _PARSED.put(blob, (document, ()))
    return document


def commit_time(repo: str | Path, rev: str) -> datetime:
    """The committer date of REV, with its zone."""
    out = run_git(repo, ["show", "-s", "--format=%cI", f"{rev}^{{commit}}", "--"])
    return datetime.fromisoformat(out.decode().strip())
