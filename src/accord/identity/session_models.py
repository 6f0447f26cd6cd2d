"""UI login sessions kept on the server, and the failed-login counters that lock an account or an address.

A session row holds only the SHA-256 of the token the browser's cookie carries, so the database never holds a
working login; logging out sets ``revoked_at``, after which the cookie opens nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base


class UiSession(Base):
    __tablename__ = "ui_sessions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed logins for one e-mail address (``account:<sha256>``, also for addresses no member has, so a
    lockout does not tell which accounts exist) or from one client address (``address:<ip>``). Instance-wide
    rather than per organisation: an attempt names no organisation until it succeeds."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    lockouts: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
