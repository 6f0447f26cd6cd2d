"""E-mail to people outside Accord: complainants, public notifiers, uploaders.

A service queues a message with ``queue`` in its own transaction (no mail for a change that rolls back); a
worker delivers it through the configured SMTP server (``ACCORD_SMTP_*``), retried with backoff and
dead-lettered like any job. The queued message is sealed (Fernet, key derived from ``secret_key``) because it
holds an address, personal facts and a status link that must not sit readable in the job table. The job's id
is the message's ``Message-ID``, so a repeat after a crash is recognisable as the same message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import smtplib
import ssl
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Final

from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.jobs.models import Job
from accord.jobs.registry import JobContext, handler
from accord.jobs.service import enqueue
from accord.settings import Settings

JOB_KIND: Final = "mail.send"
SMTP_TIMEOUT_SECONDS: Final = 30.0
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one address."""

    to: str
    subject: str
    body: str


class MailNotConfigured(Exception):
    """A queued message met a worker without ``ACCORD_SMTP_HOST``; the job retries until one is set."""


def is_address(text: str | None) -> bool:
    """Whether ``text`` is an e-mail address we can send to (contacts may also be handles or phone numbers)."""
    return bool(text) and _ADDRESS.match(str(text).strip()) is not None


def enabled(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def _fernet(settings: Settings) -> Fernet:
    key = hashlib.sha256(b"accord-mail:" + settings.secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(settings: Settings, mail: Mail) -> str:
    return _fernet(settings).encrypt(json.dumps(asdict(mail)).encode()).decode()


def unseal(settings: Settings, sealed: str) -> Mail:
    return Mail(**json.loads(_fernet(settings).decrypt(sealed.encode())))


def queue(session: Session, clock: Clock, settings: Settings, mail: Mail, *, org_id: str | None) -> Job | None:
    """Queue ``mail`` in the caller's transaction; None (nothing queued) when no SMTP server is configured or
    the recipient is not an e-mail address."""
    if not enabled(settings) or not is_address(mail.to):
        return None
    return enqueue(session, clock, JOB_KIND, {"sealed": seal(settings, mail)}, org_id=org_id,
                   max_attempts=settings.job_max_attempts)


def message(settings: Settings, mail: Mail, message_id: str, clock: Clock) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.smtp_from, mail.to.strip(), mail.subject
    msg["Date"] = formatdate(clock.now().timestamp(), usegmt=True)
    msg["Message-ID"] = f"<{message_id}@accord>"
    msg.set_content(mail.body)
    return msg


def send(settings: Settings, msg: EmailMessage) -> None:
    """Hand one message to the SMTP server; any failure raises, and the job retries."""
    if not settings.smtp_host:
        raise MailNotConfigured("ACCORD_SMTP_HOST is not set")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(msg)


@handler(JOB_KIND)
def deliver(ctx: JobContext, payload: dict[str, Any]) -> None:
    """The worker's side: unseal and send."""
    mail = unseal(ctx.settings, str(payload["sealed"]))
    send(ctx.settings, message(ctx.settings, mail, ctx.job_id, ctx.clock))
