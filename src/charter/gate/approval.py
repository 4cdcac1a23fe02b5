"""`approval.owners`: every changed file approved by its owners, as Prow's approve plugin does.

Who may approve a path is read from BASE: with `owners: OWNERS`, Prow's approvers of the path (an
approver of a folder approves everything below it, up to a `no_parent_owners`); with
`owners: CODEOWNERS`, the owners on the CODEOWNERS line GitHub applies (a team such as
`org/team` is matched by an approval given in the team's name: membership is not known offline).
A renamed file needs approval for its old and its new path; a deleted file for its path; a path
nobody owns has no approver and cannot be approved.

An approval is `LOGIN` (given on the head) or `LOGIN@REV` (given when the head was REV): the
latter counts only when REV's tree equals the head's tree. With `not_author`, the author's own
approval never counts; the author is not offered as an approver. Only approvals given count:
unlike Prow, the author is not implicitly self-approved.

Suggested approvers are the fewest people who together complete every unapproved file. Like Prow,
they are drawn from the closest OWNERS file's approvers (so top-level approvers are not asked for
every change), falling back to all of a file's approvers when the closest ones cannot complete it.
The smallest set is found by exhaustive search up to `EXACT_LIMIT` candidates, greedily beyond
(then said so); among equally small sets the alphabetically first is chosen.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from charter.checks.owners.codeowners import LOCATIONS as CODEOWNERS_LOCATIONS
from charter.checks.owners.repo_owners import RepoOwners, norm_login
from charter.errors import CharterError
from charter.gate.model import GateContext, Requirement, listed
from charter.policy.schema import ApprovalRule

__all__ = ["EXACT_LIMIT", "FileApproval", "approval_requirement", "fewest_approvers"]

RULE = "approval.owners"
#: Up to this many candidates the fewest approvers are found by exhaustive search.
EXACT_LIMIT = 20


@dataclass(frozen=True, slots=True)
class FileApproval:
    """One path that needs approval: who may approve it, who did, how many are still needed."""

    path: str
    note: str
    owners: tuple[str, ...]
    approvers: tuple[str, ...]
    leaf: tuple[str, ...]
    approved_by: tuple[str, ...]
    needed: int

    @property
    def can_complete(self) -> bool:
        return len(self.approvers) - len(self.approved_by) >= self.needed

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "note": self.note or None, "approvers": list(self.approvers),
                "approved_by": list(self.approved_by), "needed": self.needed}


def fewest_approvers(demands: Sequence[tuple[int, Iterable[str]]], candidates: Iterable[str],
                     exact_limit: int = EXACT_LIMIT) -> tuple[tuple[str, ...], bool]:
    """The fewest CANDIDATES such that each demand (need, people) gets NEED of its people.

    Returns the people (sorted) and whether the set is proven smallest (exhaustive search) or
    greedy (more candidates than EXACT_LIMIT). Demands no candidates can meet are left unmet.
    """
    names = sorted(set(candidates))
    index = {name: i for i, name in enumerate(names)}
    # Demands with the same people collapse into one (need, files) entry: the exact search
    # then checks each OWNERS set once, and greedy still weighs it by its number of files.
    wanted: dict[int, tuple[int, int]] = {}
    for need, people in demands:
        mask = sum(1 << index[p] for p in set(people) if p in index)
        need = min(need, mask.bit_count())  # a demand is met as far as candidates allow
        if need > 0:
            most, files = wanted.get(mask, (0, 0))
            wanted[mask] = (max(most, need), files + 1)
    items = [(mask, need) for mask, (need, _) in wanted.items()]
    weights = [files for _, files in wanted.values()]

    def covers(chosen: int) -> bool:
        return all((mask & chosen).bit_count() >= need for mask, need in items)

    if not items:
        return (), True
    if len(names) <= exact_limit:
        for size in range(max(need for _, need in items), len(names) + 1):
            found = _covers_of_size(items, size)
            if found:
                # Among the smallest sets, the alphabetically first (names are sorted).
                first = min(tuple(i for i in range(len(names)) if m >> i & 1) for m in found)
                return tuple(names[i] for i in first), True
    chosen = 0
    while not covers(chosen):
        best, gain = -1, 0
        for i in range(len(names)):
            if chosen >> i & 1:
                continue
            g = sum(weight for (mask, need), weight in zip(items, weights, strict=True)
                    if mask >> i & 1 and (mask & chosen).bit_count() < need)
            if g > gain:
                best, gain = i, g
        if best < 0:
            break
        chosen |= 1 << best
    return tuple(n for i, n in enumerate(names) if chosen >> i & 1), False


def _covers_of_size(items: Sequence[tuple[int, int]], size: int) -> set[int]:
    """Every set of SIZE candidates (as a bit mask) meeting every (mask, need) item.

    Branches on the unmet item with the fewest free candidates (one of them must be chosen),
    so the search grows with the answer's size rather than with every subset of candidates.
    """
    found: set[int] = set()
    seen: set[int] = set()

    def search(chosen: int, count: int) -> None:
        if chosen in seen:
            return
        seen.add(chosen)
        branch, widest = 0, -1
        for mask, need in items:
            deficit = need - (mask & chosen).bit_count()
            if deficit <= 0:
                continue
            if count + deficit > size:
                return  # this item alone needs more people than the size allows
            free = mask & ~chosen
            if widest < 0 or free.bit_count() < widest:
                branch, widest = free, free.bit_count()
        if widest < 0:
            found.add(chosen)
            return
        while branch:
            low = branch & -branch
            search(chosen | low, count + 1)
            branch ^= low

    search(0, 0)
    return found


def _owners_of(owners: RepoOwners, rule: ApprovalRule, path: str
               ) -> tuple[frozenset[str], frozenset[str]]:
    """(approvers, closest approvers) of PATH under the policy's ownership convention."""
    if rule.owners == "CODEOWNERS":
        found = owners.codeowners.owners_of(path) if owners.codeowners is not None else ()
        names = frozenset(norm_login(n) for n in found)
        return names, names
    o = owners.owners_of(path)
    return frozenset(o.approvers), frozenset(o.leaf_approvers)


