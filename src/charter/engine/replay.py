"""Replay a list of commands from an empty state: the state is a fold over the log."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from charter.engine.machine import Engine
from charter.engine.state import Command
from charter.policy.schema import Policy


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic collector while building large state.

    A replay (or its report) makes many small objects and frees almost none: the collector's
    full passes over that growing heap would make a long history cost more than linear time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def replay(policy: Policy, people: Mapping[str, Iterable[str]], commands: Iterable[Command],
           as_of: datetime | None = None, *, policy_digest: str = ""
           ) -> tuple[Engine, datetime | None]:
    """Apply COMMANDS up to AS_OF in order, then advance the clock to AS_OF.

    AS_OF defaults to the last command's instant; commands after it are not applied, since the
    state is reported as it stood then, and are kept in `engine.not_applied` so that reports
    can say so.
    """
    engine = Engine(policy, people, policy_digest=policy_digest)
    last: datetime | None = None
    with collector_paused():
        remaining = iter(commands)
        for command in remaining:
            if as_of is not None and command.at > as_of:
                engine.not_applied = [command, *remaining]
                break
            engine.apply(command)
            last = command.at
    end = as_of or last
    if end is not None:
        engine.advance(end)
    return engine, end
