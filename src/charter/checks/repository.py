"""The checks run on a repository: each reads its facts through git/, then its pure rule decides."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from charter.apidiff.compare import ApiChange
from charter.checks.findings import Finding
from charter.checks.flags.diff import SOURCE_SUFFIXES, compare_flags, flags_in
from charter.checks.flags.experimental import FlagRules, check_flag_files, files_to_read, flag_files
from charter.checks.owners.repo_owners import (
    OwnerFiles,
    RepoOwners,
    is_ownership_file,
    unowned_after_changes,
)
from charter.checks.proposals import ProposalRules, check_proposals, proposal_entries, readable
from charter.errors import CharterError
from charter.git.command import ensure_repo, resolve_rev, run_git
from charter.git.history import added_commits
from charter.git.objects import list_files, read_objects


def load_owner_files(repo: str | Path, rev: str = "HEAD") -> OwnerFiles:
    """Read every OWNERS file, the root OWNERS_ALIASES and CODEOWNERS at REV, and the path list."""
    top = ensure_repo(repo)
    sha = resolve_rev(top, rev)
    listing = run_git(top, ["ls-tree", "-r", "-z", "--full-tree", sha])
    tree: list[str] = []
    wanted: list[tuple[str, str]] = []
    symlinked: list[str] = []
    # One decode of the whole listing: each record is "<mode> <type> <sha>\t<path>".
    for record in listing.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = record.partition("\t")
        if not path or " blob " not in meta:
            continue  # the trailing empty record, and submodules, which own nothing here
        tree.append(path)
        if is_ownership_file(path):
            mode, _, blob = meta.split()
            if mode == "120000":
                symlinked.append(path)  # Prow's walk (Lstat) skips symlinks; so do we
            else:
                wanted.append((path, blob))
    blobs = read_objects(top, [blob for _, blob in wanted])
    files: dict[str, str] = {}
    for path, blob in wanted:
        text = blobs[blob]
        if text is None:
            raise CharterError(f"git cat-file could not read {path} ({blob})", file=str(top))
        files[path] = text.decode("utf-8", "surrogateescape")
    return OwnerFiles(files=files, tree=tuple(tree), symlinked=tuple(symlinked))


def load_repo_owners(repo: str | Path, rev: str = "HEAD") -> RepoOwners:
    """RepoOwners for REV of the repository at REPO."""
    return RepoOwners(load_owner_files(repo, rev).files)


def unowned_between(repo: str | Path, base: str, head: str) -> list[Finding]:
    """`unowned_after_changes` for a pull request: HEAD's ownership files against the merge base
    of BASE and HEAD, over HEAD's tree."""
    top = ensure_repo(repo)
    base_sha, head_sha = resolve_rev(top, base), resolve_rev(top, head)
    fork = run_git(top, ["merge-base", base_sha, head_sha], check=False).decode().strip()
    before = load_owner_files(top, fork or base_sha)
    after = load_owner_files(top, head_sha)
    changes: dict[str, str | None] = {
        path: after.files.get(path)
        for path in sorted(set(before.files) | set(after.files))
        if before.files.get(path) != after.files.get(path)}
    return unowned_after_changes(before.files, changes, after.tree)


def proposals_at(repo: str | Path, rev: str, rules: ProposalRules) -> list[Finding]:
    """Check every proposal in REV's tree, each against the template in force when it was added."""
    sha = resolve_rev(repo, rev)
    entries = proposal_entries(rules, list_files(repo, sha))
    added: dict[str, str] = {}
    names = [e.oid for e in readable(entries)]
    if rules.template:
        added = added_commits(repo, sha, rules.globs)
        names += [f"{sha}:{rules.template}"]
        names += [f"{c}:{rules.template}" for c in sorted({added[e.path] for e in readable(entries)
                                                            if e.path in added})]
    return check_proposals(rules, sha, entries, added, read_objects(repo, names))


def flags_at(repo: str | Path, rev: str, rules: FlagRules,
             paths: Sequence[str] | None = None) -> list[Finding]:
    """Check the flags defined at REV: all Python and Go files, or only PATHS when given."""
    sha = resolve_rev(repo, rev)
    entries = list_files(repo, sha)
    targets = flag_files(entries, paths)
    to_read = files_to_read(entries, targets)
    blobs = read_objects(repo, [e.oid for e in to_read.values()])
    return check_flag_files(targets, to_read, blobs, rules)


def flagdiff(repo: str | Path, old_rev: str, new_rev: str, paths: Sequence[str] | None = None,
             *, marker: str = "experimental") -> list[ApiChange]:
    """Flags removed, added or changed from OLD_REV to NEW_REV in the changed source files.

    PATHS limits the files read (they are still only read when changed).
    """
    top = ensure_repo(repo)
    old, new = resolve_rev(top, old_rev), resolve_rev(top, new_rev)
    wanted = set(paths) if paths is not None else None
    out = run_git(top, ["diff", "--name-only", "--no-renames", "-z", old, new, "--"])
    changed = [p for p in (raw.decode("utf-8", "surrogateescape") for raw in out.split(b"\0"))
               if p.endswith(SOURCE_SUFFIXES) and (wanted is None or p in wanted)]
    if not changed:
        return []
    blobs = read_objects(top, [f"{rev}:{p}" for rev in (old, new) for p in changed])
    before = flags_in({p: blobs[f"{old}:{p}"] for p in changed}, marker)
    after = flags_in({p: blobs[f"{new}:{p}"] for p in changed}, marker)
    return compare_flags(before, after)
