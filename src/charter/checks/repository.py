"""The checks run on a repository: each reads its facts through git/, then its pure rule decides."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from pathlib import Path

from charter.apidiff.compare import ApiChange
from charter.checks.findings import Finding
from charter.checks.flags.diff import SOURCE_SUFFIXES, compare_flags, flags_in
from charter.checks.flags.experimental import FlagRules, check_flag_files, files_to_read, flag_files
from charter.checks.owners.codeowners import LOCATIONS as CODEOWNERS_LOCATIONS
from charter.checks.owners.codeowners import MAX_BYTES as CODEOWNERS_MAX_BYTES
from charter.checks.owners.codeowners import too_large as codeowners_too_large
from charter.checks.owners.owners_yaml import decode as decode_owners_yaml
from charter.checks.owners.repo_owners import (
    MAX_OWNERS_BYTES,
    OWNERS_ALIASES,
    OwnerFiles,
    RepoOwners,
    is_ownership_file,
    symlink_problem,
    too_large_problem,
    unowned_after_changes,
)
from charter.checks.proposals import (
    ProposalRules,
    check_proposals,
    locate_proposals,
    proposal_entries,
    readable,
)
from charter.errors import CharterError
from charter.git.command import ensure_repo, resolve_rev, run_git
from charter.git.history import added_commits
from charter.git.objects import list_files, read_objects


def load_owner_files(repo: str | Path, rev: str = "HEAD") -> OwnerFiles:
    """Read every OWNERS file, the root OWNERS_ALIASES and CODEOWNERS at REV, and the path list.

    Symlinks are not followed, except OWNERS_ALIASES to a regular file inside the repository
    (Prow reads that file through the link); oversized files are not read. Both are reported in
    `OwnerFiles.skipped`.
    """
    top = ensure_repo(repo)
    sha = resolve_rev(top, rev)
    listing = run_git(top, ["ls-tree", "-r", "-l", "-z", "--full-tree", sha])
    tree: list[str] = []
    regular: dict[str, tuple[str, int]] = {}  # path -> (blob, size), regular files only
    links: list[tuple[str, str]] = []
    # One decode of the whole listing: each record is "<mode> <type> <sha> <size>\t<path>".
    for record in listing.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = record.partition("\t")
        fields = meta.split()
        if not path or len(fields) != 4 or fields[1] != "blob":
            continue  # the trailing empty record, and submodules, which own nothing here
        tree.append(path)
        mode, _, blob, raw_size = fields
        if mode == "120000":
            if is_ownership_file(path):
                links.append((path, blob))
        else:
            regular[path] = (blob, int(raw_size) if raw_size.isdigit() else 0)
    targets = read_objects(top, [blob for _, blob in links])
    skipped: list[Finding] = []
    wanted = {path: found for path, found in regular.items() if is_ownership_file(path)}
    for path, blob in links:
        target = (targets[blob] or b"").decode("utf-8", "surrogateescape")
        resolved = posixpath.normpath(target)
        followed = (path == OWNERS_ALIASES and not target.startswith("/")
                    and resolved != ".." and not resolved.startswith("../")
                    and resolved in regular)
        if followed:
            wanted[OWNERS_ALIASES] = regular[resolved]
        problem = symlink_problem(path, target, followed=followed)
        if problem is not None:
            skipped.append(problem)
    files: dict[str, str] = {}
    for path, (_, size) in list(wanted.items()):
        if path in CODEOWNERS_LOCATIONS and size >= CODEOWNERS_MAX_BYTES:
            skipped.append(codeowners_too_large(path, size))
            files[path] = ""  # GitHub finds it and loads nothing: the later locations stay unused
            del wanted[path]
        elif path not in CODEOWNERS_LOCATIONS and size > MAX_OWNERS_BYTES:
            skipped.append(too_large_problem(path, size))
            del wanted[path]
    blobs = read_objects(top, [blob for blob, _ in wanted.values()])
    for path, (blob, _) in wanted.items():
        data = blobs[blob]
        if data is None:
            raise CharterError(f"git cat-file could not read {path} ({blob})", file=str(top))
        files[path] = (data.decode("utf-8", "surrogateescape") if path in CODEOWNERS_LOCATIONS
                       else decode_owners_yaml(data))
    return OwnerFiles(files=files, tree=tuple(tree), symlinked=tuple(p for p, _ in links),
                      skipped=tuple(skipped))


def load_repo_owners(repo: str | Path, rev: str = "HEAD") -> RepoOwners:
    """RepoOwners for REV of the repository at REPO."""
    loaded = load_owner_files(repo, rev)
    return RepoOwners(loaded.files, loaded.skipped)


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
    """Check every proposal in REV's tree, each against the template in force when it was added;
    proposals are found beside the template when the repository keeps it elsewhere."""
    sha = resolve_rev(repo, rev)
    tree = list_files(repo, sha)
    rules, notes = locate_proposals(rules, [e.path for e in tree])
    if any(note.rule == "proposals.none-found" for note in notes):
        return notes  # nothing to check, and the template's absence is part of that note
    entries = proposal_entries(rules, tree)
    added: dict[str, str] = {}
    names = [e.oid for e in readable(entries)]
    if rules.template:
        added = added_commits(repo, sha, rules.globs)
        names += [f"{sha}:{rules.template}"]
        names += [f"{c}:{rules.template}" for c in sorted({added[e.path] for e in readable(entries)
                                                            if e.path in added})]
    return notes + check_proposals(rules, sha, entries, added, read_objects(repo, names))


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
