"""`checks.required` and `hold`: what the forge reports about the pull request."""

from __future__ import annotations

from charter.gate.model import (
    FAILING_STATES,
    PENDING_STATES,
    GateContext,
    Requirement,
    listed,
)


def checks_requirement(ctx: GateContext) -> Requirement | None:
    """Each required check reported as passing; a check not reported yet is missing."""
    rule = ctx.policy.pull_requests.checks
    if rule is None or not rule.required:
        return None
    states: dict[str, str] = {}
    missing: list[str] = []
    for name in rule.required:
        state = ctx.checks.get(name)
        states[name] = state or "missing"
        if state is None:
            missing.append(f"{name}: not reported yet")
        elif state in FAILING_STATES:
            missing.append(f"{name}: {state}, it must pass")
        elif state in PENDING_STATES:
            missing.append(f"{name}: {state}, waiting for it to pass")
    details = {"checks": states}
    if missing:
        return Requirement("checks.required", False, listed(missing), rule.source,
                           details=details)
    return Requirement("checks.required", True,
                       f"required checks pass: {', '.join(rule.required)}", rule.source,
                       details=details)


def hold_requirement(ctx: GateContext) -> Requirement | None:
    """No hold label is set."""
    rule = ctx.policy.pull_requests.hold
    if rule is None or not rule.labels:
        return None
    held = sorted(set(rule.labels) & ctx.labels)
    if held:
        return Requirement("hold", False,
                           f"on hold: label {', '.join(held)} is set; remove it to merge",
                           rule.source, details={"labels": held})
    return Requirement("hold", True, f"no hold label ({', '.join(rule.labels)}) is set",
                       rule.source)
