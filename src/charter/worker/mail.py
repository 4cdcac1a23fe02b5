"""Mail notices over SMTP (`CHARTER_SMTP_URL`), or written to the log when none is set."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from charter.store import queue
from charter.worker.run import DeliveryFailed

log = logging.getLogger("charter.worker")
#: Mail notices come from this address unless the URL's user part names another.
SENDER = "charter@localhost"
TIMEOUT = 10.0


def message(effect: queue.Effect, sender: str = SENDER) -> EmailMessage:
    """EFFECT's mail: to the policy's list, with a Message-ID derived from the effect's key,
    so a mail a dying worker sent twice is one message to the list and its readers."""
    data = effect.payload
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = str(data["to"])
    mail["Subject"] = str(data.get("subject", ""))[:300]
    mail["Message-ID"] = str(data["message_id"])
    if effect.created_at is not None:
        mail["Date"] = format_datetime(effect.created_at)
    mail["X-Charter-Notice"] = str(data.get("notice", ""))
    mail.set_content(str(data.get("body", "")))
    return mail


@dataclass(frozen=True)
class MailDeliverer:
    """Delivers `mail` effects to the SMTP server at URL (smtp://host:port)."""

    url: str
    sender: str = SENDER

    def __call__(self, effect: queue.Effect) -> None:
        if not effect.payload.get("to"):
            log.warning("notice %s of %s not mailed: the policy names no notices.mailing_list",
                        effect.payload.get("notice"), effect.payload.get("decision"))
            return
        where = urlsplit(self.url)
        try:
            with smtplib.SMTP(where.hostname or "localhost", where.port or 25,
                              timeout=TIMEOUT) as smtp:
                smtp.send_message(message(effect, self.sender))
        except (OSError, smtplib.SMTPException) as err:
            raise DeliveryFailed(f"SMTP {where.hostname}:{where.port}: {err}") from None


def log_mail(effect: queue.Effect) -> None:
    """Mail notices when CHARTER_SMTP_URL is not set: logged, and the log says they were not
    sent."""
    data = effect.payload
    log.info("mail NOT sent (CHARTER_SMTP_URL is not set): to %s, subject %r, recipients %s",
             data.get("to") or "(no mailing list in the policy)", data.get("subject"),
             ", ".join(map(str, data.get("recipients", []))))