def _nobody(rule: ApprovalRule, owners: RepoOwners, path: str) -> str:
    """Why PATH has no approver, naming the files that were looked for."""
    if rule.owners == "OWNERS":
        looked = _owners_chain(path)
        present = [f for f in looked if f in owners.owners_files]
        if not owners.owners_files:
            return "the policy reads OWNERS files, and the base has none in any folder"
        if not present:
            return f"no OWNERS file covers it (looked for {_either(looked)})"
        return f"{' and '.join(present)} name{'s' if len(present) == 1 else ''} no approver for it"
    if owners.codeowners is None:
        return f"the base has no CODEOWNERS file (looked for {_either(CODEOWNERS_LOCATIONS)})"
    line = owners.codeowners.match(path)
    if line is None:
        return f"no line of {owners.codeowners.path} matches it"
    return (f"{owners.codeowners.path}:{line.line} (`{line.pattern}`) matches it and names no "
            "owner")


def _owners_chain(path: str) -> list[str]:
    """The OWNERS files Prow reads for PATH: its folder's, then each parent folder's."""
    folders = path.split("/")[:-1]
    return [posixpath.join(*folders[:i], "OWNERS") for i in range(len(folders), 0, -1)] + [
        "OWNERS"]


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _source_notes(rule: ApprovalRule, owners: RepoOwners) -> list[str]:
    """Which ownership file the policy reads, said whenever the base has the other kind too."""
    if rule.owners == "OWNERS" and owners.codeowners is not None:
        if owners.owners_files:
            return [f"approvers come from OWNERS files (pull_requests.approval.owners: OWNERS); "
                    f"{owners.codeowners.path} is not read"]
        return [f"the base has no OWNERS file but has {owners.codeowners.path}, which this "
                "policy does not read: set pull_requests.approval.owners: CODEOWNERS to use it"]
    if rule.owners == "CODEOWNERS" and owners.owners_files:
        where = owners.codeowners.path if owners.codeowners is not None else "CODEOWNERS"
        return [f"approvers come from {where} (pull_requests.approval.owners: CODEOWNERS); "
                f"the {len(owners.owners_files)} OWNERS file(s) are not read"]
    return []


def _targets(ctx: GateContext) -> list[tuple[str, str]]:
    """(path, note) for every path that needs approval, in diff order, each path once."""
    out: dict[str, str] = {}
    for change in ctx.changes:
        if change.status == "R" and change.old_path is not None:
            out.setdefault(change.old_path, f"renamed to {change.path}")
            out.setdefault(change.path, f"renamed from {change.old_path}")
        elif change.status == "D":
            out.setdefault(change.path, "deleted")
        else:
            out.setdefault(change.path, "")
    return list(out.items())


def _counted(ctx: GateContext, rule: ApprovalRule
             ) -> tuple[set[str], list[dict[str, str]], list[dict[str, str]]]:
    """The logins whose approval counts, and the approvals dropped or ignored, with why."""
    head_tree = ctx.read.tree(ctx.head)
    valid: set[str] = set()
    dropped: list[dict[str, str]] = []
    ignored: list[dict[str, str]] = []
    for approval in ctx.approvals:
        by_author = rule.not_author and ctx.author is not None and approval.login == ctx.author
        if approval.at is not None:
            tree = ctx.read.tree(approval.at)
            if tree is None:
                raise CharterError(f"--approved-by {approval}: unknown revision "
                                   f"{approval.at!r}; check it with `git log --oneline`",
                                   file=str(ctx.repo))
            # The author is told their approval never counts, not to approve again.
            if tree != head_tree and not by_author:
                since = [c.path for c in ctx.read.changed(approval.at, ctx.head)]
                dropped.append({
                    "approval": str(approval), "login": approval.login,
                    "reason": f"given at {approval.at}, whose tree differs from the head's: "
                              f"{len(since)} file(s) changed since "
                              f"({listed(since, 5, ', ')}); {approval.login} must /approve "
                              "again"})
                continue
        if by_author:
            ignored.append({"approval": str(approval), "login": approval.login,
                            "reason": f"{approval.login} is the author, and the policy needs "
                                      "an approver other than the author"})
            continue
        valid.add(approval.login)
    # A stale approval is moot when the same person also approved the head.
    return valid, [d for d in dropped if d["login"] not in valid], ignored


