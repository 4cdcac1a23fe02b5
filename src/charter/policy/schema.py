"""The policy file as typed data: every process, rule and role a charter can state."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from charter.policy.bots import GITHUB_BOTS
from charter.policy.durations import Duration, parse_duration
from charter.yamlio import date_problem

ANYONE = "anyone"
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Model(BaseModel):
    """Base: unknown keys are errors (a typo must not silently change the rules)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              arbitrary_types_allowed=True)


def _duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    return parse_duration(value)


DurationField = Annotated[Duration, BeforeValidator(_duration), PlainSerializer(str)]

# Bounded digits: a share needs no more, and int() of a huge digit string is slow.
_PERCENT = re.compile(r"^\s*(\d{1,12}(?:\.\d{1,12})?)\s*%\s*$")
_RATIO = re.compile(r"^\s*(\d{1,12})\s*/\s*(\d{1,12})\s*$")


def _percent(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        share = value
    elif isinstance(value, str) and (m := _PERCENT.match(value)):
        share = Fraction(m[1]) / 100
    elif isinstance(value, str) and (m := _RATIO.match(value)) and int(m[2]):
        share = Fraction(int(m[1]), int(m[2]))
    else:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:36] + "...'"
        raise ValueError(f"expected a percentage such as '60%' or a ratio such as '2/3', "
                         f"got {shown}")
    if not 0 <= share <= 1:
        raise ValueError(f"{value!r} is not between 0% and 100%; a share of votes or people "
                         "cannot exceed 100%")
    return share


def _decimal_places(share: Fraction) -> int | None:
    """How many decimals SHARE takes as a percentage, or None when they never end (2/3)."""
    den = (share * 100).denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    return max(twos, fives) if den == 1 else None


def _rounded(share: Fraction, digits: int) -> str:
    """SHARE as a percentage rounded to DIGITS decimals, without trailing zeros."""
    scaled = round(share * 100 * 10 ** digits)
    whole, part = divmod(scaled, 10 ** digits)
    text = f"{whole}.{part:0{digits}d}".rstrip("0").rstrip(".") if digits else str(whole)
    return text + "%"


def share_text(share: Fraction) -> str:
    """SHARE exactly as a policy can write it: '60%', '66.5%', or '2/3' when no percentage is
    exact; reading it back gives the same share."""
    if _decimal_places(share) is not None:
        return _rounded(share, _decimal_places(share) or 0)
    return f"{share.numerator}/{share.denominator}"


def format_percent(share: Fraction) -> str:
    """60% for 3/5, '2/3 (66.67%)' for 2/3: exact, with the rounded percentage when it is not."""
    if _decimal_places(share) is not None:
        return share_text(share)
    return f"{share_text(share)} ({_rounded(share, 2)})"


def compared_percents(value: Fraction, bound: Fraction) -> tuple[str, str]:
    """VALUE and BOUND as percentages with enough decimals that the shown numbers compare as
    the exact ones do: 2/3 against 66.67% shows as 66.667% against 66.67%."""
    digits = max(2, _decimal_places(bound) or 0)
    # Rounding is monotonic, so once the rounded numbers differ (or the exact ones are equal)
    # their order is the exact order. Shares are ratios of small counts: this ends quickly.
    while digits < 40 and value != bound and _rounded(value, digits) == _rounded(bound, digits):
        digits += 1
    if _decimal_places(bound) is not None:
        shown_bound = share_text(bound)
    else:
        shown_bound = f"{share_text(bound)} ({_rounded(bound, digits)})"
    return _rounded(value, digits), shown_bound


Percent = Annotated[Fraction, BeforeValidator(_percent), PlainSerializer(share_text)]


def _actors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"expected 'anyone', a role id, or a list of role ids, got {value!r}")


def _serialize_actors(value: tuple[str, ...]) -> str | list[str]:
    return value[0] if len(value) == 1 else list(value)


Actors = Annotated[tuple[str, ...], BeforeValidator(_actors), PlainSerializer(_serialize_actors)]


class Sourced(Model):
    """Every rule says which sentence of the charter it encodes, and what the preset chose."""

    source: str | None = None
    preset_choice: str | None = Field(
        default=None, description="what the policy chose where the charter is silent")


# --- project, calendar, roles -------------------------------------------------------------

class Project(Model):
    name: str
    docs: str | None = None
    repository: str | None = None
    governance: str | None = None


