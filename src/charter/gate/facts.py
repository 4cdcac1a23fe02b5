"""Facts about one pull request read from git: the policy at BASE, changed files, trees."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from charter.apidiff.compare import ApiChange, ApiDiffResult, TierRules, apidiff_set
from charter.apidiff.spec_warnings import SpecWarning
from charter.checks.findings import Finding
from charter.checks.flags.experimental import FlagRules
from charter.checks.owners.repo_owners import RepoOwners
from charter.checks.repository import flagdiff, flags_at, load_repo_owners
from charter.errors import CharterError, excerpt
from charter.gate.model import FileChange
from charter.git.command import run_git
from charter.git.objects import TreeEntry, list_files, read_blob, read_objects
from charter.policy.files import Found, Missing, Refused
from charter.policy.schema import Policy
from charter.yamlio import MAX_YAML_BYTES


def default_policy(owners: RepoOwners | None = None) -> Policy:
    """What a repository without a policy gets: DCO, commit style, and approval through the
    base's OWNERS files (OWNERS), or through its CODEOWNERS file when it has no OWNERS file."""
    source = "OWNERS"
    if owners is not None and not owners.owners_files and owners.codeowners is not None:
        source = "CODEOWNERS"
    return Policy.model_validate({
        "project": {"name": "built-in defaults"}, "roles": ["maintainer"],
        "pull_requests": {"dco": {}, "commits": {}, "approval": {
            "owners": source,
            "preset_choice": "No policy: approvers come from OWNERS files, or from CODEOWNERS "
                             "when the base has no OWNERS file."}}})


def policy_at(repo: str | Path, rev: str, name: str = "charter.yaml") -> Policy | None:
    """The policy file NAME as committed at REV (None when REV has none).

    An `extends:` naming another file is read from REV too, never from the working tree.
    """
    from charter.policy.loader import load_policy_node
    from charter.yamlio import parse_yaml

    text = read_blob(repo, rev, name)
    if text is None:
        return None
    label = f"{rev[:12]}:{name}"
    node = parse_yaml(_text(text, label), label)
    if not isinstance(node, Mapping):
        raise CharterError("a policy file must be a YAML mapping", file=label)
    return load_policy_node(node, file=label, files=Revision(repo, rev),
                            folder=posixpath.dirname(name),
                            identity=posixpath.normpath(name)).policy


@dataclass(frozen=True)
class Revision:
    """Policy files as committed at REV: paths stay inside the repository, blobs under the cap."""

    repo: str | Path
    rev: str

    def find(self, ref: str, folder: str) -> Found:
        target = posixpath.normpath(posixpath.join(folder, ref))
        if posixpath.isabs(ref) or target == ".." or target.startswith("../"):
            # Read from REV only: a path outside the repository would read this machine.
            raise Refused(f"{excerpt(ref)} is outside the repository; name a preset or a "
                          "file committed in the repository")
        return Found(target, f"{self.rev[:12]}:{target}", posixpath.dirname(target))

    def read(self, found: Found) -> str:
        blob = read_blob(self.repo, self.rev, found.key)
        if blob is None:
            raise Missing(f"{found.label} does not exist")
        if len(blob) > MAX_YAML_BYTES:
            raise Refused(f"{found.label} is {len(blob):,} bytes, over the "
                          f"{MAX_YAML_BYTES:,}-byte limit for a policy file")
        return _text(blob, found.label)


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
        self._api: dict[str, ApiDiffResult | CharterError] = {}

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
        return list(self._api_result(old, new, tiers).changes)

    def api_warnings(self, old: Mapping[str, str], new: Mapping[str, str],
                     tiers: TierRules) -> list[SpecWarning]:
        return list(self._api_result(old, new, tiers).warnings)

    def _api_result(self, old: Mapping[str, str], new: Mapping[str, str],
                    tiers: TierRules) -> ApiDiffResult:
        def compare() -> ApiDiffResult | CharterError:
            try:
                return apidiff_set(old, new, repo=self.repo, tiers=tiers)
            except CharterError as err:
                return err

        found = _memo(self._api, repr((sorted(old.items()), sorted(new.items()), tiers)),
                      compare)
        if isinstance(found, CharterError):
            raise found
        return found
