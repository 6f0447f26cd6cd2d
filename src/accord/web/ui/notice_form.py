"""The form for sending a notice: which fields each kind needs, checked all at once and explained in plain words.

The browser checks the same rules first (``required``, ``type=url``...); the server checks again because a
browser may not, and the service checks last (its errors are mapped back onto the form's fields)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.errors import DomainError

ALL = ("removal_order", "referral", "alert", "trusted_flag")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kinds: tuple[str, ...]  # the kinds of notice that show the field
    required: tuple[str, ...] = ()  # ... and those that need it
    hint: str = ""
    example: str = ""

    def shown(self, kind: str) -> bool:
        return kind in self.kinds

    def needed(self, kind: str) -> bool:
        return kind in self.required


FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("provider_id", "Hosting provider", ALL, ALL),
    Field("reference", "Your reference", ALL, ("removal_order",),
          hint="Your own file number; the provider quotes it back.", example="e.g. FR-IRU-2026-0001"),
    Field("urls", "Exact URL(s) of the content", ALL, ALL, hint="One a line, each starting with https://.",
          example="e.g. https://video.example/watch/abc123"),
    Field("tco_types", "Type of terrorist content (TCO Art. 2(7))", ("removal_order",), ("removal_order",),
          hint="Tick at least one."),
    Field("reasons", "Statement of reasons", ALL, ALL,
          hint="Why the content is terrorist content or breaks the terms: the provider and the uploader read it."),
    Field("legal_basis", "Legal basis", ("removal_order",), ("removal_order",),
          example="e.g. Regulation (EU) 2021/784, Art. 3"),
    Field("redress_body", "Where the order can be challenged", ("removal_order",), ("removal_order",),
          example="e.g. Tribunal administratif de Paris"),
    Field("redress_days", "Deadline to challenge, in days", ("removal_order",), ("removal_order",)),
    Field("clause", "Terms clause or law relied on", ("referral", "alert"), ("referral",),
          example="e.g. Community guidelines §3 (violent extremism)"),
    Field("emergency_reason", "Emergency reason", ("removal_order",),
          hint="Only for a first order sent without the 12-hour information notice (TCO Art. 3(2))."),
)}
MESSAGES = {
    "provider_id": "Choose the hosting provider.",
    "reference": "Give your reference: a removal order carries the authority's own file number.",
    "urls": "Give at least one URL.",
    "tco_types": "Tick at least one type of terrorist content.",
    "reasons": "Write the statement of reasons.",
    "legal_basis": "Name the legal basis of the order.",
    "redress_body": "Name the court or body where the order can be challenged.",
    "redress_days": "Give the number of days to challenge the order (a whole number, 1 or more).",
    "clause": "Name the terms clause or law the referral relies on.",
}

FIRST_ORDER = ("This is your first removal order to this provider, and no information notice went to it at least 12 "
               "hours ago (TCO Art. 3(2)). Send the information notice first, or give the emergency reason here.")


def fields_for(kind: str) -> list[Field]:
    return [f for f in FIELDS.values() if f.shown(kind)]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def check(kind: str, values: dict[str, Any]) -> dict[str, str]:
    """Every missing or malformed field of the form at once, in words a person can act on."""
    errors = {f.name: MESSAGES[f.name] for f in fields_for(kind) if f.needed(kind) and not values.get(f.name)}
    if "urls" not in errors:
        bad = [str(n) for n, url in enumerate(lines(values.get("urls", "")), 1)
               if not url.lower().startswith(("http://", "https://"))]
        if bad:
            errors["urls"] = f"Line {', '.join(bad)}: a URL starts with https:// (or http://)."
    if kind == "removal_order" and "redress_days" not in errors and not _whole_days(values.get("redress_days")):
        errors["redress_days"] = MESSAGES["redress_days"]
    return errors


def _whole_days(value: Any) -> bool:
    return str(value or "").isdigit() and int(str(value)) >= 1


def data(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The notice as the service takes it (the same document as ``POST /v1/notices``)."""
    out: dict[str, Any] = {"kind": kind, "provider_id": values["provider_id"], "urls": lines(values["urls"]),
                           "reasons": values["reasons"]}
    if values.get("reference"):
        out["reference"] = values["reference"]
    if kind == "removal_order":
        out.update(tco_types=values["tco_types"], legal_basis=values["legal_basis"],
                   redress={"body": values["redress_body"], "deadline_days": int(values["redress_days"])})
        if values.get("emergency_reason"):
            out.update(emergency=True, emergency_reason=values["emergency_reason"])
    elif kind in ("referral", "alert"):
        if values.get("clause"):
            out["clause"] = values["clause"]
        if kind == "alert":
            out["verification_label"] = "verified"
    return out


def field_of(exc: DomainError) -> tuple[str, str]:
    """The form field a service error is about, and the error in the form's words."""
    raw = exc.field or ""
    if raw == "emergency":
        return "emergency_reason", FIRST_ORDER
    if raw.startswith("urls["):
        line = int(raw[5:].split("]")[0]) + 1
        return "urls", f"Line {line}: {exc.detail}"
    name = {"redress.body": "redress_body", "redress.deadline_days": "redress_days", "redress": "redress_body"}.get(
        raw, raw)
    if name in FIELDS:
        return name, MESSAGES.get(name, exc.detail) if "needs" in exc.detail else exc.detail
    return "", exc.detail


TCO_TYPE_LABELS = {
    "incitement": "Incites terrorist offences",
    "solicitation_commit": "Solicits someone to commit an offence",
    "solicitation_group": "Solicits someone to take part in a terrorist group",
    "instruction": "Instructs on making or using weapons or hazardous substances",
    "threat": "Threatens to commit a terrorist offence",
}
