"""The five notice kinds and what each must carry; a missing or unknown field is refused by name.

- ``removal_order``: TCO Art. 3(4) and Annex I (authorities only; binding; one hour).
- ``referral``: voluntary, assessed against the provider's terms, so it cites the clause (TCO recital 40).
- ``trusted_flag``: DSA Art. 22, decided with priority.
- ``user_report``: DSA Art. 16(2): explanation, exact location, notifier's name and email, good-faith statement.
- ``alert``: a coordinator's alert (as Tech Against Terrorism's TCAP), with a verification label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accord.errors import InvalidInput
from accord.signals.url import normalise_url

TCO_TYPES = ("incitement", "solicitation_commit", "solicitation_group", "instruction", "threat")
VERIFICATION_LABELS = ("verified", "designated_entity", "crisis_material")
MAX_URLS = 100
MAX_NONDISCLOSURE_DAYS = 42  # six weeks (TCO Art. 11(3)); extendable once by as much
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASH = re.compile(r"^[a-z0-9_]{2,20}:[0-9a-fA-F]{16,128}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")

# Annex I fields beyond Art. 3(4)'s core: section A (legal representative, Member State of establishment),
# E (type of authority, file number, the representative certifying the order) and F (follow-up contact).
ANNEX_I_FIELDS = ("legal_representative", "establishment_member_state", "authority_type", "file_number",
                  "signatory", "follow_up_contact")
AUTHORITY_TYPES = ("judicial", "law_enforcement", "other")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

COMMON = ("kind", "provider_id", "urls", "reference", "identifying_info", "content_hashes", "reasons")


@dataclass(frozen=True)
class NoticeKind:
    name: str
    issuers: tuple[str, ...]  # organisation kinds that may send it; "public" for no key at all
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    binding: bool = False  # the one-hour clock and breaches apply

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset((*COMMON, *self.required, *self.optional))


KINDS: dict[str, NoticeKind] = {
    k.name: k
    for k in (
        NoticeKind(
            "removal_order", ("authority",),
            required=("provider_id", "reference", "urls", "tco_types", "reasons", "legal_basis", "redress"),
            optional=("emergency", "emergency_reason", "cross_border", "host_authority_id", "nondisclosure_days",
                      "issued_at", "operational_hold", "language", "copy_to_europol", *ANNEX_I_FIELDS),
            binding=True,
        ),
        NoticeKind("referral", ("authority", "coordinator"), required=("provider_id", "urls", "reasons", "clause"),
                   optional=("tco_types", "operational_hold")),
        NoticeKind("trusted_flag", ("trusted_flagger",), required=("provider_id", "urls", "reasons"),
                   optional=("tco_types", "clause", "legal_basis")),
        NoticeKind("user_report", ("public",),
                   required=("provider_id", "urls", "reasons", "notifier_name", "notifier_email", "good_faith")),
        NoticeKind("alert", ("coordinator",), required=("provider_id", "urls", "reasons", "verification_label"),
                   optional=("tco_types", "clause")),
    )
}


def kind_of(data: Mapping[str, Any]) -> NoticeKind:
    name = data.get("kind")
    if not isinstance(name, str) or name not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    return KINDS[str(name)]


def check_fields(kind: NoticeKind, data: Mapping[str, Any]) -> None:
    """Refuse a field the kind does not know, then a required one that is missing or empty."""
    for name in sorted(set(data) - kind.allowed):
        raise InvalidInput(f"{name} is not a field of a {kind.name}", field=name)
    for name in kind.required:
        if _empty(data.get(name)):
            raise InvalidInput(f"a {kind.name} needs {name}", field=name)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _text(data: Mapping[str, Any], name: str, limit: int = 20_000) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput(f"{name} must be text of at most {limit} characters", field=name)
    return value.strip()


def clean_urls(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The URLs as sent and their normalised forms (the deconfliction keys), in the same order."""
    urls = data.get("urls")
    if not isinstance(urls, list) or not urls or len(urls) > MAX_URLS:
        raise InvalidInput(f"urls must list 1 to {MAX_URLS} URLs", field="urls")
    keys: list[str] = []
    for index, url in enumerate(urls):
        if not isinstance(url, str):
            raise InvalidInput("every URL must be text", field=f"urls[{index}]")
        try:
            keys.append(normalise_url(url))
        except InvalidInput as exc:
            raise InvalidInput(exc.detail, field=f"urls[{index}]") from None
    return [str(u).strip() for u in urls], list(dict.fromkeys(keys))


