"""The ballot box of secret votes: choices keyed by an HMAC of the voter, never by the voter.

A row holds a token derived from `CHARTER_SECRET_KEY`, the project, the vote and the voter, the
choice, an optional explanation and the voter's receipt: no time, and the vote's rows are
rewritten in token order on every cast, so neither a dump nor the rows' order ties a choice to a
voter or to the log's order of participation. With the secret key, the tokens can be recomputed
for each voter of the frozen roster, which is how an election authority audits (as Apache STeVe).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from charter.store.tables import ballots

CHOICES = ("yes", "no", "abstain")


def ballot_token(key: bytes, project: str, vote: str, voter: str) -> str:
    """The row key of VOTER's ballot in VOTE: an HMAC, so only the key holder can recompute it."""
    message = "\0".join((project, vote, voter)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Count:
    """What a sealed vote's `count` event carries: the totals and a digest of the receipts."""

    yes: int
    no: int
    abstain: int
    receipts: tuple[str, ...]
    explanations: tuple[str, ...]

    @property
    def receipts_digest(self) -> str:
        return hashlib.sha256("\n".join(self.receipts).encode()).hexdigest()


def cast(conn: Connection, key: bytes, project_id: int, project: str, vote: str, voter: str,
         choice: str, explanation: str | None) -> str:
    """Record or replace VOTER's ballot; returns a fresh receipt for it."""
    if choice not in CHOICES:
        raise ValueError(f"choice must be one of {', '.join(CHOICES)}")
    token = ballot_token(key, project, vote, voter)
    receipt = secrets.token_hex(16)
    where = sa.and_(ballots.c.project_id == project_id, ballots.c.vote == vote)
    kept = [dict(r._mapping) for r in conn.execute(sa.select(ballots).where(where))
            if r.token != token]
    kept.append({"token": token, "project_id": project_id, "vote": vote, "choice": choice,
                 "explanation": explanation, "receipt": receipt})
    # Rewritten in token order: the physical order of rows never follows the order of casting.
    conn.execute(ballots.delete().where(where))
    conn.execute(ballots.insert(), sorted(kept, key=lambda r: r["token"]))
    return receipt


def count(conn: Connection, project_id: int, vote: str) -> Count:
    """The totals of VOTE's ballot box, its receipts and the `no` explanations, all sorted."""
    rows = conn.execute(sa.select(ballots.c.choice, ballots.c.explanation, ballots.c.receipt)
                        .where(ballots.c.project_id == project_id, ballots.c.vote == vote)).all()
    totals = {c: 0 for c in CHOICES}
    for row in rows:
        totals[row.choice] += 1
    explanations = sorted(r.explanation for r in rows if r.choice == "no" and r.explanation)
    return Count(totals["yes"], totals["no"], totals["abstain"],
                 tuple(sorted(r.receipt for r in rows)), tuple(explanations))


def choice_of(conn: Connection, key: bytes, project_id: int, project: str, vote: str,
              voter: str) -> str | None:
    """VOTER's choice, for whoever holds the secret key (an audit, never the service's pages)."""
    token = ballot_token(key, project, vote, voter)
    row = conn.execute(sa.select(ballots.c.choice).where(ballots.c.token == token,
                                                         ballots.c.project_id == project_id)
                       ).first()
    return None if row is None else str(row.choice)


def voters_with_ballots(conn: Connection, key: bytes, project_id: int, project: str, vote: str,
                        roster: Iterable[str]) -> list[str]:
    """Which of ROSTER have a ballot in VOTE (again only with the secret key)."""
    tokens = {r.token for r in conn.execute(sa.select(ballots.c.token).where(
        ballots.c.project_id == project_id, ballots.c.vote == vote))}
    return [v for v in roster if ballot_token(key, project, vote, v) in tokens]
