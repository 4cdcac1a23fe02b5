"""One module per process; each registers its verbs and deadlines with the machine."""

from charter.engine.processes import components, lazy, membership, policies, rfcs, votes

__all__ = ["components", "lazy", "membership", "policies", "rfcs", "votes"]
