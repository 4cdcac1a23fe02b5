"""Stepping down to emeritus and asking to be reinstated."""

from __future__ import annotations

from charter.engine.machine import Engine, handles
from charter.engine.processes.lazy import open_decision
from charter.engine.state import FORBIDDEN, Command, LazyDecision, Rejected
from charter.policy.schema import ReinstatementProcess, StepDownProcess


@handles("step-down")
def step_down(engine: Engine, cmd: Command) -> None:
    _, proc = engine.process(cmd.get("process"), StepDownProcess, "step-down")
    if not engine.roster.holds(cmd.by, proc.from_):
        raise Rejected(f"only a {proc.from_} can step down to {proc.to}; {cmd.by} is not one",
                       FORBIDDEN)
    engine.roster.revoke(cmd.by, proc.from_, cmd.at, f"step-down (event {cmd.index})")
    engine.roster.grant(cmd.by, proc.to, cmd.at, f"step-down (event {cmd.index})")


@handles("request-reinstatement")
def request_reinstatement(engine: Engine, cmd: Command) -> None:
    name, proc = engine.process(cmd.get("process"), ReinstatementProcess,
                                "request-reinstatement")
    if not engine.roster.holds(cmd.by, proc.requested_by):
        raise Rejected(f"only a {proc.requested_by} member may request reinstatement; "
                       f"{cmd.by} is not one", FORBIDDEN)
    for other in engine.about.get(cmd.by, ()):
        if isinstance(other, LazyDecision) and other.process == name and \
                other.subject == cmd.by and other.status in ("open", "contested"):
            raise Rejected(f"{cmd.by} already has a reinstatement request open ({other.id})")
    open_decision(engine, cmd, name, proc, subject=cmd.by)
