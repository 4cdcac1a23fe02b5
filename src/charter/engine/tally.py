"""Ballots and tallies: frozen rosters, re-votes that replace, advisory ballots, quorum, veto."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any, Literal

from charter.policy.schema import Quorum, Threshold, compared_percents

Choice = Literal["yes", "no", "abstain"]
CHOICES: tuple[Choice, ...] = ("yes", "no", "abstain")


@dataclass(frozen=True, slots=True)
class Ballot:
    choice: Choice
    at: datetime
    explanation: str | None = None


@dataclass(slots=True)
class BallotBox:
    """The ballots of one vote; the roster is fixed when the vote opens and never changes."""

    roster: tuple[str, ...]
    binding: dict[str, Ballot] = field(default_factory=dict)
    advisory: dict[str, Ballot] = field(default_factory=dict)
    # Voters whose choice is in the service's ballot box, not here: a sealed vote's log holds
    # who took part and, at close, the count.
    sealed: set[str] = field(default_factory=set)

    def cast(self, voter: str, ballot: Ballot) -> bool:
        """Record (or replace) VOTER's ballot; True when it is binding."""
        if voter in self.roster:
            self.binding[voter] = ballot
            return True
        self.advisory[voter] = ballot
        return False

    def waiting_on(self) -> list[str]:
        return [v for v in self.roster if v not in self.binding and v not in self.sealed]

    @property
    def ballots(self) -> int:
        """Binding ballots cast so far, sealed or not."""
        return len(self.binding) + len(self.sealed)


@dataclass(frozen=True, slots=True)
class Tally:
    yes: int
    no: int
    abstain: int
    eligible: int
    quorum_met: bool
    passed: bool
    advisory: dict[str, int]
    reasons: tuple[str, ...]

    @property
    def ballots(self) -> int:
        return self.yes + self.no + self.abstain

    def to_json(self) -> dict[str, Any]:
        return {"yes": self.yes, "no": self.no, "abstain": self.abstain,
                "eligible": self.eligible, "quorum_met": self.quorum_met,
                "advisory": dict(self.advisory)}


def _count(ballots: dict[str, Ballot]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(CHOICES, 0)
    for ballot in ballots.values():
        counts[ballot.choice] += 1
    return counts


def tally(box: BallotBox, threshold: Threshold, quorum: Quorum | None, veto: bool) -> Tally:
    """Count BOX under the rule; each voter counts once, with their last ballot."""
    counts = _count(box.binding)
    return decide(counts["yes"], counts["no"], counts["abstain"], len(box.roster),
                  _count(box.advisory), threshold, quorum, veto)


def decide(yes: int, no: int, abstain: int, eligible: int, advisory: dict[str, int],
           threshold: Threshold, quorum: Quorum | None, veto: bool) -> Tally:
    """The verdict on binding totals: quorum, threshold and veto, each with its reason."""
    reasons: list[str] = []
    if quorum is None:
        quorum_met = True
    else:
        present = yes + no + (abstain if quorum.abstain_counts else 0)
        quorum_met = eligible > 0 and present * quorum.at_least.denominator >= \
            quorum.at_least.numerator * eligible
        need = quorum.describe()
        reasons.append(f"quorum {'met' if quorum_met else 'not met'}: {present} of {eligible} "
                       f"eligible took part; needed {need}")
    pool = {"cast": yes + no, "eligible": eligible, "ballots": yes + no + abstain}[threshold.of]
    cleared = threshold.met(yes, pool)
    needed = threshold.describe()
    share = f"{yes} yes of {pool}"
    if pool:
        # Both numbers with the same, sufficient digits: what is shown agrees with the verdict.
        shown, bound = compared_percents(Fraction(yes, pool), threshold.share)
        share += f" ({shown})"
        needed = threshold.describe(bound)
    reasons.append(f"threshold {'met' if cleared else 'not met'}: {share}; needed {needed}")
    vetoed = veto and no > 0
    if vetoed:
        reasons.append(f"vetoed: {no} binding no vote(s), and this vote gives a veto")
    return Tally(yes, no, abstain, eligible, quorum_met, quorum_met and cleared and not vetoed,
                 advisory, tuple(reasons))
