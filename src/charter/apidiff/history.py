"""Dates for apidiff from git: "now" (the NEW revision's commit date) and deprecation dates.

A deprecated operation's deprecation date is the committer date of the first commit of its
current deprecation: the spec file's history is walked from OLD's revision back (`git log`,
newest first, commits that touched the file) while the operation is still `deprecated: true`;
the oldest commit of that run is the date. An operation deprecated, reactivated and deprecated
again is dated from the second deprecation, because clients were told only then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

from charter.apidiff.cache import DiskCache
from charter.apidiff.load import commit_time, parse_blob, split_rev_path
from charter.apidiff.operations import normalize_path, operations
from charter.apidiff.schema import Document
from charter.errors import CharterError
from charter.git.command import ensure_repo, run_git

__all__ = ["DeprecatedSince", "commit_now", "history_dates"]

#: (spec, METHOD, path) of a removed deprecated operation -> (when it was deprecated, by what).
DeprecatedSince = Callable[[str, str, str], "tuple[datetime, str] | None"]

_NO_BLOB = "0" * 40


def _rev_ref(ref: str) -> tuple[str, str] | None:
    return None if Path(ref).is_file() else split_rev_path(ref)


def commit_now(repo: Path, refs: Iterable[str]) -> datetime | None:
    """The commit date of the first `REV:path` among REFS (the NEW side), or None."""
    for ref in refs:
        parts = _rev_ref(ref)
        if parts is not None:
            return commit_time(ensure_repo(repo), parts[0])
    return None


def _versions(top: Path, rev: str, path: str) -> list[tuple[str, datetime, str]]:
    """(commit, committer date, blob id of PATH) for each commit touching PATH, newest first."""
    out = run_git(top, ["log", "--no-renames", "--raw", "--no-abbrev", "--format=%x01%H %cI",
                        rev, "--", path])
    versions: list[tuple[str, datetime, str]] = []
    for record in out.decode("utf-8", "replace").split("\x01")[1:]:
        lines = record.strip("\n").splitlines()
        commit, _, when = lines[0].partition(" ")
        raw = [line for line in lines[1:] if line.startswith(":")]
        if not raw:
            continue  # a merge: the commit that changed the file is listed on its own
        blob = raw[0].split("\t", 1)[0].split()[3]
        versions.append((commit, datetime.fromisoformat(when), blob))
    return versions


def history_dates(repo: Path, old: Mapping[str, str], *,
                  disk: DiskCache | None = None) -> DeprecatedSince:
    """A `DeprecatedSince` reading the history of each OLD spec given as `REV:path`."""

    walks: dict[str, list[tuple[str, datetime, str]]] = {}

    def since(spec: str, method: str, path: str) -> tuple[datetime, str] | None:
        ref = old.get(spec)
        parts = _rev_ref(ref) if ref is not None else None
        if ref is None or parts is None:
            return None
        rev, file = parts
        try:
            top = ensure_repo(repo)
            if ref not in walks:
                walks[ref] = _versions(top, rev, file)
        except CharterError:
            return None
        key = (normalize_path(path), method.lower())
        found: tuple[datetime, str] | None = None
        for commit, when, blob in walks[ref]:
            if blob == _NO_BLOB:
                break
            try:
                document = parse_blob(top, blob, f"{commit[:7]}:{file}", disk)
            except CharterError:
                break  # an unparsable old version ends the run: nothing before it is known
            op = operations(Document(document)).get(key)
            if op is None or op.op.get("deprecated") is not True:
                break
            found = (when, f"commit {commit[:12]}")
        return found

    return since