class HolidayCalendar(Model):
    country: str
    subdivision: str | None = None

    @model_validator(mode="after")
    def _known(self) -> HolidayCalendar:
        """The engine reads these holidays on every business-time deadline: check them now."""
        import holidays  # deferred: only calendars that name a country pay for the import

        try:
            holidays.country_holidays(self.country, subdiv=self.subdivision, years=2026)
        except (NotImplementedError, KeyError, ValueError):
            if self.country not in holidays.list_supported_countries():
                raise ValueError(f"unknown country {self.country[:20]!r} for public holidays; "
                                 "use an ISO 3166 code such as 'US', 'FR' or 'IN'") from None
            known = ", ".join(holidays.list_supported_countries()[self.country]) or "none"
            raise ValueError(f"{self.country} has no subdivision {str(self.subdivision)[:20]!r} "
                             f"for public holidays; its subdivisions are {known}") from None
        return self


class CalendarPolicy(Sourced):
    weekend: tuple[Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                           "sunday"], ...] = ("saturday", "sunday")
    weekend_zone: str = "UTC"
    holidays: tuple[date, ...] = ()
    holiday_calendars: tuple[HolidayCalendar, ...] = ()

    @field_validator("weekend")
    @classmethod
    def _some_business_time(cls, weekend: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(weekend)) == len(WEEKDAY_NAMES):
            raise ValueError("a weekend of all seven days leaves no business time, so no "
                             "business-time window or vote would ever end; list at most six "
                             "days, or [] for no weekend")
        return weekend

    @model_validator(mode="after")
    def _business_time_anywhere(self) -> CalendarPolicy:
        # Anywhere on Earth, an instant is business time only if it is a weekday in every zone
        # from UTC-12 to UTC+14: the local dates then span 26 hours, so two weekdays in a row.
        if self.weekend_zone == "anywhere-on-earth":
            off = {WEEKDAY_NAMES.index(day) for day in self.weekend}
            if not any(d not in off and (d + 1) % 7 not in off for d in range(7)):
                raise ValueError("weekend: with weekend_zone anywhere-on-earth, business time "
                                 "needs two weekdays in a row (a day is a weekend day somewhere "
                                 "for 50 hours); this weekend leaves none")
        return self

    @field_validator("weekend_zone")
    @classmethod
    def _zone_exists(cls, zone: str) -> str:
        if zone != "anywhere-on-earth":
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {zone!r}; use an IANA name such as 'UTC' "
                                 "or 'Europe/Paris', or 'anywhere-on-earth'") from None
        return zone


class Role(Sourced):
    id: str
    name: str | None = None
    description: str | None = None
    rights: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.name or self.id.replace("-", " ").capitalize()


