"""The engine: replays commands in time order, firing deadlines exactly when they fall due."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from charter.engine.calendar import WEEKDAYS, BeyondCalendar, BusinessCalendar, iso
from charter.engine.people import Roster
from charter.engine.state import (
    CONFLICT,
    FORBIDDEN,
    Command,
    ComponentState,
    Decision,
    HistoryEntry,
    LazyDecision,
    Rejected,
    Rejection,
    Rfc,
    VoteDecision,
)
from charter.policy.schema import (
    ANYONE,
    Policy,
    RemovalProcess,
    StepDownProcess,
)

Handler = Callable[["Engine", Command], None]
P = TypeVar("P")
#: The history's subject for policy adoptions (never a decision id: ids are the proposer's).
POLICY_SUBJECT = "policy"


def calendar_for(policy: Policy) -> BusinessCalendar:
    """The business calendar a policy describes."""
    cal = policy.calendar
    return BusinessCalendar(
        weekend=frozenset(WEEKDAYS.index(day) for day in cal.weekend),
        zone=cal.weekend_zone,
        holidays=frozenset(cal.holidays),
        countries=tuple((h.country, h.subdivision) for h in cal.holiday_calendars),
    )


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One policy the engine has held: what was opened while it was the newest runs under it."""

    index: int
    digest: str  # the content hash the caller gave ("" when it gave none)
    policy: Policy
    calendar: BusinessCalendar
    since: datetime | None
    by: str | None

    @property
    def id(self) -> str:
        """The short id the state shows: the hash's first 12 digits, or `#N` without a hash."""
        return self.digest[:12] if self.digest else f"#{self.index}"


def _roster_roles(policy: Policy) -> tuple[str, str, str]:
    """(emeritus role, removable role, the role emeritus stands in for) under POLICY."""
    step_down = next((p for _, p in policy.processes_of(StepDownProcess)), None)
    removal = next((p for _, p in policy.processes_of(RemovalProcess)), None)
    return (step_down.to if step_down else "emeritus",
            removal.removes if removal else "maintainer",
            step_down.from_ if step_down else "maintainer")


