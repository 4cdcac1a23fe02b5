"""`charter gate`: one pull request against the policy, as the service judges it on every event.

The pull request is BASE (its target) and HEAD (its tip). Its commits are merge-base..HEAD and its
changed files are those of `git diff -M merge-base HEAD`. Ownership files and the policy are read
from BASE, never from HEAD, so a pull request cannot pick its own approvers or rules.

Each requirement has a stable `rule` id, a `met` verdict, a message saying what is missing and
from whom, and the charter sentence it encodes (`source`). A requirement is `blocking` or
`advisory`; the pull request is mergeable when every blocking requirement is met. The rules:

- `dco`, `commits`: sign-off and commit style of the pull request's commits;
- `approval.owners`: see `gate.approval`;
- `checks.required`: each required check reported as passing (`success`, `neutral`, `skipped`,
  which GitHub also accepts for required checks); a check not reported is "not reported yet";
- `hold`: no hold label is set;
- `proposal.required`, `rfc.requested` (advisory), `flags.experimental`, `api.breaking`: see
  `gate.content`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from charter.checks.config import config_from_policy
from charter.checks.suite import resolve_since
from charter.errors import CharterError
from charter.gate.approval import approval_requirement
from charter.gate.commits import commit_requirements
from charter.gate.content import (
    api_requirement,
    flag_tests_requirement,
    flags_requirement,
    proposal_requirement,
    rfc_requirement,
)
from charter.gate.facts import GitReader, changed_files, default_policy
from charter.gate.model import (
    Approval,
    GateContext,
    GateResult,
    Requirement,
    parse_approval,
    parse_check,
)
from charter.gate.status import checks_requirement, hold_requirement
from charter.git.command import ensure_repo, resolve_rev, run_git
from charter.git.history import iter_commits
from charter.policy.schema import Policy


def evaluate_gate(repo: str | Path, base: str, head: str, author: str | None,
                  approvals: Iterable[Approval | str], checks: Mapping[str, str] | Iterable[str],
                  labels: Collection[str], policy: Policy | None) -> GateResult:
    """Every requirement POLICY (built-in defaults when None) sets for the pull request."""
    top = ensure_repo(repo)
    base_sha, head_sha = resolve_rev(top, base), resolve_rev(top, head)
    reader = GitReader(top)
    if policy is None:
        policy = default_policy(reader.owners(base_sha))
    fork = run_git(top, ["merge-base", base_sha, head_sha], check=False).decode().strip()
    if not fork:
        raise CharterError(f"{base!r} and {head!r} share no history; check --base and --head",
                           file=str(top))
    if isinstance(checks, Mapping):
        check_states = {name: state.lower() for name, state in checks.items()}
    else:
        check_states = dict(parse_check(text) for text in checks)
    ctx = GateContext(
        repo=top, base=base_sha, head=head_sha, fork=fork,
        author=author.strip().removeprefix("@").lower() if author else None,
        approvals=tuple(a if isinstance(a, Approval) else parse_approval(a) for a in approvals),
        checks=check_states, labels=frozenset(labels), policy=policy,
        config=resolve_since(top, config_from_policy(policy)), read=reader,
        changes=tuple(changed_files(top, fork, head_sha)),
        commits=tuple(iter_commits(top, f"{fork}..{head_sha}", progress=False)))
    requirements: list[Requirement | None] = [
        *commit_requirements(ctx),
        approval_requirement(ctx),
        checks_requirement(ctx),
        hold_requirement(ctx),
        proposal_requirement(ctx),
        rfc_requirement(ctx),
        flags_requirement(ctx),
        flag_tests_requirement(ctx),
        api_requirement(ctx),
    ]
    return GateResult(tuple(r for r in requirements if r is not None), base_sha, head_sha, fork)