def _role(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


RoleEntry = Annotated[Role, BeforeValidator(_role)]

# --- processes ----------------------------------------------------------------------------


class Threshold(Model):
    at_least: Percent | None = None
    more_than: Percent | None = None
    of: Literal["cast", "eligible", "ballots"] = "cast"

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if (self.at_least is None) == (self.more_than is None):
            raise ValueError("give exactly one of 'at_least' or 'more_than' "
                             "(e.g. {at_least: 60%, of: cast})")
        return self

    # A bound that every tally meets, or that none can, is a mistake: the vote decides nothing.
    @field_validator("at_least")
    @classmethod
    def _can_fail(cls, share: Fraction | None) -> Fraction | None:
        if share == 0:
            raise ValueError("at least 0% passes every vote, even one where nobody votes yes; "
                             "write 'more_than: 0%' for 'at least one yes', or a higher share")
        return share

    @field_validator("more_than")
    @classmethod
    def _can_pass(cls, share: Fraction | None) -> Fraction | None:
        if share == 1:
            raise ValueError("more than 100% can never be reached, so every vote would fail; "
                             "write 'at_least: 100%' for a unanimous vote")
        return share

    @property
    def share(self) -> Fraction:
        share = self.at_least if self.at_least is not None else self.more_than
        assert share is not None
        return share

    def met(self, count: int, pool: int) -> bool:
        """True when COUNT out of POOL clears the bound; an empty pool never does."""
        if pool <= 0:
            return False
        ratio = Fraction(count, pool)
        return ratio >= self.share if self.at_least is not None else ratio > self.share

    def describe(self, shown: str | None = None) -> str:
        """The rule in words; SHOWN replaces the share as printed (to match a tally's digits)."""
        bound = "at least" if self.at_least is not None else "more than"
        pool = {"cast": "votes cast (yes + no; abstentions excluded)",
                "eligible": "eligible voters", "ballots": "ballots (abstentions included)"}
        return f"{bound} {shown or format_percent(self.share)} of {pool[self.of]}"


class Quorum(Sourced):
    at_least: Percent
    of: Literal["eligible"] = "eligible"
    abstain_counts: bool = True

    @field_validator("at_least")
    @classmethod
    def _can_fail(cls, share: Fraction) -> Fraction:
        if share == 0:
            raise ValueError("a quorum of 0% is met even when nobody votes; to require no "
                             "quorum, delete it (quorum: null)")
        return share

    def describe(self) -> str:
        counted = "abstentions count toward it" if self.abstain_counts else \
            "abstentions do not count toward it"
        return f"at least {format_percent(self.at_least)} of eligible voters cast a ballot " \
               f"({counted})"


class OnObjection(Sourced):
    vote: str
    called_by: Actors = ("maintainer",)
    required: bool = False


class LazyConsensus(Sourced):
    type: Literal["lazy-consensus"]
    title: str | None = None
    description: str | None = None
    window: DurationField
    proposers: Actors = (ANYONE,)
    objectors: Actors = (ANYONE,)
    on_objection: OnObjection | None = None


def _section(value: Any) -> Any:
    if isinstance(value, str):
        return {"title": value}
    if isinstance(value, dict) and len(value) == 1 and "title" not in value:
        ((title, children),) = value.items()
        return {"title": title, "children": children}
    return value


class Section(Model):
    title: str
    children: tuple[SectionEntry, ...] = ()
    required: bool = True


SectionEntry = Annotated[Section, BeforeValidator(_section)]
Section.model_rebuild()


class ProposalProcess(Sourced):
    type: Literal["proposal"]
    title: str | None = None
    description: str | None = None
    window: DurationField
    path: tuple[str, ...] = ("docs/proposals/*.md",)
    template: str | None = None
    sections: tuple[SectionEntry, ...] = ()
    proposers: Actors = (ANYONE,)
    objectors: Actors = (ANYONE,)
    approvers: Actors = ("maintainer",)
    approvals: int = Field(default=1, ge=1)
    reviewers: Literal["component-maintainers", "none"] = "component-maintainers"
    on_objection: OnObjection | None = None


class ReinstatementProcess(Sourced):
    type: Literal["reinstatement"]
    title: str | None = None
    description: str | None = None
    window: DurationField
    requested_by: str = "emeritus"
    restores: str = "maintainer"
    objectors: Actors = ("maintainer",)
    on_objection: OnObjection | None = None

    @property
    def proposers(self) -> tuple[str, ...]:
        return (self.requested_by,)


class VoteRules(Sourced):
    """What every vote shares: who votes, for how long, what passes it, and who is told."""

    title: str | None = None
    description: str | None = None
    voters: Actors = ("maintainer",)
    min_open: DurationField
    pass_: Threshold = Field(alias="pass")
    quorum: Quorum | None = None
    veto: bool = False
    secret: bool = False
    notify: Actors | None = None


class VoteProcess(VoteRules):
    type: Literal["vote"]
    opened_by: Actors | None = None


class Explanations(Sourced):
    on: Literal["no"] = "no"
    release: Literal["on-request", "never"] = "on-request"
    anonymous: bool = True


class NominationProcess(VoteRules):
    type: Literal["nomination"]
    nominators: Actors = ("maintainer",)
    roles: tuple[str, ...]
    secret: bool = True
    declinable: bool = True
    explanations: Explanations | None = None


class RemovalProcess(VoteRules):
    type: Literal["removal"]
    proposers: Actors = ("maintainer",)
    removes: str = "maintainer"


class StepDownProcess(Sourced):
    type: Literal["step-down"]
    title: str | None = None
    description: str | None = None
    from_: str = Field(default="maintainer", alias="from")
    to: str = "emeritus"
    voting: bool = False


class RfcProcess(Sourced):
    type: Literal["rfc"]
    title: str | None = None
    description: str | None = None
    path: tuple[str, ...] = ("rfcs/*.md",)
    template: str | None = None
    sections: tuple[SectionEntry, ...] = ()
    drafters: Actors = (ANYONE,)
    upvoters: Actors = (ANYONE,)
    approvers: Actors = ("maintainer",)
    substantial: tuple[str, ...] = ()
    not_substantial: tuple[str, ...] = ()


class ItemCount(Model):
    min: int = Field(ge=1)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> ItemCount:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class RoadmapProcess(Sourced):
    type: Literal["roadmap"]
    title: str | None = None
    description: str | None = None
    every: DurationField = Field(default_factory=lambda: parse_duration("3 months"))
    selectors: Actors = ("maintainer",)
    items: ItemCount = ItemCount(min=3, max=5)
    from_: str = Field(default="rfc", alias="from")
    ranking: Literal["upvotes"] = "upvotes"


class ComponentProcess(Sourced):
    type: Literal["component-lifecycle"]
    title: str | None = None
    description: str | None = None
    managers: Actors = ("maintainer",)
    requires: tuple[Literal["maintainers", "goals", "timeframe", "criteria"], ...] = (
        "maintainers", "goals", "timeframe", "criteria")
    archive_before_removal: DurationField = Field(
        default_factory=lambda: parse_duration("3 months"))


Process = Annotated[
    LazyConsensus | ProposalProcess | ReinstatementProcess | VoteProcess | NominationProcess
    | RemovalProcess | StepDownProcess | RfcProcess | RoadmapProcess | ComponentProcess,
    Field(discriminator="type"),
]
PROCESS_TYPES = ("lazy-consensus", "proposal", "reinstatement", "vote", "nomination", "removal",
                 "step-down", "rfc", "roadmap", "component-lifecycle")
LAZY_TYPES = (LazyConsensus, ProposalProcess, ReinstatementProcess)
VOTE_TYPES = (VoteProcess, NominationProcess, RemovalProcess)

# --- pull requests ------------------------------------------------------------------------


class SinceCommit(Model):
    """A rule applies from this commit on: the commit and its descendants, not its ancestors."""

    commit: str = Field(min_length=1, max_length=256)


def _since(value: Any) -> Any:
    if isinstance(value, date) and (problem := date_problem(value)):
        raise ValueError(problem)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no time zone; write it with one, "
                             "such as 2026-12-01T09:00:00Z, or give a date")
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not a date; write a date (2026-12-01), a timestamp "
                             "with a zone (2026-12-01T09:00:00Z) or a commit "
                             "({commit: 4f2a9c1})") from None
        return _since(moment)
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} is a number; for a commit write {{commit: '{value}'}} "
                         "(quoted), for a date write 2026-12-01")
    if isinstance(value, SinceCommit):
        return value
    if isinstance(value, dict) and set(value) == {"commit"}:
        commit = value["commit"]
        if isinstance(commit, str) and commit.strip() and len(commit) <= 256 \
                and not commit.startswith("-"):
            return SinceCommit(commit=commit.strip())
        raise ValueError(f"since.commit must name a commit (a sha or revision), got {commit!r}")
    raise ValueError(f"expected a date (2026-12-01), a timestamp with a zone "
                     f"(2026-12-01T09:00:00Z) or {{commit: <sha>}}, got {value!r}")


