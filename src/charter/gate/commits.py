"""`dco` and `commits`: sign-off and commit style of the pull request's own commits.

Each commit's finding says what is wrong with it; the fix is said once for the whole pull
request (one `git rebase --signoff` signs off every commit), in the requirement's `fix`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from charter.checks.commits import commit_checker
from charter.checks.dco import DcoRules, check_dco
from charter.checks.findings import Finding
from charter.gate.model import GateContext, Requirement, listed, source_of

#: Rules fixed by signing off again; the other dco rules need their own fix.
_SIGNOFF_RULES = frozenset({"dco.signoff-missing", "dco.signoff-mismatch",
                            "dco.signoff-malformed"})
#: Rules fixed by rewording a message.
_REWORD_RULES = frozenset({"commits.title-empty", "commits.title-too-long",
                           "commits.body-missing", "commits.not-conventional",
                           "commits.conventional-type"})


def commit_requirements(ctx: GateContext) -> list[Requirement]:
    """One requirement per commit rule the policy enables, from the findings of its check."""
    config = ctx.config
    prs = ctx.policy.pull_requests
    out: list[Requirement] = []
    n = len(ctx.commits)
    if config.dco is not None:
        found = list(check_dco(ctx.commits, config.dco))
        out.append(_requirement(
            "dco", found, source_of(prs.dco), f"all {n} commit(s) carry a valid sign-off",
            f"of {n} commit(s) lack a valid sign-off", _dco_fixes(ctx, found, config.dco)))
    if config.commits is not None:
        check = commit_checker(config.commits)
        found = [f for commit in ctx.commits for f in check(commit)]
        out.append(_requirement(
            "commits", found, source_of(prs.commits),
            f"all {n} commit message(s) follow the commit style",
            f"of {n} commit message(s) break the commit style", _style_fixes(ctx, found)))
    return out


def problem(finding: Finding) -> str:
    """What a commit finding says is wrong, without the fix its message ends with."""
    return finding.message.partition(". To fix, ")[0].rstrip(".")


def _requirement(rule: str, findings: list[Finding], source: str | None, ok: str,
                 failing: str, fixes: list[str]) -> Requirement:
    errors = [f for f in findings if f.severity == "error"]
    details: dict[str, Any] = {}
    if findings:
        details["findings"] = [f.to_json() for f in findings]
    if not errors:
        notes = [problem(f) for f in findings]
        return Requirement(rule, True, ok + (f" (notes: {listed(notes)})" if notes else ""),
                           source, details=details)
    commits = len({f.commit for f in errors})
    summary = f"{commits} {failing}"
    items = [problem(f) for f in errors]
    details.update(summary=summary, items=items, fix=fixes)
    message = f"{summary}: {listed(items)}; to fix, {'; '.join(fixes)}"
    return Requirement(rule, False, message, source, details=details)


def _dco_fixes(ctx: GateContext, findings: Sequence[Finding], rules: DcoRules) -> list[str]:
    errors = [f for f in findings if f.severity == "error"]
    unsigned = {f.commit for f in errors if f.rule in _SIGNOFF_RULES}
    fixes = []
    if unsigned == {ctx.head}:
        fixes.append("run `git commit --amend --no-edit -s` and force-push")
    elif unsigned:
        fixes.append(f"run `git rebase --signoff {ctx.fork}` to sign off every commit of the "
                     "pull request, and force-push")
    if any(f.rule == "dco.invalid-email" for f in errors):
        fixes.append(f"give each commit with an invalid email a valid author (`git rebase -i "
                     f"{ctx.fork}` with `edit`, then `git commit --amend --no-edit -s "
                     "--author='Name <name@example.org>'`) and force-push")
    if any(f.rule == "dco.coauthor-signoff-missing" for f in errors):
        fixes.append(f"add each co-author's `Signed-off-by:` line (`git rebase -i {ctx.fork}` "
                     "with `reword`) and force-push")
    if rules.individual_remediation and unsigned:
        lines = [f"`I, {c.author_name} <{c.author_email}>, hereby add my Signed-off-by to this "
                 f"commit: {c.sha}`" for c in ctx.commits if c.sha in unsigned]
        who = "someone else, with `On behalf of Name <email>, I, Your Name <your@email>, ...`" \
            if rules.third_party_remediation else "each commit's author"
        fixes.append(f"or, keeping history, {who} adds a commit whose message contains "
                     f"{listed(lines, 10, ', ')}")
    return fixes


def _style_fixes(ctx: GateContext, findings: Sequence[Finding]) -> list[str]:
    errors = [f for f in findings if f.severity == "error"]
    reword = {f.commit for f in errors if f.rule in _REWORD_RULES}
    fixes = []
    if reword == {ctx.head}:
        fixes.append("reword the message with `git commit --amend` and force-push")
    elif reword:
        which = "its message" if len(reword) == 1 else "their messages"
        fixes.append(f"reword {which} with `git rebase -i {ctx.fork}` (mark the commit "
                     "`reword`) and force-push")
    if any(f.rule == "commits.merge-commit" for f in errors):
        fixes.append(f"rebase the branch onto its target instead of merging it (`git rebase "
                     f"{ctx.base}`) and force-push")
    return fixes
