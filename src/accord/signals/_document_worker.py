"""The child process that reads PDF, DOCX and EPUB documents (``accord.signals.documents``).

It reads the document from standard input and writes one JSON object: ``{"text", "pages", "ocr"}`` or
``{"error": reason}``. Its address space is capped before any parser is imported, and the parent kills it at
its deadline. Nothing here trusts what the file declares beyond checking it against the limits.
"""

from __future__ import annotations

import html
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

_MIB = 1024 * 1024


class Refused(Exception):
    """The document is refused; the message is the reason given to the caller."""


def main() -> None:
    """Read stdin, answer on stdout (see the module docstring)."""
    settings: dict[str, Any] = json.loads(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (settings["memory"], settings["memory"]))
    data = sys.stdin.buffer.read()
    try:
        answer = read(settings["kind"], data, settings)
    except Refused as exc:
        answer = {"error": str(exc)}
    sys.stdout.write(json.dumps(answer))


def read(kind: str, data: bytes, settings: dict[str, Any]) -> dict[str, Any]:
    """The text of a document of ``kind``; ``Refused`` with the reason when it cannot or may not be read."""
    if kind == "pdf":
        return _pdf(data, settings)
    members = _checked_zip(data, settings, kind.upper())
    text = _docx(members) if kind == "docx" else _epub(members)
    return {"text": text[: settings["max_chars"]], "pages": None}


# ---- PDF -------------------------------------------------------------------------------------------------------

def _pdf(data: bytes, settings: dict[str, Any]) -> dict[str, Any]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.disable(logging.WARNING)  # pypdf logs every repair it makes; the answer says what matters
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused("the PDF is encrypted with a password: its text cannot be read")
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise Refused(f"the PDF is corrupt: {type(exc).__name__}: {exc}"[:300]) from None
    if pages > settings["max_pages"]:
        raise Refused(f"the PDF has {pages} pages, more than the limit of {settings['max_pages']}")
    text = _pdf_text(reader, settings["max_chars"])
    if len(text.split()) < 5 * max(1, pages) and settings["ocr"]:
        return {"text": _ocr_pdf(reader, settings["max_chars"]), "pages": pages, "ocr": True}
    return {"text": text, "pages": pages, "ocr": False}


def _pdf_text(reader: Any, max_chars: int) -> str:
    from pypdf.errors import PyPdfError

    parts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            part = page.extract_text() or ""
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
                ZeroDivisionError) as exc:
            raise Refused(f"the PDF is corrupt: page {number} cannot be read ({type(exc).__name__})") from None
        parts.append(part)
        size += len(part)
        if size >= max_chars:
            break
    return "\n\n".join(parts)[:max_chars]


def _ocr_pdf(reader: Any, max_chars: int) -> str:
    """The text Tesseract reads in the images of each page (a scanned PDF is one image per page)."""
    parts: list[str] = []
    for page in reader.pages:
        try:
            images = list(page.images)
        except Exception:  # noqa: S112  # pypdf raises many kinds on broken image streams: skip the page
            continue
        for image in images:
            parts.append(ocr_image(image.data))
        if sum(map(len, parts)) >= max_chars:
            break
    return "\n\n".join(parts)[:max_chars]


def ocr_image(data: bytes) -> str:
    """Tesseract's reading of one image (its own format detection; Debian's ``tesseract`` program)."""
    program = shutil.which("tesseract")
    if program is None:
        return ""
    with tempfile.NamedTemporaryFile(prefix="accord-ocr-") as handle:
        handle.write(data)
        handle.flush()
        done = subprocess.run(  # noqa: S603  # Debian's tesseract; the arguments are ours
            [program, handle.name, "stdout", "-l", "eng"], capture_output=True, check=False, timeout=120,
        )
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else ""


# ---- DOCX and EPUB (zip containers) ----------------------------------------------------------------------------

def _checked_zip(data: bytes, settings: dict[str, Any], name: str) -> dict[str, bytes]:
    """Every member's bytes, after refusing declared sizes and ratios that betray a zip bomb; each member is
    read no further than it declared (a lying header cannot make it larger)."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused(f"the {name} is corrupt: {exc}") from None
    if len(infos) > 10_000:
        raise Refused(f"the {name} holds {len(infos)} files, more than 10000")
    declared = sum(info.file_size for info in infos)
    if declared > settings["max_unzipped"]:
        raise Refused(f"the {name} declares {declared} bytes once decompressed, more than the limit of "
                      f"{settings['max_unzipped']} (a possible zip bomb)")
    for info in infos:
        if info.file_size > _MIB and info.file_size > settings["max_ratio"] * max(1, info.compress_size):
            ratio = info.file_size // max(1, info.compress_size)
            raise Refused(f"the {name} member {info.filename!r} compresses {ratio}-fold, more than "
                          f"{settings['max_ratio']} (a possible zip bomb)")
    members: dict[str, bytes] = {}
    try:
        for info in infos:
            if info.is_dir() or not info.filename.endswith((".xml", ".xhtml", ".html", ".htm", ".opf")):
                continue
            with archive.open(info) as handle:
                members[info.filename] = handle.read(info.file_size + 1)[: info.file_size]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise Refused(f"the {name} is corrupt: {exc}") from None
    return members


_PARAGRAPH = re.compile(rb"</w:p>|<w:br\s*/>|<w:cr\s*/>")
_TAB = re.compile(rb"<w:tab\s*/>")
_RUN_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|(\n)|(\t)")


def _docx(members: dict[str, bytes]) -> str:
    """The text runs of the body, footnotes and endnotes, a line per paragraph. Read with patterns, not an
    XML parser: no entity a file declares is ever expanded (the billion-laughs attack has nothing to grow)."""
    parts = []
    for name in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
        xml = members.get(name)
        if xml is None:
            continue
        xml = _TAB.sub(b"\t", _PARAGRAPH.sub(b"\n", xml))
        pieces = [m.group(1) or m.group(2) or m.group(3) or b"" for m in _RUN_TEXT.finditer(xml)]
        parts.append(html.unescape(b"".join(pieces).decode("utf-8", errors="replace")))
    if not parts:
        raise Refused("the DOCX has no document body")
    return "\n".join(parts)


def _epub(members: dict[str, bytes]) -> str:
    """The text of the chapters in reading order (the package's spine; file order where it has none)."""
    from accord.signals.documents import html_to_text

    order = _spine(members) or sorted(n for n in members if n.endswith((".xhtml", ".html", ".htm")))
    return "\n\n".join(html_to_text(members[name].decode("utf-8", errors="replace"))
                       for name in order if name in members)


def _spine(members: dict[str, bytes]) -> list[str]:
    container = members.get("META-INF/container.xml", b"").decode("utf-8", errors="replace")
    found = re.search(r'full-path="([^"]+)"', container)
    if not found or found.group(1) not in members:
        return []
    opf_path = found.group(1)
    opf = members[opf_path].decode("utf-8", errors="replace")
    items = {m.group(1): m.group(2) for m in re.finditer(r'<item\s[^>]*?id="([^"]+)"[^>]*?href="([^"]+)"', opf)}
    items |= {m.group(2): m.group(1) for m in re.finditer(r'<item\s[^>]*?href="([^"]+)"[^>]*?id="([^"]+)"', opf)}
    base = str(Path(opf_path).parent)
    refs = re.findall(r'<itemref\s[^>]*?idref="([^"]+)"', opf)
    return [str(Path(base) / items[ref]) if base != "." else items[ref] for ref in refs if ref in items]


if __name__ == "__main__":
    main()