#: From when a commit rule applies; older history is not judged by it (history is never
#: rewritten). A date means 00:00 UTC that day; commits are placed by their committer date.
Since = Annotated[datetime | SinceCommit, BeforeValidator(_since)]


class Remediation(Model):
    individual: bool = False
    third_party: bool = False


class DcoRule(Sourced):
    required: bool = True
    remediation: Remediation = Remediation()
    co_authors: bool = False
    exempt: tuple[str, ...] = GITHUB_BOTS  # as the DCO app, which never asks bots to sign off
    since: Since | None = None


class CommitRule(Sourced):
    title_max: int = Field(default=72, ge=1)
    body: Literal["required", "recommended", "optional"] = "recommended"
    conventional: bool | tuple[str, ...] = False
    merges: Literal["forbidden", "allowed"] = "allowed"
    since: Since | None = None


class ApprovalRule(Sourced):
    owners: Literal["OWNERS", "CODEOWNERS"] = "OWNERS"
    count: int = Field(default=1, ge=0)
    not_author: bool = True


def _checks(value: Any) -> Any:
    return {"required": value} if isinstance(value, list | tuple) else value


class ChecksRule(Sourced):
    required: tuple[str, ...] = ()


class HoldRule(Sourced):
    labels: tuple[str, ...] = ()


class NeedsProposal(Sourced):
    process: str = "proposal"
    paths: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    new_component: bool = False


class NeedsRfc(Sourced):
    process: str = "rfc"
    triggers: tuple[Literal["config-options", "feature-removal", "architecture"], ...] = ()
    labels: tuple[str, ...] = ()
    exempt_labels: tuple[str, ...] = ()
    exemptions: tuple[str, ...] = ()
    message: str | None = None


class Graduation(Model):
    default_on: bool = True
    remove_gate_after_releases: int = Field(default=1, ge=0)


class ExperimentalRule(Sourced):
    marker: str = "experimental"
    default_off: bool = True
    tests_both_states: bool = True
    graduation: Graduation = Graduation()


