"""From when a commit rule applies: a project adopting a rule on an old history says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from charter.git.history import Commit


@dataclass(frozen=True, slots=True)
class Since:
    """Commits committed before `at`, or in `older` (the ancestors of the commit the policy
    names), are not judged by the rule; every other commit is."""

    at: datetime | None = None
    commit: str | None = None  # as the policy names it; `older` is read from git for it
    older: frozenset[str] = frozenset()

    def applies(self, commit: Commit) -> bool:
        """True when the rule judges COMMIT."""
        if self.at is not None and commit.committed_at < self.at:
            return False
        return commit.sha not in self.older