def _file_message(f: FileApproval, rule: ApprovalRule, owners: RepoOwners) -> str:
    name = f"{f.path} ({f.note})" if f.note else f.path
    if not f.owners:
        return f"{name} has no approver: {_nobody(rule, owners, f.path)}"
    if not f.approvers:
        return (f"{name} cannot be approved: its only approver is its author "
                f"({', '.join(f.owners)})")
    suffix = " (not the author)" if rule.not_author else ""
    remaining = [a for a in f.approvers if a not in f.approved_by]
    if not f.can_complete:
        return (f"{name} needs {rule.count} approvals but only {len(f.approvers)} of its "
                f"approvers may give one{suffix}: {', '.join(f.approvers)}")
    if rule.count == 1:
        return f"{name} needs /approve from one of: {', '.join(remaining)}{suffix}"
    has = f" (approved by {', '.join(f.approved_by)})" if f.approved_by else ""
    return (f"{name} needs {f.needed} more /approve{has} from: "
            f"{', '.join(remaining)}{suffix}")


def approval_requirement(ctx: GateContext) -> Requirement | None:
    """The `approval.owners` requirement, or None when the policy asks for no approval."""
    rule = ctx.policy.pull_requests.approval
    if rule is None:
        return None
    owners = ctx.read.owners(ctx.base)
    valid, dropped, ignored = _counted(ctx, rule)
    excluded = {ctx.author} if rule.not_author and ctx.author else set()
    files: list[FileApproval] = []
    for path, note in _targets(ctx):
        everyone, leaf = _owners_of(owners, rule, path)
        eligible = everyone - excluded
        got = eligible & valid
        files.append(FileApproval(path, note, tuple(sorted(everyone)), tuple(sorted(eligible)),
                                  tuple(sorted(leaf & eligible)), tuple(sorted(got)),
                                  max(0, rule.count - len(got))))
    pending = [f for f in files if f.needed]
    details: dict[str, Any] = {"files": [f.to_json() for f in files],
                               "counted": sorted(valid)}
    if dropped:
        details["dropped"] = dropped
    if ignored:
        details["ignored"] = ignored
    if ctx.author is None and rule.not_author:
        details["note"] = "the author is unknown (pass --author), so no approval was excluded"
    details["owners_from"] = rule.owners
    notes = [f"approval {d['approval']} dropped: {d['reason']}" for d in dropped]
    notes += [f"approval {d['approval']} ignored: {d['reason']}" for d in ignored]
    if ctx.author is None and rule.not_author and valid:
        notes.append("the author is unknown (pass --author), so an approval by the author "
                     "could not be told apart")
    notes += _source_notes(rule, owners)
    if notes:
        details["notes"] = notes
    if not pending:
        if not files:
            message = "no changed files need approval"
        elif rule.count == 0:
            message = "the policy asks for no approvals"
        else:
            used = sorted({a for f in files for a in f.approved_by})
            message = (f"all {len(files)} changed path(s) approved by their owners: "
                       f"{', '.join(used)}")
        return Requirement(RULE, True, message + "".join(f"; {n}" for n in notes),
                           rule.source, details=details)
    people, exact = _suggest(pending)
    details["unapproved"] = [f.path for f in pending]
    details["suggested_approvers"] = list(people)
    if people and not exact:
        details["suggestion_note"] = (f"more than {EXACT_LIMIT} candidates: suggested "
                                      "greedily, a smaller set may exist")
    messages = [_file_message(f, rule, owners) for f in pending]
    details["summary"] = f"{len(pending)} of {len(files)} changed path(s) need approval"
    details["items"] = messages
    return Requirement(RULE, False, listed(messages) + "".join(f"; {n}" for n in notes),
                       rule.source, details=details)


def _suggest(pending: Sequence[FileApproval]) -> tuple[tuple[str, ...], bool]:
    demands: list[tuple[int, Iterable[str]]] = []
    candidates: set[str] = set()
    for f in pending:
        free = set(f.approvers) - set(f.approved_by)
        if not free:
            continue
        closest = set(f.leaf) - set(f.approved_by)
        candidates |= closest if len(closest) >= f.needed else free
        demands.append((f.needed, free))
    return fewest_approvers(demands, candidates)
