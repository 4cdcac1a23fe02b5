"""Vote notices end to end on the real service: a vote opens (a mail to the list, a comment
mentioning every binding voter), a reminder one business day before the close to those who have
not voted, the result at close by comment and mail; each in the notice ledger, once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from charter.engine.calendar import BusinessCalendar
from charter.store import notices
from charter.store.db import reading
from charter.worker.mail import MailDeliverer
from tests.forge.conftest import REPO, Hub, fixture
from tests.forge.smtp import Inbox, smtp_server

LIST = "maintainers@lists.example.org"
PEOPLE = {"alice": "maintainer", "bob": "maintainer", "carol": "maintainer",
          "dave": "contributor"}
MAINTAINERS = ["alice", "bob", "carol"]
FRIDAY = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
POLICY = {"extends": "llama-stack", "notices": {"mailing_list": LIST}}


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as received:
        yield received


@pytest.fixture
def mailing(hub: Hub, inbox: Inbox) -> Hub:
    """The hub, its worker mailing through the loopback SMTP server, the project installed."""
    hub.worker.deliverers = {**hub.worker.deliverers, "mail": MailDeliverer(inbox.url)}
    hub.gov.create_project(REPO, POLICY, PEOPLE)
    assert hub.send("installation", fixture("installation.created")).status_code == 202
    hub.work()
    return hub


def notices_said(hub: Hub, pattern: str) -> list[str]:
    return [body for body in hub.github.posted(REPO, 1) if re.search(pattern, body)]


def ledger(hub: Hub) -> list[dict[str, object]]:
    with reading(hub.gov.db) as conn:
        return notices.ledger(conn, hub.gov.project(REPO).id)


def test_a_vote_is_announced_reminded_and_its_result_told(mailing: Hub, inbox: Inbox) -> None:
    hub = mailing
    hub.clock.now = FRIDAY
    for author, body in [("dave", "/propose"), ("bob", "/object not before the release"),
                         ("alice", "/call-vote")]:
        hub.comment(body, author)
        hub.work()
        hub.clock.advance(minutes=5)

    # Opened: one mail to the list naming every binding voter, one comment mentioning each.
    mails = inbox.received()
    assert len(mails) == 1 and mails[0].recipients == [LIST]
    assert mails[0].message["To"] == LIST and "Vote open" in mails[0].message["Subject"]
    assert all(f"  {login}\n" in mails[0].body for login in MAINTAINERS)
    assert "dave" not in mails[0].body  # a contributor's vote is advisory, not binding
    assert mails[0].message["Message-ID"].endswith("@charter.notices>")
    opened = notices_said(hub, "A vote is open")
    assert len(opened) == 1
    assert all(f"@{login}" in opened[0] for login in MAINTAINERS) and "@dave" not in opened[0]

    hub.comment("/vote yes", "alice")
    hub.work()
    closes = datetime.fromisoformat(
        hub.gov.state(REPO)["decisions"]["1-vote"]["closes_at"].replace("Z", "+00:00"))
    # Closing on a Friday afternoon: one business day before is Thursday, the same time.
    assert closes.weekday() == 4
    remind_at = closes - timedelta(days=1)

    hub.clock.now = remind_at - timedelta(seconds=1)
    hub.work()
    assert not notices_said(hub, "Reminder") and len(inbox.received()) == 1
    hub.clock.now = remind_at
    hub.work()
    reminders = notices_said(hub, "Reminder")
    assert len(reminders) == 1
    assert "@bob" in reminders[0] and "@carol" in reminders[0] and "@alice" not in reminders[0]
    reminder_mail = inbox.received()[1]
    assert "Reminder" in reminder_mail.message["Subject"]
    assert "bob" in reminder_mail.body and "alice" not in reminder_mail.body

    hub.comment("/vote yes", "bob")
    hub.work()
    hub.clock.now = closes + timedelta(minutes=1)
    hub.work()
    results = notices_said(hub, "is closed")
    assert len(results) == 1 and "**passed**" in results[0] and "yes 2, no 0" in results[0]
    result_mail = inbox.received()[2]
    assert "passed" in result_mail.message["Subject"] and "yes 2, no 0" in result_mail.body

    # Once each, however often the worker runs; every notice on record with its recipients.
    hub.clock.advance(days=3)
    hub.work()
    assert len(inbox.received()) == 3
    assert len(notices_said(hub, "A vote is open|Reminder|is closed")) == 3
    record = ledger(hub)
    assert [(r["notice"], r["channel"]) for r in record] == [
        ("vote-opened", "comment"), ("vote-opened", "mail"), ("vote-reminder", "comment"),
        ("vote-reminder", "mail"), ("vote-result", "comment"), ("vote-result", "mail")]
    assert all(r["delivered_at"] is not None for r in record)
    assert record[0]["recipients"] == MAINTAINERS
    assert record[2]["recipients"] == ["bob", "carol"]
    assert record[1]["to"] == LIST
    ids = {m.message["Message-ID"] for m in inbox.received()}
    assert len(ids) == 3
    # The same record over the API, for one decision.
    shown = hub.http.get(f"/api/v1/projects/{REPO}/notices", params={"decision": "1-vote"})
    assert shown.status_code == 200 and shown.json()["notices"] == record


def test_a_secret_vote_reminds_by_participation_never_by_choice(mailing: Hub,
                                                                 inbox: Inbox) -> None:
    hub = mailing
    hub.comment("/nominate @dave maintainer", "alice", number=7)
    hub.work()
    opened = [b for b in hub.github.posted(REPO, 7) if "A vote is open" in b]
    assert len(opened) == 1 and "ballot page" in opened[0]
    hub.gov.apply(REPO, "bob", {"do": "vote", "id": "7", "choice": "no",
                                "explanation": "too early"})
    closes = datetime.fromisoformat(
        hub.gov.state(REPO)["decisions"]["7"]["closes_at"].replace("Z", "+00:00"))
    calendar = BusinessCalendar()
    when = notices.reminder_at(calendar, closes - timedelta(days=7), closes)
    assert when is not None and calendar.business_seconds(when, closes) == 24 * 3600
    hub.clock.now = when
    hub.work()
    reminders = [b for b in hub.github.posted(REPO, 7) if "Reminder" in b]
    assert len(reminders) == 1
    assert "@bob" not in reminders[0] and "@carol" in reminders[0]
    assert "no" not in reminders[0].split("Not voted yet:")[1].replace("@", " ").split()


def test_without_a_mailing_list_the_mail_is_logged_not_sent(hub: Hub, inbox: Inbox,
                                                            caplog: pytest.LogCaptureFixture
                                                            ) -> None:
    hub.worker.deliverers = {**hub.worker.deliverers, "mail": MailDeliverer(inbox.url)}
    hub.gov.create_project(REPO, "llama-stack", PEOPLE)
    hub.comment("/nominate @dave maintainer", "alice", number=7)
    with caplog.at_level("WARNING", logger="charter.worker"):
        hub.work()
    assert inbox.received() == []
    assert "names no notices.mailing_list" in caplog.text


SAT, SUN = 5, 6


@pytest.mark.parametrize(("opened", "closes", "expected"), [
    # A weekday close: the day before, same time.
    ("2026-03-06T16:00:00", "2026-03-13T16:00:00", "2026-03-12T16:00:00"),
    # A Monday close: the Friday before (the weekend is not business time).
    ("2026-03-02T10:00:00", "2026-03-09T10:00:00", "2026-03-06T10:00:00"),
    # Closing Saturday noon: the last business day is all of Friday, so Friday 00:00.
    ("2026-03-02T10:00:00", "2026-03-07T12:00:00", "2026-03-06T00:00:00"),
    # A vote shorter than a business day has no reminder.
    ("2026-03-06T16:00:00", "2026-03-09T10:00:00", None),
])
def test_the_reminder_is_one_business_day_before_the_close(opened: str, closes: str,
                                                           expected: str | None) -> None:
    calendar = BusinessCalendar(weekend=frozenset({SAT, SUN}))

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    found = notices.reminder_at(calendar, at(opened), at(closes))
    assert found == (at(expected) if expected else None)
    if found is not None:
        assert calendar.business_seconds(found, at(closes)) == 24 * 3600
