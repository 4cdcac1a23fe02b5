"""The worker's part of the gate: delivers `check_run` effects (the `charter` check run)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from charter.forge.client import GitHub, GitHubUnavailable
from charter.store import queue
from charter.worker.run import DeliveryFailed

log = logging.getLogger("charter.worker")


@dataclass(frozen=True)
class CheckRunDeliverer:
    """Creates the check run on its commit once, then updates it (GitHub is asked which runs
    the commit has, so a retry after a crash updates the run it created)."""

    github: GitHub

    def __call__(self, effect: queue.Effect) -> None:
        data = effect.payload
        try:
            self.github.check_run(int(data["installation"]), str(data["repository"]),
                                  str(data["sha"]), str(data["name"]), dict(data["fields"]))
        except GitHubUnavailable as err:
            raise DeliveryFailed(str(err), err.retry_after) from None


def log_check_run(effect: queue.Effect) -> None:
    """Check runs when no App is configured (the demo): written to the service's log."""
    data = effect.payload
    fields = data.get("fields") or {}
    log.info("check run %s on %s@%s: %s: %s", data.get("name"), data.get("repository"),
             str(data.get("sha"))[:12], fields.get("conclusion"),
             (fields.get("output") or {}).get("title"))
