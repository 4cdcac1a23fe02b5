"""An on-disk cache of parsed, validated OpenAPI documents, keyed by content hash or blob id.

Parsing and validating a megabyte spec takes a fraction of a second; reading it back as JSON
is several times faster. The verdict depends only on the bytes, so it is stored once per content
under `$XDG_CACHE_HOME/charter/apidiff/` (or `~/.cache/charter/apidiff/`), with the document's
warnings. Only readable documents are stored, so a hit means "parsed and validated". A cache
folder that cannot be created or written, or that lies inside the repository being read, turns
the cache off rather than failing the command.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from charter.apidiff.spec_warnings import SpecWarning

__all__ = ["DiskCache", "content_key", "default_cache_root"]

#: Bumped when the stored shape or the loader's output changes, so stale entries are ignored.
FORMAT = "2"


def content_key(data: bytes) -> str:
    """The cache key of a file's bytes: their sha256, prefixed so it never equals a blob id."""
    return "sha256-" + hashlib.sha256(data).hexdigest()


def default_cache_root() -> Path | None:
    """`$XDG_CACHE_HOME/charter`, else `~/.cache/charter`; None when no home is known."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "charter"
    try:
        return Path.home() / ".cache" / "charter"
    except RuntimeError:
        return None


@lru_cache(maxsize=1)
def _validator_version() -> str:
    # a new validator or schema may judge a document differently, so it names the folder
    from charter.apidiff.validate import validator_version

    return hashlib.sha256(validator_version().encode()).hexdigest()[:12]


class DiskCache:
    """Validated documents stored as JSON files named by key; every failure is a cache miss."""

    def __init__(self, root: Path | None) -> None:
        self.folder = (root / "apidiff" / f"v{FORMAT}-{_validator_version()}"
                       if root is not None else None)
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls) -> DiskCache:
        """The cache under the user's cache folder."""
        return cls(default_cache_root())

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def usable_for(self, work_tree: Path | None) -> bool:
        """Whether the cache may be used while reading WORK_TREE (never inside it)."""
        if self.folder is None:
            return False
        if work_tree is None:
            return True
        try:
            self.folder.resolve().relative_to(work_tree.resolve())
        except ValueError:
            return True
        return False

    def _file(self, key: str) -> Path | None:
        if self.folder is None or not key.replace("-", "").isalnum():
            return None
        return self.folder / key[-2:] / f"{key}.json"

    def get(self, key: str) -> tuple[dict[str, Any], tuple[SpecWarning, ...]] | None:
        """The validated document stored under KEY and its warnings, or None."""
        file = self._file(key)
        if file is None:
            return None
        try:
            with file.open("rb") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            self.misses += 1
            return None
        raw = data.get("warnings") if isinstance(data, dict) else None
        warnings = [SpecWarning.from_json(w) for w in raw] if isinstance(raw, list) else [None]
        if not isinstance(data, dict) or data.get("valid") is not True or not isinstance(
                data.get("document"), dict) or None in warnings:
            self.misses += 1
            return None
        self.hits += 1
        document: dict[str, Any] = data["document"]
        return document, tuple(w for w in warnings if w is not None)

    def put(self, key: str, document: dict[str, Any],
            warnings: tuple[SpecWarning, ...] = ()) -> bool:
        """Store DOCUMENT (already validated) and its WARNINGS under KEY; False if it failed."""
        file = self._file(key)
        if file is None:
            return False
        try:
            text = json.dumps({"valid": True, "document": document,
                               "warnings": [w.to_json() for w in warnings]},
                              separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            return False  # a value JSON cannot hold (NaN is fine; a set is not)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            # written aside and renamed, so a reader never sees half a file
            fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(tmp, file)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            self.folder = None  # unwritable: stop trying for the rest of this run
            return False
        return True
