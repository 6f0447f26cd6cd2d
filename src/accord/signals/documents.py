"""Reading the text out of uploaded documents, safely: plain text, HTML, PDF, DOCX, EPUB, and (where Debian's
Tesseract is installed) PDFs made only of page images.

A document's kind is read from its bytes, never its name. Plain text and HTML are decoded in the calling
process (their cost is bounded by the upload size). PDF, DOCX and EPUB are parsed in a child Python process
(``accord.signals._document_worker``) that gets ``DocumentLimits.seconds`` of wall-clock time and
``DocumentLimits.memory`` of address space, as video decoding does (``accord.signals.hashing``): a parser
that hangs or crashes on a hostile file takes the child down, not the server. Before any page or member is
read the child checks the declared page count and the zip's declared sizes and compression ratios, so a
5,000-page PDF or a zip bomb dressed as a .docx is refused with its reason. A PDF that is corrupt, or
encrypted with a password, is refused with :class:`accord.errors.UnreadableDocument` (HTTP 422).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from accord.errors import PayloadTooLarge, UnreadableDocument
from accord.signals.text import text_signals


class DocumentKind(StrEnum):
    """The document formats Accord reads text from."""

    TEXT = "text"
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"
    EPUB = "epub"


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """Ceilings on reading one document."""

    max_pages: int = 2_000
    """Most pages a PDF may declare (a 5,000-page PDF is refused before a page is read)."""
    max_chars: int = 5_000_000
    """Most characters of text kept from one document (the rest is ignored, the first part still matches)."""
    max_unzipped: int = 100 * 1024 * 1024
    """Most bytes a DOCX or EPUB may declare once decompressed, all members together."""
    max_ratio: int = 100
    """Highest compression ratio of a zip member above 1 MiB (a zip bomb compresses a thousand-fold or more)."""
    seconds: float = 60.0
    """Longest the child process may take to read a PDF, DOCX or EPUB."""
    memory: int = 2 * 1024 * 1024 * 1024
    """Address space of that child process (bytes)."""
    ocr: bool = True
    """Whether PDFs without a text layer are read by Tesseract (where the ``tesseract`` program exists)."""


def ocr_available() -> bool:
    """Whether Debian's ``tesseract`` program is on the PATH (the optional OCR extra: docs/signals.md)."""
    return shutil.which("tesseract") is not None


def sniff_document(data: bytes) -> DocumentKind | None:
    """The document kind of ``data`` from its first bytes, or None for anything else (photos, archives...)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return DocumentKind.PDF
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(data)
    if head[:15].lower().startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512].lower():
        return DocumentKind.HTML
    if decode_text(data) is not None:
        return DocumentKind.TEXT
    return None


def _zip_kind(data: bytes) -> DocumentKind | None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "word/document.xml" in names:
        return DocumentKind.DOCX
    if "META-INF/container.xml" in names and data[30:58] == b"mimetypeapplication/epub+zip":
        return DocumentKind.EPUB
    return None


def decode_text(data: bytes) -> str | None:
    """``data`` as text when it is text: UTF-8 (with or without a BOM) or UTF-16 with a BOM; None when it holds
    binary (a NUL byte or other control characters in the first 64 KiB)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    head = data[:65536]
    if b"\x00" in head:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for char in text[:65536] if ord(char) < 32 and char not in "\t\n\r\f")
    return text if controls == 0 else None


class _TextOfHTML(HTMLParser):
    """The visible text of an HTML page: scripts and styles dropped, blocks on lines of their own."""

    _SKIP = frozenset({"script", "style", "template", "noscript", "head"})
    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                        "article", "blockquote", "pre", "title", "td", "th", "hr", "dd", "dt"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML (or XHTML) document."""
    parser = _TextOfHTML()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


@dataclass(frozen=True, slots=True)
class Extracted:
    """The text of a document, its kind, and how many pages it has (PDF; None for other kinds)."""

    kind: DocumentKind
    text: str
    pages: int | None = None
    ocr: bool = False


_RECENT: OrderedDict[tuple[bytes, DocumentLimits], Extracted | None] = OrderedDict()
_RECENT_LOCK = threading.Lock()
_RECENT_SIZE = 4


def extract_text(data: bytes, limits: DocumentLimits | None = None) -> Extracted | None:
    """The text of a document, or None when ``data`` is not a document Accord reads.

    Raises ``UnreadableDocument`` for a corrupt or encrypted document, a zip bomb or too many pages, and
    ``PayloadTooLarge`` when reading it takes longer than ``limits.seconds``. The last few documents read are
    remembered (by SHA-256), so that hashing an upload and showing its matched passages read it once."""
    limits = limits or DocumentLimits()
    key = (hashlib.sha256(data).digest(), limits)
    with _RECENT_LOCK:
        if key in _RECENT:
            return _RECENT[key]
    extracted = _extract(data, limits)
    with _RECENT_LOCK:
        _RECENT[key] = extracted
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)
    return extracted


def _extract(data: bytes, limits: DocumentLimits) -> Extracted | None:
    kind = sniff_document(data)
    if kind is None:
        return None
    if kind is DocumentKind.TEXT:
        return Extracted(kind, (decode_text(data) or "")[: limits.max_chars])
    if kind is DocumentKind.HTML:
        markup = decode_text(data) or data.decode("latin-1")
        return Extracted(kind, html_to_text(markup)[: limits.max_chars])
    return _in_child(kind, data, limits)


def _worker_command(kind: DocumentKind, limits: DocumentLimits) -> list[str]:
    package_root = str(Path(__file__).resolve().parents[2])
    bootstrap = (f"import sys; sys.path.insert(0, {package_root!r}); "
                 "from accord.signals._document_worker import main; main()")
    settings = json.dumps({"kind": kind.value, "max_pages": limits.max_pages, "max_chars": limits.max_chars,
                           "max_unzipped": limits.max_unzipped, "max_ratio": limits.max_ratio,
                           "memory": limits.memory, "ocr": limits.ocr and ocr_available()})
    return [sys.executable, "-I", "-c", bootstrap, settings]


def _in_child(kind: DocumentKind, data: bytes, limits: DocumentLimits) -> Extracted:
    name = kind.value.upper()
    try:
        done = subprocess.run(  # noqa: S603  # our own interpreter and module; no shell, no user input in argv
            _worker_command(kind, limits), input=data, capture_output=True, timeout=limits.seconds, check=False,
        )
    except subprocess.TimeoutExpired:
        raise PayloadTooLarge(f"the {name} takes more than {limits.seconds:g} s to read", field="file") from None
    if done.returncode != 0:
        raise UnreadableDocument(f"the {name} could not be read within the memory allowed to document parsing"
                                 " (corrupt or hostile)", field="file")
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise UnreadableDocument(f"the {name} could not be read", field="file") from None
    if "error" in answer:
        raise UnreadableDocument(str(answer["error"]), field="file")
    return Extracted(kind, str(answer["text"]), answer.get("pages"), bool(answer.get("ocr")))


def document_signals(data: bytes, limits: DocumentLimits | None = None) -> list[tuple[str, str]]:
    """The text signals of a document as ``(type, value)`` pairs; none when ``data`` is not a document."""
    extracted = extract_text(data, limits)
    if extracted is None:
        return []
    return text_signals(extracted.text).signals