class Engine:
    """All governance state for one project; `apply` is the only way it changes."""

    def __init__(self, policy: Policy, people: Mapping[str, Iterable[str]],
                 start: datetime | None = None, *, policy_digest: str = "") -> None:
        self.policy = policy
        self.calendar = calendar_for(policy)
        # Every policy adopted, oldest first; a decision keeps the index of the one it opened
        # under and is judged, timed and tallied by that one until it closes.
        self.policies = [PolicyVersion(0, policy_digest, policy, self.calendar, start, None)]
        emeritus, removable, emeritus_of = _roster_roles(policy)
        self.roster = Roster(policy.role_ids, emeritus_role=emeritus,
                             removable_role=removable, emeritus_of=emeritus_of)
        for login, roles in people.items():
            self.roster.add(login, list(roles), start, "initial roster")
        self.decisions: dict[str, Decision] = {}
        # Decisions opened about a person (nominations, removals, reinstatements), in the order
        # opened: duplicate checks look here instead of scanning every decision.
        self.about: dict[str, list[Decision]] = {}
        self.components: dict[str, ComponentState] = {
            c.id: ComponentState(c.id, c.status, None, goals=c.goals,
                                 maintainers=tuple(c.maintainers), criteria=tuple(c.criteria))
            for c in policy.components
        }
        self.roadmap: dict[str, list[str]] = {}
        self.rejected: list[Rejection] = []
        self.history: list[HistoryEntry] = []
        # Commands of the log after the instant reported (a replay's as_of): never applied.
        self.not_applied: list[Command] = []
        self.now: datetime | None = start
        self._timers: list[tuple[datetime, int, str]] = []
        # Every deadline ever scheduled, in order: a service turns each into a timer job.
        self.scheduled: list[tuple[datetime, str]] = []
        self._seq = 0

    # --- policies -------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The index of the newest policy: what a decision opened now runs under."""
        return len(self.policies) - 1

    def policy_of(self, decision: Decision | ComponentState) -> Policy:
        """The policy DECISION opened under (a component: the one it was incubated under)."""
        return self.policies[decision.policy].policy

    def adopt(self, policy: Policy, digest: str, at: datetime, by: str) -> PolicyVersion:
        """Make POLICY the newest: decisions opened from AT on run under it; open ones keep
        theirs. Roles held stay held (see docs/scenario.md, "Changing the policy")."""
        if digest and digest == self.policies[-1].digest:
            raise Rejected(f"policy {digest[:12]} is already in force; nothing to adopt")
        version = PolicyVersion(len(self.policies), digest, policy, calendar_for(policy), at, by)
        self.policies.append(version)
        self.policy, self.calendar = policy, version.calendar
        emeritus, removable, emeritus_of = _roster_roles(policy)
        self.roster.reconfigure(policy.role_ids, emeritus, removable, emeritus_of)
        for component in policy.components:
            # A component the log already knows keeps the lifecycle the log gave it.
            if component.id not in self.components:
                self.components[component.id] = ComponentState(
                    component.id, component.status, at, goals=component.goals,
                    maintainers=tuple(component.maintainers),
                    criteria=tuple(component.criteria), policy=version.index)
        self.log(at, POLICY_SUBJECT, f"policy {version.id} adopted by {by}; decisions opened "
                                     "from now on run under it, open ones keep theirs")
        unknown = sorted({role for login in self.roster.logins()
                          for role in self.roster.roles(login)} - set(policy.role_ids))
        if unknown:
            holders = "; ".join(f"{role}: {', '.join(self.roster.holders((role,)))}"
                                for role in unknown)
            self.log(at, POLICY_SUBJECT, f"roles the new policy does not define stay held but "
                                         f"give no rights under it ({holders})")
        return version

    # --- the fold -------------------------------------------------------------------------

    def apply(self, cmd: Command) -> Rejection | None:
        """Advance the clock to the command's instant, then apply it or record why not."""
        self.advance(cmd.at)
        handler = HANDLERS.get(cmd.verb)
        try:
            if handler is None:
                raise Rejected(f"unknown verb {cmd.verb!r}")
            handler(self, cmd)
        except (Rejected, BeyondCalendar) as why:
            # Handlers compute every deadline before they change any state, so a deadline past
            # the calendar's end rejects the command cleanly, as a policy refusal does.
            reason = why.reason if isinstance(why, Rejected) else str(why)
            kind = why.kind if isinstance(why, Rejected) else CONFLICT
            rejection = Rejection(cmd.index, reason, cmd.at, cmd.verb, kind)
            self.rejected.append(rejection)
            return rejection
        return None

    def advance(self, now: datetime) -> None:
        """Fire every deadline at or before NOW, each at its own instant, in order."""
        while self._timers and self._timers[0][0] <= now:
            when, _, decision_id = heapq.heappop(self._timers)
            self.now = when
            decision = self.decisions.get(decision_id)
            if decision is not None and decision.closes_at == when:
                handler = _handler(DEADLINE_HANDLERS, decision)
                if handler is not None:
                    handler(self, decision, when)
        self.now = now

    def schedule(self, decision: Decision) -> None:
        assert decision.closes_at is not None
        self._seq += 1
        heapq.heappush(self._timers, (decision.closes_at, self._seq, decision.id))
        self.scheduled.append((decision.closes_at, decision.id))

    # --- helpers the process modules share ---------------------------------------------------

    def log(self, at: datetime, decision: str, what: str) -> None:
        self.history.append(HistoryEntry(at, decision, what))

    def allowed(self, login: str, actors: tuple[str, ...]) -> bool:
        return ANYONE in actors or self.roster.holds_any(login, actors)

    def require(self, login: str, actors: tuple[str, ...], doing: str) -> None:
        """Reject unless LOGIN holds one of ACTORS ('anyone' admits everybody)."""
        if not self.allowed(login, actors):
            raise Rejected(f"only {describe_actors(actors)} may {doing}; {login} is "
                           f"{describe_roles(self.roster.roles(login))}", FORBIDDEN)

    def new_id(self, decision_id: Any, what: str = "id") -> str:
        if not isinstance(decision_id, str) or not decision_id:
            raise Rejected(f"{what} is missing")
        if decision_id in self.decisions:
            existing = self.decisions[decision_id]
            raise Rejected(f"{decision_id} is already used by a {existing.process} "
                           f"opened {iso(existing.opened_at)}; choose a new id")
        return decision_id

    def get(self, decision_id: Any, kind: type[P], verb: str) -> P:
        decision = self.decisions.get(str(decision_id))
        if decision is None:
            raise Rejected(f"there is no decision {decision_id}; check the id")
        if not isinstance(decision, kind):
            raise Rejected(f"{decision_id} is a {decision.process} ({kind_name(decision)}); "
                           f"{verb} does not apply to it")
        return decision

    def process(self, name: str | None, kind: type[P], verb: str,
                policy: Policy | None = None) -> tuple[str, P]:
        """The named process of type KIND, or the policy's only one (POLICY: the newest)."""
        policy = policy or self.policy
        candidates = policy.processes_of(kind)
        if name is not None:
            proc = policy.processes.get(name)
            if not isinstance(proc, kind):
                raise Rejected(f"{name} is not a process {verb} can open")
            return name, proc
        if not candidates:
            raise Rejected(f"this policy has no process for {verb}")
        return candidates[0][0], candidates[0][1]