def clean_hashes(data: Mapping[str, Any]) -> list[str]:
    """Optional content hashes as ``type:hex`` (e.g. ``sha256:...``): notices about one file join one case."""
    hashes = data.get("content_hashes") or []
    if not isinstance(hashes, list) or not all(isinstance(h, str) and _HASH.match(h) for h in hashes):
        raise InvalidInput("content_hashes must list values shaped type:hex", field="content_hashes")
    return [f"hash:{h.split(':', 1)[0].lower()}:{h.split(':', 1)[1].lower()}" for h in hashes]


def clean_tco_types(data: Mapping[str, Any], required: bool) -> list[str]:
    """TCO Art. 2(7): one or more of the five types of terrorist content."""
    types = data.get("tco_types") or []
    if not isinstance(types, list) or (required and not types):
        raise InvalidInput(f"tco_types must list one or more of {', '.join(TCO_TYPES)}", field="tco_types")
    for value in types:
        if value not in TCO_TYPES:
            raise InvalidInput(f"unknown tco_type {value!r}; one of {', '.join(TCO_TYPES)}", field="tco_types")
    return sorted(set(types))


def _redress(data: Mapping[str, Any]) -> dict[str, Any]:
    redress = data.get("redress")
    if not isinstance(redress, dict):
        raise InvalidInput("redress must give the body and deadline_days", field="redress")
    for name in sorted(set(redress) - {"body", "deadline_days", "national_law"}):
        raise InvalidInput(f"{name} is not a field of redress", field=f"redress.{name}")
    body = redress.get("body")
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput("redress needs the body that hears a challenge", field="redress.body")
    days = redress.get("deadline_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3650:
        raise InvalidInput("redress.deadline_days must be a whole number of days", field="redress.deadline_days")
    return {"body": body.strip(), "deadline_days": days, "national_law": redress.get("national_law")}


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false", field=name)
    return value


def _removal_order(data: Mapping[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {"legal_basis": _text(data, "legal_basis"), "redress": _redress(data)}
    details["emergency"] = _flag(data, "emergency")
    details["emergency_reason"] = _text(data, "emergency_reason")
    if details["emergency"] and not details["emergency_reason"]:
        raise InvalidInput("an emergency needs its reason (TCO Art. 3(2))", field="emergency_reason")
    days = data.get("nondisclosure_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)
                             or not 1 <= days <= MAX_NONDISCLOSURE_DAYS):
        raise InvalidInput(f"nondisclosure_days is 1 to {MAX_NONDISCLOSURE_DAYS} (six weeks)",
                           field="nondisclosure_days")
    details["nondisclosure_days"] = days
    if data.get("cross_border") is not None:
        details["cross_border"] = _flag(data, "cross_border")
    details["host_authority_id"] = _text(data, "host_authority_id", 40) or None
    if data.get("copy_to_europol") is not None:  # TCO Art. 14(4): the issuer may send Europol a copy
        details["copy_to_europol"] = _flag(data, "copy_to_europol")
    details["issued_at"] = issued_at(data.get("issued_at"))
    details["language"] = _language(data)
    details.update(_annex_i(data))
    return details


def _language(data: Mapping[str, Any]) -> str | None:
    """The language the order is written in (ISO 639-1), checked against the contact point (TCO Art. 15(2))."""
    value = _text(data, "language", 8).lower()
    if value and not _LANGUAGE.match(value):
        raise InvalidInput("language must be an ISO 639-1 code such as de", field="language")
    return value or None


def issued_at(value: Any) -> str | None:
    """TCO Art. 3(4)(d), Annex I section A: the date and time of issue, an ISO 8601 timestamp with its offset,
    kept in UTC. Free text ("this morning") or a time without its offset is refused."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidInput("issued_at must be an ISO 8601 timestamp with a time zone", field="issued_at")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("issued_at must be an ISO 8601 timestamp with a time zone, e.g. "
                           "2026-03-02T10:00:00+01:00", field="issued_at") from None
    if moment.tzinfo is None or "T" not in value:
        raise InvalidInput("issued_at needs a date, a time and a time zone (e.g. +01:00 or Z)", field="issued_at")
    return moment.astimezone(UTC).isoformat()


def _country(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _COUNTRY.match(value.strip().upper()):
        raise InvalidInput(f"{field} is an ISO 3166-1 alpha-2 code", field=field)
    return value.strip().upper()


def _part(data: Mapping[str, Any], name: str, required: tuple[str, ...],
          optional: tuple[str, ...]) -> dict[str, Any] | None:
    """An optional object of short texts (``{name, post}``); unknown or missing members are refused by name."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be an object with {', '.join(required + optional)}", field=name)
    for extra in sorted(set(value) - set(required) - set(optional)):
        raise InvalidInput(f"{extra} is not a field of {name}", field=f"{name}.{extra}")
    part = {key: _text(value, key, 500) for key in (*required, *optional)}
    for key in required:
        if not part[key]:
            raise InvalidInput(f"{name} needs {key}", field=f"{name}.{key}")
    return part


def _contact(data: Mapping[str, Any]) -> dict[str, Any] | None:
    contact = _part(data, "follow_up_contact", ("email",), ("name", "phone"))
    if contact is not None and not _EMAIL.match(contact["email"]):
        raise InvalidInput("follow_up_contact.email is not an email address", field="follow_up_contact.email")
    return contact


def _annex_i(data: Mapping[str, Any]) -> dict[str, Any]:
    """Annex I sections A, E and F: optional at intake (the instance fills what it knows from the issuer's and the
    addressee's records), but each is checked when given."""
    kind = data.get("authority_type")
    if kind is not None and kind not in AUTHORITY_TYPES:
        raise InvalidInput(f"authority_type is one of {', '.join(AUTHORITY_TYPES)} (Annex I section E)",
                           field="authority_type")
    representative = _part(data, "legal_representative", ("name",), ("member_state", "address"))
    if representative is not None:
        representative["member_state"] = _country(representative["member_state"],
                                                  "legal_representative.member_state")
    return {
        "legal_representative": representative,
        "establishment_member_state": _country(data.get("establishment_member_state"), "establishment_member_state"),
        "authority_type": kind, "file_number": _text(data, "file_number", 200) or None,
        "signatory": _part(data, "signatory", ("name",), ("post",)), "follow_up_contact": _contact(data),
    }


def _clause(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"clause": _text(data, "clause", 500), "legal_basis": _text(data, "legal_basis")}


def _user_report(data: Mapping[str, Any]) -> dict[str, Any]:
    email = _text(data, "notifier_email", 320)
    if not _EMAIL.match(email):
        raise InvalidInput("notifier_email is not an email address", field="notifier_email")
    if data.get("good_faith") is not True:
        raise InvalidInput("the notifier must confirm the good-faith statement (DSA Art. 16(2)(d))",
                           field="good_faith")
    return {"notifier_name": _text(data, "notifier_name", 200), "notifier_email": email, "good_faith": True}


def _alert(data: Mapping[str, Any]) -> dict[str, Any]:
    label = data.get("verification_label")
    if label not in VERIFICATION_LABELS:
        raise InvalidInput(f"verification_label is one of {', '.join(VERIFICATION_LABELS)}",
                           field="verification_label")
    return {"verification_label": label, "clause": _text(data, "clause", 500)}


_DETAILS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "removal_order": _removal_order,
    "referral": _clause,
    "trusted_flag": _clause,
    "user_report": _user_report,
    "alert": _alert,
}


@dataclass(frozen=True)
class CleanNotice:
    """A notice that passed its kind's checks, ready for intake."""

    kind: NoticeKind
    provider_id: str
    reference: str
    urls: list[str]
    content_keys: list[str]
    tco_types: list[str]
    reasons: str
    details: dict[str, Any]
    operational_hold: str


def validate(data: Mapping[str, Any]) -> CleanNotice:
    """Check ``data`` against its kind; raises ``InvalidInput`` naming the first bad field."""
    kind = kind_of(data)
    check_fields(kind, data)
    urls, keys = clean_urls(data)
    details = _DETAILS[kind.name](data)
    details["identifying_info"] = _text(data, "identifying_info", 5000)
    return CleanNotice(
        kind=kind, provider_id=_text(data, "provider_id", 40), reference=_text(data, "reference", 200),
        urls=urls, content_keys=[*keys, *clean_hashes(data)],
        tco_types=clean_tco_types(data, required="tco_types" in kind.required),
        reasons=_text(data, "reasons"), details=details, operational_hold=_text(data, "operational_hold", 2000),
    )
