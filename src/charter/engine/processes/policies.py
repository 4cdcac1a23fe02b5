"""Adopting a new policy: decisions opened afterwards run under it, open ones keep theirs."""

from __future__ import annotations

from charter.engine.machine import Engine, handles
from charter.engine.state import Command, Rejected
from charter.policy.loader import LoadedPolicy


@handles("adopt-policy")
def adopt_policy(engine: Engine, cmd: Command) -> None:
    """Anyone named may adopt: the authority is outside the engine (the repository's review of
    the policy file, or the service's admin), which decides before the command is recorded."""
    loaded = cmd.get("policy")
    if not isinstance(loaded, LoadedPolicy):
        raise Rejected("adopt-policy needs a policy: a preset name, a file or a mapping")
    engine.adopt(loaded.policy, loaded.digest, cmd.at, cmd.by)
