"""What a scan reads: the items of its sources in a fixed order, and the bytes of one item, within limits.

A source is a directory (its regular files, walked in name order; symbolic links are not followed), a manifest
(a text file of paths, relative to the manifest, or URLs, one per line, ``#`` for comments), an ``http(s)`` URL,
or any other URL fsspec understands (``file://``, ``s3://`` where s3fs is installed...: a folder is listed
recursively). The order is fixed so that a resumed scan cuts the same batches. Items are yielded one at a
time: a source of ten million files never sits in memory.

Reading happens on the workers: a local file is refused above ``MediaLimits.max_bytes`` before it is read, an
http(s) URL goes through the guarded fetcher (``accord.fetcher``: public addresses only, size and time limits),
an fsspec URL is read up to the same size limit.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from accord import fetcher
from accord.errors import FetchRefused, InvalidInput, PayloadTooLarge
from accord.settings import Settings
from accord.signals import MediaLimits

WEB_SCHEMES = ("http", "https")


def is_url(ref: str) -> bool:
    """Whether ``ref`` names an item by URL (a scheme of two letters or more: ``C:\\`` is a path)."""
    scheme = urlsplit(ref).scheme
    return len(scheme) > 1 and "://" in ref


def check_sources(sources: Sequence[str]) -> list[str]:
    """The sources as they will be stored: local paths made absolute; an unknown path refused."""
    if not sources:
        raise InvalidInput("name at least one directory, manifest or URL to scan", field="source")
    checked = []
    for source in sources:
        if is_url(source):
            checked.append(source)
            continue
        path = Path(source).expanduser()
        if not path.exists():
            raise InvalidInput(f"no such directory or manifest: {source}", field="source")
        checked.append(str(path.resolve()))
    return checked


def items(sources: Sequence[str]) -> Iterator[str]:
    """Every item of the sources, in a fixed order."""
    for source in sources:
        if is_url(source):
            yield from _url_items(source)
        elif Path(source).is_dir():
            yield from _directory(Path(source))
        else:
            yield from _manifest(Path(source))


def batches(sources: Sequence[str], size: int, skip: set[int] | None = None,
            start: int = 0) -> Iterator[tuple[int, list[str]]]:
    """``(number, items)`` per batch of ``size`` items from batch ``start`` on, leaving out the numbers in
    ``skip`` (done already); batches before ``start`` are passed over without being held."""
    stream = items(sources)
    number = 0
    while True:
        batch = list(islice(stream, size))
        if not batch:
            return
        if number >= start and number not in (skip or set()):
            yield number, batch
        number += 1


def _directory(root: Path) -> Iterator[str]:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield str(path)


def _manifest(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            ref = line.strip()
            if not ref or ref.startswith("#"):
                continue
            yield ref if is_url(ref) or Path(ref).is_absolute() else str(path.parent / ref)


def _url_items(url: str) -> Iterator[str]:
    if urlsplit(url).scheme in WEB_SCHEMES:
        yield url
        return
    fs, root = _filesystem(url)
    if not fs.isdir(root):
        yield url
        return
    for found in sorted(fs.find(root)):
        yield fs.unstrip_protocol(found)


def _filesystem(url: str) -> tuple[Any, str]:
    """fsspec's filesystem for ``url`` and the path within it."""
    import fsspec  # installed with dask; a protocol such as s3 needs its own package (s3fs)

    try:
        return fsspec.core.url_to_fs(url)  # type: ignore[no-any-return]  # fsspec is untyped
    except (ImportError, ValueError) as exc:
        raise InvalidInput(f"cannot read {url}: {exc}", field="source") from exc


def read(ref: str, limits: MediaLimits, fetch_settings: Settings) -> bytes:
    """The bytes of one item; ``PayloadTooLarge`` over the size limit, ``FetchRefused``/``OSError`` when it
    cannot be read."""
    if is_url(ref) and urlsplit(ref).scheme in WEB_SCHEMES:
        answer = fetcher.fetch(ref, fetch_settings)
        if answer.status != 200:
            raise FetchRefused(f"{ref} answered HTTP {answer.status}", field="url")
        return answer.body
    if is_url(ref):
        return _read_fsspec(ref, limits)
    path = Path(ref)
    if path.stat().st_size > limits.max_bytes:
        raise PayloadTooLarge(f"larger than {limits.max_bytes} bytes", field="file")
    with path.open("rb") as handle:
        return _bounded(handle.read(limits.max_bytes + 1), limits)


def _read_fsspec(url: str, limits: MediaLimits) -> bytes:
    import fsspec

    with fsspec.open(url, "rb") as handle:
        return _bounded(handle.read(limits.max_bytes + 1), limits)


def _bounded(data: bytes, limits: MediaLimits) -> bytes:
    if len(data) > limits.max_bytes:  # the file grew after stat, or the store gave no size
        raise PayloadTooLarge(f"larger than {limits.max_bytes} bytes", field="file")
    return data


def fetch_settings(settings: Settings) -> Settings:
    """Only what the guarded fetcher needs, for workers: the database URL and secrets never leave the client."""
    return Settings.model_construct(fetch_allow_private=settings.fetch_allow_private,
                                    fetch_max_bytes=settings.fetch_max_bytes,
                                    fetch_timeout_seconds=settings.fetch_timeout_seconds)
