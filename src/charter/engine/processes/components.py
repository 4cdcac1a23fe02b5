"""Component lifecycle: incubate, meet criteria, graduate to core, or archive then remove."""

from __future__ import annotations

from typing import Any

from charter.engine.calendar import iso
from charter.engine.machine import Engine, handles
from charter.engine.state import Command, ComponentState, Rejected
from charter.policy.durations import Duration
from charter.policy.schema import ComponentProcess


def _lifecycle(engine: Engine, cmd: Command, doing: str,
               component: ComponentState | None = None) -> ComponentProcess:
    """The lifecycle COMPONENT was incubated under (a new one: the newest policy's)."""
    policy = engine.policy_of(component) if component is not None else None
    _, proc = engine.process(cmd.get("process"), ComponentProcess, cmd.verb, policy)
    engine.require(cmd.by, proc.managers, doing)
    return proc


def _component(engine: Engine, cmd: Command) -> ComponentState:
    component = engine.components.get(str(cmd.get("id")))
    if component is None:
        known = ", ".join(engine.components) or "none yet"
        raise Rejected(f"there is no component {cmd.get('id')}; the components are {known}")
    return component


@handles("incubate")
def incubate(engine: Engine, cmd: Command) -> None:
    proc = _lifecycle(engine, cmd, "incubate a component")
    component_id = str(cmd.get("id"))
    existing = engine.components.get(component_id)
    if existing is not None and existing.status != "removed":
        raise Rejected(f"{component_id} already exists ({existing.status})")
    timeframe: Duration = cmd.get("timeframe")
    criteria = tuple(cmd.get("criteria") or ())
    maintainers = tuple(cmd.get("maintainers") or (cmd.by,))
    goals = cmd.get("goals")
    lacking = [need for need, value in (("maintainers", maintainers), ("goals", goals),
                                        ("timeframe", timeframe), ("criteria", criteria))
               if need in proc.requires and not value]
    if lacking:
        raise Rejected(f"an incubating component needs {', '.join(lacking)}")
    engine.components[component_id] = ComponentState(
        component_id, "incubating", cmd.at, by=cmd.by, goals=goals, maintainers=maintainers,
        timeframe_ends=engine.calendar.after(cmd.at, timeframe) if timeframe else None,
        criteria=criteria, policy=engine.version)
    engine.log(cmd.at, component_id, f"incubating, by {cmd.by}")


@handles("meet")
def meet(engine: Engine, cmd: Command) -> None:
    component = _component(engine, cmd)
    _lifecycle(engine, cmd, "mark a graduation criterion met", component)
    if component.status != "incubating":
        raise Rejected(f"{component.id} is {component.status}, not incubating")
    wanted = cmd.get("criterion")
    criterion = _match(component, wanted)
    if criterion in component.met:
        raise Rejected(f"{criterion!r} is already met")
    component.met.append(criterion)
    engine.log(cmd.at, component.id, f"criterion met: {criterion}")


@handles("graduate")
def graduate(engine: Engine, cmd: Command) -> None:
    component = _component(engine, cmd)
    _lifecycle(engine, cmd, "graduate a component", component)
    if component.status != "incubating":
        raise Rejected(f"{component.id} is {component.status}; only incubating components "
                       "graduate")
    unmet = [c for c in component.criteria if c not in component.met]
    if unmet:
        raise Rejected(f"{component.id} cannot graduate: {len(unmet)} of "
                       f"{len(component.criteria)} criteria unmet ({'; '.join(unmet)})")
    component.status = "core"
    component.graduated_at = cmd.at
    engine.log(cmd.at, component.id, "graduated to core")


@handles("archive")
def archive(engine: Engine, cmd: Command) -> None:
    component = _component(engine, cmd)
    proc = _lifecycle(engine, cmd, "archive a component", component)
    if component.status != "incubating":
        raise Rejected(f"{component.id} is {component.status}; only an incubating component "
                       "that is not graduating is archived")
    removable_at = engine.calendar.after(cmd.at, proc.archive_before_removal)
    component.status = "archived"
    component.archived_at = cmd.at
    component.removable_at = removable_at
    engine.log(cmd.at, component.id, f"archived; removable from {iso(component.removable_at)}")


@handles("remove")
def remove(engine: Engine, cmd: Command) -> None:
    component = _component(engine, cmd)
    proc = _lifecycle(engine, cmd, "remove a component", component)
    if component.status != "archived":
        raise Rejected(f"{component.id} is {component.status}; a component is archived for "
                       f"{proc.archive_before_removal} before removal")
    if component.removable_at is not None and cmd.at < component.removable_at:
        raise Rejected(f"{component.id} was archived {iso(component.archived_at)}; it can be "
                       f"removed from {iso(component.removable_at)} "
                       f"({proc.archive_before_removal} archived)")
    component.status = "removed"
    component.removed_at = cmd.at
    engine.log(cmd.at, component.id, "removed")


def _match(component: ComponentState, wanted: Any) -> str:
    if isinstance(wanted, int) and not isinstance(wanted, bool) and \
            1 <= wanted <= len(component.criteria):
        return component.criteria[wanted - 1]
    for criterion in component.criteria:
        if isinstance(wanted, str) and criterion.strip().lower() == wanted.strip().lower():
            return criterion
    listed = "; ".join(component.criteria) or "none"
    raise Rejected(f"{wanted!r} is not a graduation criterion of {component.id} ({listed})")


def component_view(component: ComponentState) -> dict[str, Any]:
    return {"status": component.status, "since": iso(component.since),
            "timeframe_ends": iso(component.timeframe_ends),
            "criteria_met": len(component.met), "criteria": len(component.criteria),
            "unmet": [c for c in component.criteria if c not in component.met],
            "maintainers": list(component.maintainers), "goals": component.goals,
            "archived_at": iso(component.archived_at),
            "removable_at": iso(component.removable_at)}
