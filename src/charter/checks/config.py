"""Which checks a policy enables, and with what rules: the policy mapped onto each check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from charter.checks.commits import CommitRules
from charter.checks.dco import DcoRules
from charter.checks.since import Since

if TYPE_CHECKING:  # the schema (pydantic) is imported only when a policy is mapped
    from charter.checks.flags.experimental import FlagRules
    from charter.checks.proposals import ProposalRules, SectionSpec
    from charter.policy.schema import ApiRule, Policy, Section, SinceCommit

CHECKS = ("dco", "commits", "owners", "proposals", "flags", "api")


@dataclass(frozen=True)
class CheckConfig:
    """The rules of each enabled check; a check whose rules are None is off."""

    dco: DcoRules | None = None
    commits: CommitRules | None = None
    owners: bool = False
    proposals: tuple[ProposalRules, ...] = ()
    flags: FlagRules | None = None
    api_specs: tuple[str, ...] = ()
    api: ApiRule | None = None

    def enabled(self) -> list[str]:
        # api compares two revisions, so it runs by default only when specs are listed;
        # `charter check api --range A..B` also compares the CLI flags the policy includes
        on = {"dco": self.dco is not None, "commits": self.commits is not None,
              "owners": self.owners, "proposals": bool(self.proposals),
              "flags": self.flags is not None,
              "api": bool(self.api_specs)}
        return [name for name in CHECKS if on[name]]


DEFAULT_CONFIG = CheckConfig(dco=DcoRules(), commits=CommitRules(), owners=True)


def _spec(section: Section) -> SectionSpec:
    from charter.checks.proposals import SectionSpec

    return SectionSpec(section.title, children=tuple(_spec(c) for c in section.children),
                       required=section.required)


def _since(value: datetime | SinceCommit | None) -> Since | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return Since(at=value)
    return Since(commit=value.commit)


def config_from_policy(policy: Policy) -> CheckConfig:
    """Map the policy's pull-request rules and proposal processes onto the checks' rules."""
    from charter.checks.flags.experimental import FlagRules
    from charter.checks.proposals import ProposalRules
    from charter.policy.schema import ProposalProcess, RfcProcess

    prs = policy.pull_requests
    dco = None
    if prs.dco is not None and prs.dco.required:
        dco = DcoRules(required=True, individual_remediation=prs.dco.remediation.individual,
                       third_party_remediation=prs.dco.remediation.third_party,
                       co_authors=prs.dco.co_authors, exempt=tuple(prs.dco.exempt),
                       since=_since(prs.dco.since))
    commits = None
    if prs.commits is not None:
        c = prs.commits
        conventional: bool | tuple[str, ...] = c.conventional if isinstance(
            c.conventional, bool) else tuple(c.conventional)
        commits = CommitRules(title_max=c.title_max, body=c.body, conventional=conventional,
                              merges=c.merges, since=_since(c.since))
    proposals = tuple(
        ProposalRules(globs=tuple(proc.path), template=proc.template,
                      sections=tuple(_spec(s) for s in proc.sections))
        for _, proc in [*policy.processes_of(ProposalProcess), *policy.processes_of(RfcProcess)]
    )
    flags = None
    if prs.experimental is not None:
        flags = FlagRules(marker=prs.experimental.marker,
                          default_off=prs.experimental.default_off)
    return CheckConfig(dco=dco, commits=commits, owners=prs.approval is not None,
                       proposals=proposals, flags=flags,
                       api_specs=prs.api.all_specs() if prs.api else (), api=prs.api)