def kind_name(decision: Decision) -> str:
    if isinstance(decision, VoteDecision):
        return "a vote"
    if isinstance(decision, Rfc):
        return "an RFC"
    if isinstance(decision, LazyDecision):
        return "a lazy-consensus decision"
    return "a decision"


def describe_actors(actors: tuple[str, ...]) -> str:
    if ANYONE in actors:
        return "anyone"
    plural = [a + "s" if not a.endswith("s") else a for a in actors]
    return " or ".join(plural)


def describe_roles(roles: list[str]) -> str:
    return "a " + ", ".join(roles) if roles else "not holding any role"


HANDLERS: dict[str, Handler] = {}


def handles(*verbs: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of VERBS."""

    def register(fn: Handler) -> Handler:
        for verb in verbs:
            HANDLERS[verb] = fn
        return fn

    return register



DeadlineHandler = Callable[["Engine", Any, datetime], None]
SettleHandler = Callable[["Engine", Any, bool, datetime], None]
# A decision's `closes_at` came; a vote decided the decision it was called on. Keyed by the
# decision's class: each process module registers its own, so the machine imports none of them.
DEADLINE_HANDLERS: dict[type[Decision], DeadlineHandler] = {}
SETTLE_HANDLERS: dict[type[Decision], SettleHandler] = {}


def on_deadline(kind: type[Decision]) -> Callable[[DeadlineHandler], DeadlineHandler]:
    """Register what happens when a decision of KIND reaches its `closes_at`."""

    def register(fn: DeadlineHandler) -> DeadlineHandler:
        DEADLINE_HANDLERS[kind] = fn
        return fn

    return register


def settles(kind: type[Decision]) -> Callable[[SettleHandler], SettleHandler]:
    """Register how a decision of KIND takes the outcome of the vote called on it."""

    def register(fn: SettleHandler) -> SettleHandler:
        SETTLE_HANDLERS[kind] = fn
        return fn

    return register


H = TypeVar("H")


def _handler(handlers: dict[type[Decision], H], decision: Decision) -> H | None:
    return next((handlers[k] for k in type(decision).__mro__ if k in handlers), None)


def settle(engine: Engine, decision: Decision, passed: bool, when: datetime) -> None:
    """Hand a vote's outcome to the decision it was called on, if its process takes one."""
    handler = _handler(SETTLE_HANDLERS, decision)
    if handler is not None:
        handler(engine, decision, passed, when)
