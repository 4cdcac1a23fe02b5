"""`dco` and `commits`: sign-off and commit style of the pull request's own commits."""

from __future__ import annotations

from charter.checks.commits import commit_checker
from charter.checks.dco import check_dco
from charter.gate.model import GateContext, Requirement, from_findings, source_of


def commit_requirements(ctx: GateContext) -> list[Requirement]:
    """One requirement per commit rule the policy enables, from the findings of its check."""
    config = ctx.config
    prs = ctx.policy.pull_requests
    out: list[Requirement] = []
    n = len(ctx.commits)
    if config.dco is not None:
        found = list(check_dco(ctx.commits, config.dco))
        out.append(from_findings("dco", found, source_of(prs.dco),
                                  f"all {n} commit(s) carry a valid sign-off"))
    if config.commits is not None:
        check = commit_checker(config.commits)
        found = [f for commit in ctx.commits for f in check(commit)]
        out.append(from_findings("commits", found, source_of(prs.commits),
                                  f"all {n} commit message(s) follow the commit style"))
    return out
