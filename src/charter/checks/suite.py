"""`charter check`: which checks a policy enables, with what rules, run over one repository."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from charter.checks.commits import CommitRules, commit_checker
from charter.checks.config import CheckConfig
from charter.checks.dco import DcoRules, check_dco
from charter.checks.findings import Finding
from charter.checks.since import Since
from charter.errors import CharterError
from charter.git.command import ensure_repo, resolve_rev
from charter.git.history import Commit, ancestors, iter_commits


def resolve_since(repo: str | Path, config: CheckConfig) -> CheckConfig:
    """CONFIG with each `since: {commit: REV}` resolved in REPO to the history it exempts."""
    resolved: dict[str, Since] = {}

    def fix(rules: DcoRules | CommitRules | None, field_name: str) -> Any:
        if rules is None or rules.since is None or rules.since.commit is None:
            return rules
        rev = rules.since.commit
        if rev not in resolved:
            try:
                sha = resolve_rev(repo, rev)
            except CharterError as err:
                raise CharterError(f"pull_requests.{field_name}.since: {err.message}",
                                   file=err.file) from None
            resolved[rev] = replace(rules.since, older=ancestors(repo, sha))
        return replace(rules, since=resolved[rev])

    return replace(config, dco=fix(config.dco, "dco"), commits=fix(config.commits, "commits"))


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    commits: int = 0
    files: int = 0
    ran: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


def range_end(rev_range: str | None) -> str:
    """The revision whose files a check over REV_RANGE reads: B of `A..B`, else HEAD."""
    return _split_range(rev_range)[1]


def _split_range(rev_range: str | None) -> tuple[str | None, str]:
    if rev_range and ".." in rev_range:
        base, _, head = rev_range.partition("...") if "..." in rev_range else \
            rev_range.partition("..")
        return base or "HEAD", head or "HEAD"
    return None, rev_range or "HEAD"


def run_checks(repo: str | Path, names: list[str], config: CheckConfig,
               rev_range: str | None = None, progress: bool | None = None) -> CheckReport:
    """Run NAMES (all the configuration enables when empty) and gather their findings.

    `api` compares two revisions: named without a range it is an error; enabled by the policy
    only, it is skipped with an info finding, so a plain `charter check` runs everything else.
    """
    top = ensure_repo(repo)
    wanted = list(names or config.enabled())
    base, head = _split_range(rev_range)
    skipped: list[Finding] = []
    if not names and "api" in wanted and base is None:
        wanted.remove("api")
        skipped.append(Finding(
            check="api", rule="api.skipped", severity="info",
            message="the policy lists API specs, but the api check compares two revisions and "
                    "no range was given, so it did not run; pass --range BASE..HEAD (for "
                    "example origin/main..HEAD) to compare the API"))
    report = CheckReport(ran=list(wanted))
    head_sha = resolve_rev(top, head)
    if base is not None:
        resolve_rev(top, base)
    if "dco" in wanted or "commits" in wanted:
        _commit_checks(top, wanted, resolve_since(top, config), rev_range, progress, report)
    if "owners" in wanted:
        from charter.checks.owners.repo_owners import lint_owners
        from charter.checks.repository import load_owner_files, unowned_between

        owner_files = load_owner_files(top, head_sha)
        report.files += len(owner_files.files)
        report.findings += lint_owners(owner_files.files, owner_files.skipped)
        if base is not None:
            report.findings += unowned_between(top, base, head_sha)
    if "proposals" in wanted or "flags" in wanted:
        from charter.git.objects import list_files

        entries = list_files(top, head_sha)
    if "proposals" in wanted:
        from charter.checks.proposals import (
            ProposalRules,
            locate_proposals,
            proposal_entries,
        )
        from charter.checks.repository import proposals_at

        rules_list = config.proposals or (ProposalRules(globs=("docs/proposals/*.md",)),)
        for rules in rules_list:
            report.findings += proposals_at(top, head_sha, rules)
            located, _ = locate_proposals(rules, [e.path for e in entries])
            report.files += len(proposal_entries(located, entries))
    if "flags" in wanted:
        from charter.checks.flags.experimental import FlagRules, flag_files
        from charter.checks.repository import flags_at

        report.findings += flags_at(top, head_sha, config.flags or FlagRules())
        report.files += len(flag_files(entries))
    if "api" in wanted:
        report.findings += _api_check(top, base, head_sha, config)
    report.findings += skipped
    return report


def _commit_checks(top: Path, wanted: list[str], config: CheckConfig, rev_range: str | None,
                   progress: bool | None, report: CheckReport) -> None:
    # One pass over history feeds both checks: git log is the expensive part.
    check_style = commit_checker(config.commits or CommitRules()) \
        if "commits" in wanted else None
    style_findings: list[Finding] = []

    def tap(commits: Iterator[Commit]) -> Iterator[Commit]:
        count = 0
        try:
            if check_style is None:
                for count, commit in enumerate(commits, 1):  # noqa: B007 - counted after
                    yield commit
                return
            found = style_findings.extend
            for count, commit in enumerate(commits, 1):  # noqa: B007 - counted after
                found(check_style(commit))
                yield commit
        finally:
            report.commits += count

    stream = tap(iter_commits(top, rev_range, progress=progress))
    if "dco" in wanted:
        report.findings += check_dco(stream, config.dco or DcoRules())
    else:
        for _ in stream:
            pass
    report.findings += style_findings


def _api_check(top: Path, base: str | None, head: str, config: CheckConfig) -> list[Finding]:
    """Breaking changes between BASE and HEAD: the specs compared as one API, then CLI flags."""
    from charter.apidiff.compare import ApiChange, apidiff_set
    from charter.apidiff.tiers import flags_included, tier_rules_from_policy
    from charter.checks.repository import flagdiff
    from charter.git.objects import read_blob

    specs = config.api_specs
    with_flags = flags_included(config.api)
    if base is None:
        raise CharterError("the api check compares two revisions: pass --range BASE..HEAD")
    if not specs and not with_flags:
        raise CharterError("the api check needs the policy to list its OpenAPI files under "
                           "pull_requests.api.specs")
    old = {s: f"{base}:{s}" for s in specs if read_blob(top, base, s) is not None}
    new = {s: f"{head}:{s}" for s in specs if read_blob(top, head, s) is not None}
    changes: list[ApiChange] = []
    findings: list[Finding] = []
    if old or new:
        # a spec added or removed in the range still counts: its operations may have moved
        result = apidiff_set(old, new, repo=top, tiers=tier_rules_from_policy(config.api))
        changes += result.changes
        spec_of = {ref: spec for spec, ref in new.items()}
        for warning in result.warnings:
            if warning.spec in spec_of:  # the specs as the range leaves them
                findings.append(Finding(
                    check="api", rule=f"api.{warning.id}", path=spec_of[warning.spec],
                    severity="warning", message=warning.render()))
    if with_flags:
        marker = config.flags.marker if config.flags else "experimental"
        changes += flagdiff(top, base, head, marker=marker)
    for change in changes:
        if change.breaking:
            findings.append(Finding(
                check="api", rule=f"api.{change.id}", path=change.spec or None,
                severity="error" if change.tier == "stable" else "warning",
                message=f"{change.operation} ({change.tier}): {change.message}"))
    return findings
