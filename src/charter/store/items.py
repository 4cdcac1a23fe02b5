"""Issues and pull requests Charter watches: the triage queue and each pull request's last
activity (the start of its stale timer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from charter.store.tables import github_items, projects


@dataclass(frozen=True, slots=True)
class Item:
    project_id: int
    number: int
    pull_request: bool
    title: str
    author: str
    open: bool
    opened_at: datetime
    needs_triage: bool
    last_activity_at: datetime
    nudged_at: datetime | None
    stale_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        from charter.engine.calendar import iso

        return {"number": self.number, "pull_request": self.pull_request, "title": self.title,
                "author": self.author, "open": self.open, "opened_at": iso(self.opened_at),
                "needs_triage": self.needs_triage,
                "last_activity_at": iso(self.last_activity_at),
                "nudged_at": iso(self.nudged_at), "stale_at": iso(self.stale_at)}


def _item(row: Any) -> Item:
    return Item(row.project_id, int(row.number), row.pull_request, row.title, row.author,
                row.open, row.opened_at, row.needs_triage, row.last_activity_at, row.nudged_at,
                row.stale_at)


def get(conn: Connection, project_id: int, number: int) -> Item | None:
    row = conn.execute(sa.select(github_items).where(github_items.c.project_id == project_id,
                                                     github_items.c.number == number)).first()
    return None if row is None else _item(row)


def seen(conn: Connection, project_id: int, number: int, *, pull_request: bool, title: str,
         author: str, at: datetime) -> Item:
    """The item, recorded (opened at AT) the first time it is seen."""
    found = get(conn, project_id, number)
    if found is not None:
        return found
    conn.execute(github_items.insert().values(
        project_id=project_id, number=number, pull_request=pull_request, title=title[:300],
        author=author[:100], open=True, opened_at=at, needs_triage=False,
        last_activity_at=at))
    made = get(conn, project_id, number)
    assert made is not None
    return made


def update(conn: Connection, project_id: int, number: int, **values: Any) -> None:
    conn.execute(github_items.update().where(github_items.c.project_id == project_id,
                                             github_items.c.number == number).values(**values))


def triage_queue(conn: Connection, project: str) -> list[Item]:
    """PROJECT's open issues still waiting under the triage label, oldest first (the
    dashboard's triage queue)."""
    query = (sa.select(github_items).join(projects, projects.c.id == github_items.c.project_id)
             .where(projects.c.name == project, github_items.c.needs_triage.is_(True),
                    github_items.c.open.is_(True))
             .order_by(github_items.c.opened_at, github_items.c.number))
    return [_item(row) for row in conn.execute(query)]
