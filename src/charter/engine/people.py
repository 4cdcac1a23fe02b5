"""People and their roles, with history: who held what, from when, decided by which event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RoleSpan:
    """One stretch of holding a role; `end` is None while it is held."""

    role: str
    start: datetime | None
    granted_by: str
    end: datetime | None = None
    ended_by: str | None = None


@dataclass(slots=True)
class Person:
    login: str
    history: list[RoleSpan] = field(default_factory=list)
    removed: bool = False
    held: set[str] = field(default_factory=set)  # the roles of the spans still open in history

    def holds(self, role: str) -> bool:
        return role in self.held


class Roster:
    """Everyone the scenario or the service knows, and their roles in the policy's order."""

    def __init__(self, role_order: tuple[str, ...], emeritus_role: str | None = "emeritus",
                 removable_role: str | None = "maintainer",
                 emeritus_of: str | None = "maintainer") -> None:
        self._order = {role: i for i, role in enumerate(role_order)}
        self._people: dict[str, Person] = {}
        self._index: dict[str, int] = {}  # login -> when first listed: holders' order
        self._holders: dict[str, set[str]] = {}  # role -> logins holding it now
        self.emeritus_role = emeritus_role
        self.removable_role = removable_role
        self.emeritus_of = emeritus_of  # the role that emeritus status stands in for
        # Every role granted or ended, in order: (login, role, "granted" | "ended", at, because).
        self.changes: list[tuple[str, str, str, datetime | None, str]] = []

    def reconfigure(self, role_order: tuple[str, ...], emeritus_role: str | None,
                    removable_role: str | None, emeritus_of: str | None) -> None:
        """Follow a new policy's roles; who holds what does not change."""
        self._order = {role: i for i, role in enumerate(role_order)}
        self.emeritus_role = emeritus_role
        self.removable_role = removable_role
        self.emeritus_of = emeritus_of

    def add(self, login: str, roles: list[str], at: datetime | None, because: str) -> None:
        person = self._person(login)
        for role in roles:
            self._start(person, role, at, because)

    def _person(self, login: str) -> Person:
        person = self._people.get(login)
        if person is None:
            person = self._people[login] = Person(login)
            self._index[login] = len(self._index)
        return person

    def _start(self, person: Person, role: str, at: datetime | None, because: str) -> None:
        if not person.holds(role):
            person.history.append(RoleSpan(role, at, because))
            person.held.add(role)
            self.changes.append((person.login, role, "granted", at, because))
            self._holders.setdefault(role, set()).add(person.login)

    def __contains__(self, login: object) -> bool:
        return login in self._people

    def logins(self) -> list[str]:
        return list(self._people)

    def person(self, login: str) -> Person:
        return self._people[login]

    def roles(self, login: str) -> list[str]:
        person = self._people.get(login)
        if person is None:
            return []
        # A role an earlier policy defined and the newest does not comes last, by name.
        return sorted(person.held, key=lambda r: (self._order.get(r, len(self._order)), r))

    def holds(self, login: str, role: str) -> bool:
        person = self._people.get(login)
        return person is not None and person.holds(role)

    def holds_any(self, login: str, roles: tuple[str, ...]) -> bool:
        return any(self.holds(login, role) for role in roles)

    def holders(self, roles: tuple[str, ...]) -> list[str]:
        """Logins holding any of ROLES now, in the order people were first listed."""
        found: set[str] = set().union(*(self._holders.get(role, ()) for role in roles))
        return sorted(found, key=self._index.__getitem__)

    def grant(self, login: str, role: str, at: datetime, because: str) -> None:
        person = self._person(login)
        self._start(person, role, at, because)
        if role == self.removable_role:
            person.removed = False
        # Holding the role again ends emeritus status, however it was regained.
        if role == self.emeritus_of and self.emeritus_role and \
                person.holds(self.emeritus_role) and role != self.emeritus_role:
            self.revoke(login, self.emeritus_role, at, because)

    def revoke(self, login: str, role: str, at: datetime, because: str) -> None:
        person = self._people[login]
        person.history = [
            RoleSpan(s.role, s.start, s.granted_by, at, because)
            if s.role == role and s.end is None else s
            for s in person.history
        ]
        if role in person.held:
            self.changes.append((login, role, "ended", at, because))
        person.held.discard(role)
        self._holders.get(role, set()).discard(login)

    def mark_removed(self, login: str) -> None:
        self._people[login].removed = True

    def status(self, login: str) -> str:
        if self.emeritus_role and self.holds(login, self.emeritus_role):
            return "emeritus"
        if self._people[login].removed:
            return "removed"
        return "active"
