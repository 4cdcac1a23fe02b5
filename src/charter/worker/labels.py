"""Label effects (triage and stale labels): adding or removing a label twice changes nothing,
so a retried delivery needs no marker."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from charter.forge.client import GitHub, GitHubUnavailable
from charter.store import queue
from charter.worker.run import DeliveryFailed

log = logging.getLogger("charter.worker")


@dataclass(frozen=True)
class LabelDeliverer:
    """Delivers `label` effects: `{"add": [...]}` or `{"remove": NAME}` on an issue."""

    github: GitHub

    def __call__(self, effect: queue.Effect) -> None:
        data = effect.payload
        where = (int(data["installation"]), str(data["repository"]), int(data["number"]))
        try:
            if data.get("add"):
                self.github.add_labels(*where, [str(x) for x in data["add"]])
            if data.get("remove"):
                self.github.remove_label(*where, str(data["remove"]))
        except GitHubUnavailable as err:
            raise DeliveryFailed(str(err), err.retry_after) from None


def log_label(effect: queue.Effect) -> None:
    """Labels when no App is configured (the demo): written to the service's log."""
    data = effect.payload
    log.info("label on %s#%s: add %s, remove %s", data.get("repository"), data.get("number"),
             data.get("add") or "-", data.get("remove") or "-")
