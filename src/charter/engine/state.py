"""The governance state: decisions, RFCs, components and the roadmap, as the fold leaves them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from charter.engine.tally import BallotBox, Tally

#: Why a command was refused: `forbidden` when the policy does not let this person do it (their
#: roles, the frozen roster, being the author or subject), `conflict` when the decision's state
#: or the time does not allow it (closed, too late, unknown id, malformed).
RejectionKind = Literal["forbidden", "conflict"]
FORBIDDEN: RejectionKind = "forbidden"
CONFLICT: RejectionKind = "conflict"


class Rejected(Exception):
    """The policy does not allow this command now; the reason says what a person can do."""

    def __init__(self, reason: str, kind: RejectionKind = CONFLICT) -> None:
        self.reason = reason
        self.kind = kind
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class Command:
    """One engine command: the same shape from a scenario, the API, a slash command or the CLI."""

    index: int
    at: datetime
    by: str
    verb: str
    args: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.args.get(key, default)


@dataclass(slots=True)
class Objection:
    by: str
    at: datetime
    reason: str | None


@dataclass(slots=True)
class Decision:
    """Anything with an id and a status; `process` names the policy's process."""

    id: str
    process: str
    status: str
    by: str
    opened_at: datetime
    title: str | None = None
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    policy: int = 0  # the index in `Engine.policies` of the policy it opened under


@dataclass(slots=True)
class LazyDecision(Decision):
    objections: dict[str, Objection] = field(default_factory=dict)
    vote: str | None = None
    approvals: list[str] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)
    components: tuple[str, ...] = ()
    subject: str | None = None  # for reinstatement: who is restored


@dataclass(slots=True)
class VoteDecision(Decision):
    box: BallotBox = field(default_factory=lambda: BallotBox(()))
    subject: str | None = None
    role: str | None = None
    scope: str | None = None
    decides: str | None = None
    result: Tally | None = None
    explanations: list[str] | None = None
    # A sealed vote's `no` explanations, anonymous and sorted, as its count carried them.
    sealed_explanations: tuple[str, ...] = ()
    counted: bool = False


@dataclass(slots=True)
class Rfc(Decision):
    upvoters: set[str] = field(default_factory=set)
    approved_by: str | None = None
    completed_at: datetime | None = None
    selected_in: str | None = None


@dataclass(slots=True)
class ComponentState:
    id: str
    status: str
    since: datetime | None
    by: str | None = None
    goals: str | None = None
    maintainers: tuple[str, ...] = ()
    timeframe_ends: datetime | None = None
    criteria: tuple[str, ...] = ()
    met: list[str] = field(default_factory=list)
    archived_at: datetime | None = None
    removable_at: datetime | None = None
    removed_at: datetime | None = None
    graduated_at: datetime | None = None
    policy: int = 0  # the index in `Engine.policies` of the policy it was incubated under


@dataclass(frozen=True, slots=True)
class Rejection:
    event: int
    reason: str
    at: datetime
    verb: str
    # Not logged: the log keeps the reason only, and a replay recomputes the kind.
    kind: RejectionKind = CONFLICT


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """What happened to a decision, for `charter explain` and the audit trail."""

    at: datetime
    decision: str
    what: str
