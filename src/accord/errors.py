"""The DomainError family.

Services raise these; ``web/problems.py`` maps them once to RFC 9457 problem+json and ``cli`` maps them to
exit codes. Each error has a stable ``type`` slug, an HTTP status and a CLI exit code.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a service may raise on purpose."""

    slug: ClassVar[str] = "domain-error"
    title: ClassVar[str] = "Domain error"
    status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class InvalidInput(DomainError):
    """The caller sent something that cannot be accepted; ``field`` names the culprit."""

    slug = "invalid-input"
    title = "Invalid input"
    status = 422
    exit_code = 2


class UnreadableDocument(InvalidInput):
    """A document whose text cannot or may not be read: corrupt, encrypted, a zip bomb, too many pages."""

    slug = "unreadable-document"
    title = "Unreadable document"


class NotAuthenticated(DomainError):
    slug = "not-authenticated"
    title = "Not authenticated"
    status = 401
    exit_code = 3


class PermissionDenied(DomainError):
    slug = "permission-denied"
    title = "Permission denied"
    status = 403
    exit_code = 3


class NotFound(DomainError):
    """Also used for another organisation's objects, so that their existence is never revealed."""

    slug = "not-found"
    title = "Not found"
    status = 404
    exit_code = 4


class Conflict(DomainError):
    slug = "conflict"
    title = "Conflict"
    status = 409
    exit_code = 5


class ContestBeforeCourts(Conflict):
    """A removal that executed a removal order is contested before the courts of the issuing Member State
    (TCO Art. 9), not through the provider's complaint mechanism; ``extra`` carries the order's redress."""

    slug = "contest-before-courts"
    title = "Contested before the courts (TCO Art. 9)"


class DeadlineMissed(DomainError):
    slug = "deadline-missed"
    title = "Deadline missed"
    status = 409
    exit_code = 5


class PayloadTooLarge(DomainError):
    slug = "payload-too-large"
    title = "Payload too large"
    status = 413
    exit_code = 2


class RateLimited(DomainError):
    slug = "rate-limited"
    title = "Too many requests"
    status = 429
    exit_code = 6


class QuotaExceeded(RateLimited):
    """An API key has used its lookups of the day (``match_quota_per_key_per_day``); ``retry_after`` is the
    seconds until the next UTC day."""

    slug = "quota-exceeded"
    title = "Daily lookup quota exceeded"


class FetchRefused(DomainError):
    """The guarded fetcher refused a URL (private address, too large, too slow, bad scheme)."""

    slug = "fetch-refused"
    title = "Fetch refused"
    status = 422
    exit_code = 2


class OverBlocking(InvalidInput):
    """A blocking-list entry would block shared infrastructure (a platform, a CDN, a public suffix, a shared IP);
    the detail says what to do instead."""

    slug = "over-blocking"
    title = "Would block shared infrastructure"


class CalibrationRequired(PermissionDenied):
    """The organisation requires new reviewers to pass a calibration on golden cases before live cases;
    ``extra`` says how far the reviewer is (answered, accuracy, kappa) and what passing takes."""

    slug = "calibration-required"
    title = "Calibration required before live cases"


ALL_ERRORS: tuple[type[DomainError], ...] = (
    DomainError,
    InvalidInput,
    UnreadableDocument,
    NotAuthenticated,
    PermissionDenied,
    NotFound,
    Conflict,
    ContestBeforeCourts,
    DeadlineMissed,
    PayloadTooLarge,
    RateLimited,
    FetchRefused,
    OverBlocking,
    CalibrationRequired,
)
