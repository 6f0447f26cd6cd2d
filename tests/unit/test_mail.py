"""accord.mail: queued in the caller's transaction, sealed, sent through a real SMTP server, STARTTLS enforced."""

from __future__ import annotations

import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord import mail
from accord.clock import FrozenClock
from accord.jobs.models import Job
from accord.settings import Settings
from tests.conftest import free_port

MESSAGE = mail.Mail("someone@example.org", "The decision on your report", "We removed it.\nhttp://x/status/abc")


class Inbox:
    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.mark.parametrize("to", ["", "a handle", "@example.org", "two@example.org, three@example.org"])
def test_only_an_address_is_mailed(to: str) -> None:
    assert not mail.is_address(to)
    assert mail.is_address("someone@example.org")


def test_nothing_is_queued_without_an_smtp_server_or_an_address(session: Session, clock: FrozenClock,
                                                               settings: Settings) -> None:
    assert mail.queue(session, clock, settings, MESSAGE, org_id=None) is None
    configured = settings.model_copy(update={"smtp_host": "127.0.0.1"})
    assert mail.queue(session, clock, configured, mail.Mail("a handle", "s", "b"), org_id=None) is None
    job = mail.queue(session, clock, configured, MESSAGE, org_id=None)
    assert job is not None and job.kind == "mail.send"
    session.flush()
    stored = session.scalars(select(Job)).one()
    assert "someone@example.org" not in str(stored.payload) and "status/abc" not in str(stored.payload)
    assert mail.unseal(configured, str(stored.payload["sealed"])) == MESSAGE


def test_a_message_reaches_the_smtp_server(settings: Settings, clock: FrozenClock) -> None:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        configured = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                                 "smtp_starttls": False})
        mail.send(configured, mail.message(configured, MESSAGE, "job_1", clock))
        with pytest.raises(smtplib.SMTPNotSupportedError):  # never in clear when STARTTLS is expected
            mail.send(configured.model_copy(update={"smtp_starttls": True}),
                      mail.message(configured, MESSAGE, "job_2", clock))
    finally:
        controller.stop()
    [received] = inbox.received
    assert (received["To"], received["Subject"], received["Message-ID"]) == (
        "someone@example.org", "The decision on your report", "<job_1@accord>")
    assert "status/abc" in str(received.get_content())


def test_a_worker_without_an_smtp_server_fails_the_job_so_it_retries(settings: Settings,
                                                                      clock: FrozenClock) -> None:
    with pytest.raises(mail.MailNotConfigured):
        mail.send(settings, mail.message(settings, MESSAGE, "job_3", clock))
