"""The worker's GitHub part: processes stored webhook deliveries and posts the answers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from charter.forge import inbox
from charter.forge.client import GitHub, GitHubUnavailable
from charter.forge.handle import Forge
from charter.store import queue
from charter.store.db import writing
from charter.worker.run import DeliveryFailed, Worker

log = logging.getLogger("charter.worker")
#: How many deliveries, deadlines and effects one round of `run` takes of each.
BATCH = 10
#: How far before an effect was queued its comment may be stamped (GitHub's clock is not ours).
MARGIN = timedelta(minutes=10)


def comment_deliverer(github: GitHub) -> CommentDeliverer:
    return CommentDeliverer(github)


@dataclass(frozen=True)
class CommentDeliverer:
    """Delivers `comment` effects; GitHub's refusals become retries, never drops."""

    github: GitHub

    def __call__(self, effect: queue.Effect) -> None:
        data = effect.payload
        where = (int(data["installation"]), str(data["repository"]), int(data["number"]))
        mark = marker(effect)
        try:
            # An earlier try may have been accepted by GitHub before its worker died: its
            # marker is then among the comments, and posting again would repeat it.
            if effect.retried and any(mark in body for body in self.github.comment_bodies(
                    *where, since=(effect.created_at or self.github.clock()) - MARGIN)):
                log.info("effect %s was posted by an earlier try; not posted again", effect.id)
                return
            self.github.comment(*where, f"{data['body']}\n\n{mark}")
        except GitHubUnavailable as err:
            raise DeliveryFailed(str(err), err.retry_after) from None


def marker(effect: queue.Effect) -> str:
    """The hidden line that ties a comment to its outbox row."""
    return f"<!-- charter:effect {effect.id} -->"


def log_comment(effect: queue.Effect) -> None:
    """Answers when no App is configured (the demo): written to the service's log."""
    data = effect.payload
    log.info("answer on %s#%s: %s", data.get("repository"), data.get("number"),
             str(data.get("body", "")).replace("\n", " | "))


@dataclass
class GitHubWorker(Worker):
    """A worker that also processes webhook deliveries, before the effects they queue."""

    forge: Forge | None = field(default=None)

    def process_deliveries(self, limit: int = 100) -> int:
        """Process up to LIMIT stored deliveries; returns how many were processed.

        The transaction that marks a delivery processed (with the effects it queued) also
        claims the next one: a round trip fewer per delivery, and the order per installation
        holds because the claim sees the mark it follows.
        """
        if self.forge is None:
            return 0
        done = tried = 0
        with writing(self.gov.db) as conn:
            delivery = inbox.claim(conn, self.clock(), self.lease)
        while delivery is not None:
            tried += 1
            more = tried < limit  # never lease one this round will not process
            try:
                effects = self.forge.process(delivery)
            except Exception as err:  # the database went away, a bug: retried, not lost
                with writing(self.gov.db) as conn:
                    when = inbox.failed(conn, delivery, self.clock(),
                                        f"{type(err).__name__}: {err}")
                log.exception("delivery %s (%s) failed; next try at %s", delivery.guid,
                              delivery.event, when.isoformat())
                if not more:
                    break
                with writing(self.gov.db) as conn:
                    delivery = inbox.claim(conn, self.clock(), self.lease)
                continue
            with writing(self.gov.db) as conn:
                now = self.clock()
                for out in effects:
                    queue.enqueue(conn, out.project_id, out.kind, out.dedupe, out.ordering_key,
                                  out.payload, now)
                inbox.processed(conn, delivery, now)
                delivery = inbox.claim(conn, now, self.lease) if more else None
            done += 1
        return done

    def _step(self) -> int:
        """Deliveries first, so their answers are queued this round; in small batches, so a
        stream of webhooks never holds back the answers to earlier ones."""
        return (self.process_deliveries(BATCH) + self.fire_due(BATCH)
                + self.deliver_due(BATCH))
