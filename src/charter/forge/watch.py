"""Issues and pull requests as they come and go: the triage queue and stale timers."""

from __future__ import annotations

from charter.forge import stale, triage
from charter.forge.inbox import Delivery
from charter.forge.outbound import Outbound
from charter.store.projects import Governance


def follow(gov: Governance, delivery: Delivery) -> list[Outbound]:
    """The label effects DELIVERY calls for, having recorded what it says of its issue."""
    if delivery.event == "issues":
        return triage.on_issue(gov, delivery)
    if delivery.event in ("pull_request", "pull_request_review", "issue_comment"):
        return stale.on_activity(gov, delivery)
    return []