class ApiTiers(Model):
    """Where operations declare their tier: one `x-` extension and its values, tags, path
    prefixes and whole spec files, each mapped to a tier name (`stable` is the one that fails).

    Written as `{x-stability: {alpha: experimental}, tags: {...}, paths: {...}, specs: {...}}`;
    the `x-` key is read into `extension` and `values`.
    """

    extension: str | None = None
    values: dict[str, str] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    paths: dict[str, str] = Field(default_factory=dict)
    specs: dict[str, str] = Field(default_factory=dict)
    default: str = "stable"

    @model_validator(mode="before")
    @classmethod
    def _extension_key(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        named = [k for k in data if isinstance(k, str) and k.startswith("x-")]
        if len(named) > 1 or (named and "extension" in data):
            raise ValueError(f"one extension decides tiers; found {', '.join(named)}")
        if not named:
            return data
        values = data[named[0]]
        if not isinstance(values, dict):
            raise ValueError(f"{named[0]} maps extension values to tiers, e.g. "
                             "{alpha: experimental, ga: stable}")
        rest = {k: v for k, v in data.items() if k != named[0]}
        return {**rest, "extension": named[0], "values": values}


class ApiRule(Sourced):
    breaking: Literal["forbidden", "allowed"] = "forbidden"
    specs: tuple[str, ...] = ()
    tiers: ApiTiers | None = None
    tiers_extension: str | None = None
    experimental_prefixes: tuple[str, ...] = ()
    deprecation_period: DurationField | None = None
    includes: tuple[str, ...] = ()
    versioned: bool = True
    documented: bool = True
    exception: str | None = None

    @field_validator("deprecation_period")
    @classmethod
    def _calendar_period(cls, value: Duration | None) -> Duration | None:
        if value is not None and value.business:
            raise ValueError("a deprecation period is calendar time, e.g. '90 days' or "
                             "'3 months', not business time")
        return value

    def all_specs(self) -> tuple[str, ...]:
        """The listed specs, then any spec file that only the tiers name."""
        extra = tuple(s for s in (self.tiers.specs if self.tiers else {}) if s not in self.specs)
        return (*self.specs, *extra)


class PullRequests(Sourced):
    dco: DcoRule | None = None
    commits: CommitRule | None = None
    approval: ApprovalRule | None = None
    checks: Annotated[ChecksRule, BeforeValidator(_checks)] | None = None
    hold: HoldRule | None = None
    needs_proposal: NeedsProposal | None = None
    needs_rfc: NeedsRfc | None = None
    experimental: ExperimentalRule | None = None
    api: ApiRule | None = None
    direct_pushes: Literal["forbidden", "allowed"] = "allowed"
    squash: bool = False


class Component(Sourced):
    id: str
    status: Literal["core", "incubating", "archived"] = "core"
    paths: tuple[str, ...] = ()
    maintainers: tuple[str, ...] = ()
    goals: str | None = None
    timeframe: DurationField | None = None
    criteria: tuple[str, ...] = ()


_MAIL = re.compile(r"[^@\s<>]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}")
_LABEL = re.compile(r"[^,\x00-\x1f]{1,50}")


def _label(value: Any) -> str:
    if not isinstance(value, str) or not _LABEL.fullmatch(value) or value != value.strip():
        raise ValueError(f"expected a GitHub label name (1 to 50 characters, no comma), "
                         f"got {value!r}"[:160])
    return value


Label = Annotated[str, BeforeValidator(_label)]


class StaleRule(Sourced):
    """A pull request idle for NUDGE_AFTER gets a nudge; LABEL_AFTER later, the stale label."""

    nudge_after: DurationField
    label_after: DurationField
    label: Label = "stale"


class Notices(Sourced):
    """Who is told what, and where: the mailing list for votes, triage and stale labels."""

    mailing_list: str | None = None
    triage_label: Label | None = None
    triagers: Actors = ("triager",)
    stale: StaleRule | None = None

    @field_validator("mailing_list")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not _MAIL.fullmatch(value):
            raise ValueError(f"expected a mail address such as maintainers@lists.example.org, "
                             f"got {value!r}"[:160])
        return value


class Policy(Model):
    """A whole charter: the engine, the checks and the renderer all read this."""

    charter: Literal[1] = 1
    extends: str | None = None
    preset: str | None = Field(default=None, description="the preset this policy is, if any")
    project: Project
    calendar: CalendarPolicy = CalendarPolicy()
    roles: tuple[RoleEntry, ...]
    processes: dict[str, Process] = {}
    pull_requests: PullRequests = PullRequests()
    components: tuple[Component, ...] = ()
    notices: Notices = Notices()

    @property
    def role_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.roles)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def processes_of(self, kind: type[Any]) -> list[tuple[str, Any]]:
        """(name, process) pairs of one process class, in the policy's order."""
        return [(n, p) for n, p in self.processes.items() if isinstance(p, kind)]
