"""Mail notices: sent to a real SMTP server on loopback, refused as a retry, logged without one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from charter.store.notices import message_id
from charter.store.queue import Effect
from charter.worker.mail import MailDeliverer, log_mail, message
from charter.worker.run import DeliveryFailed
from tests.forge.smtp import smtp_server
from tests.web.conftest import free_port

WHEN = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)


def effect(**payload: Any) -> Effect:
    data = {"project": "acme/x", "notice": "vote-opened", "decision": "4-vote",
            "to": "list@example.org", "recipients": ["alice", "bob"], "subject": "Vote open",
            "body": "alice\nbob\n", "message_id": message_id("acme/x:notice:vote-opened"),
            **payload}
    return Effect(1, 1, "mail", "mail:acme/x:4-vote", data, 0, created_at=WHEN)


def test_a_mail_reaches_the_list_with_a_stable_message_id() -> None:
    with smtp_server() as inbox:
        deliver = MailDeliverer(inbox.url)
        deliver(effect())
        deliver(effect())  # a retry after a crash: the same message, so readers dedupe it
        got = inbox.received()
    assert [m.recipients for m in got] == [["list@example.org"]] * 2
    assert got[0].message["Message-ID"] == got[1].message["Message-ID"]
    assert got[0].message["Subject"] == "Vote open" and "bob" in got[0].body


@pytest.mark.parametrize(("key_a", "key_b", "same"), [
    ("acme/x:notice:vote-opened:mail:4-vote", "acme/x:notice:vote-opened:mail:4-vote", True),
    ("acme/x:notice:vote-opened:mail:4-vote", "acme/x:notice:vote-result:mail:4-vote", False),
    ("acme/x:notice:vote-opened:mail:4-vote", "acme/y:notice:vote-opened:mail:4-vote", False),
])
def test_the_message_id_follows_the_effect_key(key_a: str, key_b: str, same: bool) -> None:
    assert (message_id(key_a) == message_id(key_b)) is same
    assert message(effect(message_id=message_id(key_a)))["Message-ID"] == message_id(key_a)


def test_an_unreachable_server_is_a_retry_not_a_loss() -> None:
    with pytest.raises(DeliveryFailed, match=r"SMTP 127\.0\.0\.1"):
        MailDeliverer(f"smtp://127.0.0.1:{free_port()}")(effect())


def test_without_smtp_the_log_says_the_mail_was_not_sent(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="charter.worker"):
        log_mail(effect())
    assert "NOT sent" in caplog.text and "CHARTER_SMTP_URL" in caplog.text
    assert "alice, bob" in caplog.text
