"""RFCs (draft, upvote, complete, approve) and the quarterly roadmap chosen from them."""

from __future__ import annotations

import re
from typing import Any

from charter.engine.calendar import iso
from charter.engine.machine import Engine, handles
from charter.engine.processes.lazy import approve_proposal
from charter.engine.state import FORBIDDEN, Command, LazyDecision, Rejected, Rfc
from charter.policy.schema import RfcProcess, RoadmapProcess

_QUARTER = re.compile(r"^\d{4}-?Q[1-4]$")


@handles("rfc")
def draft(engine: Engine, cmd: Command) -> None:
    name, proc = engine.process(cmd.get("process"), RfcProcess, "rfc")
    engine.require(cmd.by, proc.drafters, "draft an RFC")
    rfc_id = engine.new_id(cmd.get("id"))
    engine.decisions[rfc_id] = Rfc(rfc_id, name, "draft", cmd.by, cmd.at, title=cmd.get("title"),
                                   policy=engine.version)
    engine.log(cmd.at, rfc_id, f"drafted by {cmd.by}")


@handles("upvote")
def upvote(engine: Engine, cmd: Command) -> None:
    rfc = engine.get(cmd.get("id"), Rfc, "upvote")
    proc = _proc(engine, rfc)
    engine.require(cmd.by, proc.upvoters, "upvote an RFC")
    if cmd.by in rfc.upvoters:
        raise Rejected(f"{cmd.by} already upvoted {rfc.id} (already counted; one upvote per "
                       "person)")
    rfc.upvoters.add(cmd.by)


@handles("complete")
def complete(engine: Engine, cmd: Command) -> None:
    rfc = engine.get(cmd.get("id"), Rfc, "complete")
    if cmd.by != rfc.by:
        raise Rejected(f"only the RFC's author ({rfc.by}) completes {rfc.id}", FORBIDDEN)
    if rfc.status != "draft":
        raise Rejected(f"{rfc.id} is already {rfc.status}")
    rfc.status = "complete"
    rfc.completed_at = cmd.at
    engine.log(cmd.at, rfc.id, f"completed by {cmd.by}")


@handles("approve")
def approve(engine: Engine, cmd: Command) -> None:
    decision = engine.decisions.get(str(cmd.get("id")))
    if isinstance(decision, LazyDecision):
        approve_proposal(engine, decision, cmd)
        return
    rfc = engine.get(cmd.get("id"), Rfc, "approve")
    proc = _proc(engine, rfc)
    engine.require(cmd.by, proc.approvers, "approve an RFC")
    if rfc.status == "draft":
        raise Rejected(f"{rfc.id} is still a draft; its author ({rfc.by}) completes it first")
    if rfc.status != "complete":
        raise Rejected(f"{rfc.id} is already {rfc.status}")
    rfc.status = "approved"
    rfc.approved_by = cmd.by
    rfc.closed_at = cmd.at
    engine.log(cmd.at, rfc.id, f"approved by {cmd.by}")


@handles("select-roadmap")
def select_roadmap(engine: Engine, cmd: Command) -> None:
    _, proc = engine.process(cmd.get("process"), RoadmapProcess, "select-roadmap")
    engine.require(cmd.by, proc.selectors, "select the roadmap")
    quarter = str(cmd.get("id"))
    if proc.every.unit == "months" and proc.every.amount == 3 and not _QUARTER.match(quarter):
        raise Rejected(f"{quarter!r} is not a quarter; write it as e.g. 2026Q2")
    if quarter in engine.roadmap:
        raise Rejected(f"the roadmap for {quarter} was already selected: "
                       f"{', '.join(engine.roadmap[quarter])}")
    items: list[str] = list(cmd.get("items") or [])
    if len(set(items)) != len(items):
        raise Rejected("an RFC is listed twice")
    if not proc.items.min <= len(items) <= proc.items.max:
        raise Rejected(f"a roadmap takes {proc.items.min} to {proc.items.max} items; "
                       f"{len(items)} given")
    for item in items:
        rfc = engine.decisions.get(item)
        if not isinstance(rfc, Rfc):
            raise Rejected(f"{item} is not an RFC")
        if rfc.status != "approved":
            raise Rejected(f"{item} is {rfc.status}; only approved RFCs can be selected")
    for item in items:
        rfc = engine.decisions[item]
        assert isinstance(rfc, Rfc)
        rfc.status = "selected"
        rfc.selected_in = quarter
    engine.roadmap[quarter] = items
    engine.log(cmd.at, quarter, f"roadmap selected by {cmd.by}: {', '.join(items)}")


def ranking(engine: Engine) -> list[str]:
    """Approved, not yet selected RFCs, most upvoted first (ties by id)."""
    approved = [d for d in engine.decisions.values() if isinstance(d, Rfc)
                and d.status == "approved"]
    return [r.id for r in sorted(approved, key=lambda r: (-len(r.upvoters), r.id))]


def _proc(engine: Engine, rfc: Rfc) -> RfcProcess:
    proc = engine.policy_of(rfc).processes[rfc.process]
    assert isinstance(proc, RfcProcess)
    return proc


def rfc_view(rfc: Rfc) -> dict[str, Any]:
    return {"title": rfc.title, "author": rfc.by, "upvotes": len(rfc.upvoters),
            "completed_at": iso(rfc.completed_at), "approved_by": rfc.approved_by,
            "selected_in": rfc.selected_in}
