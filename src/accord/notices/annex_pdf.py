"""Annex I, II and III as PDF (fpdf2): the sections of the signed JSON document, printed in the Annex's order with
its tick boxes, and the signature block (signer, key fingerprint, signature). The text is real text in an
embedded Unicode font (DejaVu Sans, which matplotlib ships), so it can be searched, copied and extracted. The
signed JSON rides along as an embedded file (``ATTACHMENT``), so a PDF passed on by e-mail can be imported again and
its signature checked: the round trip JSON -> PDF -> JSON gives the same document."""

from __future__ import annotations

import importlib.util
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from accord.errors import InvalidInput

_FONT = "DejaVu"
ATTACHMENT: Final = "accord-document.json"


@dataclass(frozen=True)
class Printable:
    """What a PDF shows: a title, the Annex's opening lines, and sections of labelled values."""

    title: str
    intro: Sequence[str]
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]]
    created: str | None = None  # ISO time written as the PDF's creation date (the same document, the same PDF)
    footer: Sequence[str] = field(default_factory=tuple)
    # The signed JSON document, embedded as a file so that the PDF can be imported again (``document_in``).
    attachment: Mapping[str, Any] | None = None


def tick(checked: bool, label: str) -> str:
    """A tick box as the Annex prints it."""
    return f"[{'x' if checked else ' '}] {label}"


def _font_dir() -> Path | None:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None  # pragma: no cover - matplotlib is a dependency
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return folder if (folder / "DejaVuSans.ttf").exists() else None


def _pdf(created: str | None) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    folder = _font_dir()
    if folder is None:  # pragma: no cover - see _font_dir
        raise RuntimeError("the DejaVu Sans font that matplotlib ships was not found")
    pdf.add_font(_FONT, "", str(folder / "DejaVuSans.ttf"))
    pdf.add_font(_FONT, "B", str(folder / "DejaVuSans-Bold.ttf"))
    if created:
        pdf.set_creation_date(datetime.fromisoformat(created).astimezone(UTC))
    return pdf


def _line(pdf: FPDF, text: str, size: float = 9, style: str = "") -> None:
    pdf.set_font(_FONT, style, size)
    pdf.multi_cell(0, size * 0.5, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _section(pdf: FPDF, heading: str, rows: Sequence[tuple[str, str]]) -> None:
    pdf.ln(2)
    _line(pdf, heading, 11, "B")
    for label, value in rows:
        if label:
            _line(pdf, label, 8, "B")
        _line(pdf, value or "-", 9)
        pdf.ln(0.8)


def render(doc: Printable) -> bytes:
    """The PDF bytes of one annex document."""
    pdf = _pdf(doc.created)
    pdf.set_title(doc.title)
    pdf.add_page()
    _line(pdf, doc.title, 14, "B")
    pdf.ln(1)
    for text in doc.intro:
        _line(pdf, text, 8)
    for heading, rows in doc.sections:
        _section(pdf, heading, rows)
    for text in doc.footer:
        _line(pdf, text, 7)
    if doc.attachment is not None:
        made = datetime.fromisoformat(doc.created).astimezone(UTC) if doc.created else None
        pdf.embed_file(bytes=json.dumps(doc.attachment, sort_keys=True, ensure_ascii=False).encode(),
                       basename=ATTACHMENT, desc="The signed document this PDF prints (JSON)", compress=True,
                       creation_date=made, modification_date=made, mime_type="application/json")
    return bytes(pdf.output())


def document_in(content: bytes) -> dict[str, Any]:
    """The signed JSON document a PDF of ``render`` carries; a PDF without one (or no PDF) is refused."""
    try:
        attached = PdfReader(io.BytesIO(content)).attachments.get(ATTACHMENT) or []
        doc = json.loads(attached[0]) if attached else None
    except (PdfReadError, ValueError):
        raise InvalidInput("not a readable PDF", field="body") from None
    if not isinstance(doc, dict):
        raise InvalidInput(f"the PDF carries no {ATTACHMENT} document; import the JSON, or a PDF that Accord "
                           "made", field="body")
    return doc


def text(value: object) -> str:
    """A JSON value as the PDF prints it."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else text(v)}"
                         for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, list):
        return "\n".join(text(v) for v in value) or "-"
    return str(value)


def signature_rows(signature: object) -> list[tuple[str, str]]:
    """The signature block: who signed, with which key (fingerprint to compare), and the signature itself."""
    if not isinstance(signature, dict):
        return [("Signature", "not signed")]
    signer = signature.get("signer") or {}
    return [("Signed by", f"{text(signer.get('name'))} ({text(signer.get('organisation_id'))}), "
                          f"{text(signer.get('role'))}"),
            ("Algorithm and key", f"{text(signature.get('algorithm'))}, key {text(signature.get('key_id'))}, "
                                  f"fingerprint {text(signature.get('fingerprint'))}"),
            ("Public key (base64)", text(signature.get("public_key"))),
            ("Signature (base64)", text(signature.get("value"))),
            ("Verify", "accord notice verify FILE.json (the JSON form of this document); the signature covers "
                       + text(signature.get("canonicalisation")))]
