"""Facts about one pull request read from git: the policy at BASE, changed files, trees."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from charter.apidiff.compare import ApiChange, TierRules, apidiff_set
from charter.checks.findings import Finding
from charter.checks.flags.experimental import FlagRules
from charter.checks.owners.repo_owners import RepoOwners
from charter.checks.repository import flagdiff, flags_at, load_repo_owners
from charter.errors import CharterError
from charter.gate.model import FileChange
from charter.git.command import run_git
from charter.git.objects import TreeEntry, list_files, read_blob, read_objects
from charter.policy.schema import Policy


def default_policy() -> Policy:
    """What a repository without a policy gets: DCO, commit style and approval through OWNERS."""
    return Policy.model_validate({
        "project": {"name": "built-in defaults"}, "roles": ["maintainer"],
        "pull_requests": {"dco": {}, "commits": {}, "approval": {"owners": "OWNERS"}}})


def policy_at(repo: str | Path, rev: str, name: str = "charter.yaml") -> Policy | None:
    """The policy file NAME as committed at REV (None when REV has none).

    An `extends:` naming another file is read from REV too, never from the working tree.
    """
    import tempfile

    from charter.policy.loader import PRESETS, load_policy
    from charter.yamlio import parse_yaml, plain

    text = read_blob(repo, rev, name)
    if text is None:
        return None
    label = f"{rev[:12]}:{name}"
    node = parse_yaml(_text(text, label), label)
    if not isinstance(node, Mapping):
        raise CharterError("a policy file must be a YAML mapping", file=label)
    with tempfile.TemporaryDirectory(prefix="charter-gate-") as tmp:
        # Copy the chain of extended files out of REV so the loader resolves them there.
        current, data = name, plain(node)
        seen: set[str] = set()
        while isinstance(data, Mapping) and isinstance(data.get("extends"), str) \
                and data["extends"] not in PRESETS:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(current),
                                                       data["extends"]))
            if posixpath.isabs(data["extends"]) or target == ".." or target.startswith("../"):
                # Read from BASE only: a path outside the repository would read this machine.
                raise CharterError(f"extends: {data['extends']!r} is outside the repository; "
                                   "name a preset or a file committed in the repository",
                                   file=f"{rev[:12]}:{current}")
            if target in seen:
                break  # the loader reports the cycle
            seen.add(target)
            blob = read_blob(repo, rev, target)
            if blob is None:
                break
            out = Path(tmp, target)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(blob)
            current, data = target, plain(parse_yaml(_text(blob, target), f"{rev[:12]}:{target}"))
        base_dir = Path(tmp, posixpath.dirname(name))
        return load_policy(node, base_dir=base_dir, file=label).policy


def _text(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CharterError("not UTF-8 text; save the file as UTF-8", file=label) from None


def changed_files(repo: str | Path, old: str, new: str) -> list[FileChange]:
    """What changed from OLD to NEW, renames detected (`git diff --name-status -M -z`)."""
    out = run_git(repo, ["diff", "--name-status", "-M", "-z", "--no-ext-diff", "--no-color",
                         old, new, "--"])
    tokens = [t.decode("utf-8", "surrogateescape") for t in out.split(b"\0")]
    changes: list[FileChange] = []
    i = 0
    while i < len(tokens) and tokens[i]:
        status = tokens[i][0]
        if status in "RC":
            changes.append(FileChange(status, tokens[i + 2], tokens[i + 1]))
            i += 3
        else:
            changes.append(FileChange(status, tokens[i + 1]))
            i += 2
    return changes


def tree_of(repo: str | Path, rev: str) -> str | None:
    """The tree id of REV, or None when REV is unknown."""
    out = run_git(repo, ["rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}"], check=False)
    return out.decode().strip() or None


K = TypeVar("K")
V = TypeVar("V")


def _memo(store: dict[K, V], key: K, read: Callable[[], V]) -> V:
    if key not in store:
        store[key] = read()
    return store[key]


class GitReader:
    """The gate's `Reader` over one repository: each question asked of git once, then kept.

    A reader lives for one evaluation of one pull request, so nothing goes stale.
    """

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._blobs: dict[tuple[str, str], bytes | None] = {}
        self._files: dict[str, list[TreeEntry]] = {}
        self._trees: dict[str, str | None] = {}
        self._owners: dict[str, RepoOwners] = {}
        self._api: dict[str, list[ApiChange] | CharterError] = {}

    def blob(self, rev: str, path: str) -> bytes | None:
        return _memo(self._blobs, (rev, path), lambda: read_blob(self.repo, rev, path))

    def texts(self, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        keys = list(dict.fromkeys(wanted))
        blobs = read_objects(self.repo, [f"{rev}:{path}" for rev, path in keys]) if keys else {}
        out: dict[tuple[str, str], str] = {}
        for rev, path in keys:
            data = blobs.get(f"{rev}:{path}")
            if data is not None:
                try:
                    out[(rev, path)] = data.decode("utf-8")
                except UnicodeDecodeError:
                    continue
        return out

    def files(self, rev: str) -> list[TreeEntry]:
        return _memo(self._files, rev, lambda: list_files(self.repo, rev))

    def top_folders(self, rev: str) -> set[str]:
        out = run_git(self.repo, ["ls-tree", "-z", "--name-only", rev])
        return {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}

    def tree(self, rev: str) -> str | None:
        return _memo(self._trees, rev, lambda: tree_of(self.repo, rev))

    def changed(self, old: str, new: str) -> list[FileChange]:
        return changed_files(self.repo, old, new)

    def owners(self, rev: str) -> RepoOwners:
        return _memo(self._owners, rev, lambda: load_repo_owners(self.repo, rev))

    def flag_findings(self, rev: str, rules: FlagRules, paths: Sequence[str]) -> list[Finding]:
        return flags_at(self.repo, rev, rules, paths=paths)

    def flag_changes(self, old: str, new: str, marker: str) -> list[ApiChange]:
        return flagdiff(self.repo, old, new, marker=marker)

    def api_changes(self, old: Mapping[str, str], new: Mapping[str, str],
                    tiers: TierRules) -> list[ApiChange]:
        def compare() -> list[ApiChange] | CharterError:
            try:
                return list(apidiff_set(old, new, repo=self.repo, tiers=tiers).changes)
            except CharterError as err:
                return err

        found = _memo(self._api, repr((sorted(old.items()), sorted(new.items()), tiers)),
                      compare)
        if isinstance(found, CharterError):
            raise found
        return found
