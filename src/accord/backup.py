"""Encrypted logical backups of the whole database, and their restore into an empty one.

A backup is every table of ``accord.models.metadata``, in dependency order, as JSON lines (a header naming the
schema's Alembic revision; per table a line with its columns, one JSON array per row, and a line with its row
count; a closing line with every count), read in one snapshot and streamed: zlib-compressed, then sealed in
chunks of at most 1 MiB with AES-256-GCM. The file::

    MAGIC (14 bytes) | version (1) | salt (16) | nonce prefix (4)
    then chunks: length (4, big-endian) | ciphertext and tag

The chunk key is HKDF-SHA256 of the operator's secret with the file's random salt; chunk ``i``'s nonce is the
prefix and ``i`` (8 bytes); each chunk's associated data is the header, ``i`` and a flag set on the last chunk
only. So a changed, reordered, dropped or appended chunk, a truncated file or another secret is refused, and
nothing is restored unless every chunk authenticated (the restore is one transaction). The same format serves
SQLite and PostgreSQL, in either direction.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    Table,
    Text,
    bindparam,
    cast,
    func,
    inspect,
)
from sqlalchemy import select as sql_select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from accord.clock import Clock
from accord.errors import Conflict, InvalidInput
from accord.models import metadata

MAGIC: Final = b"ACCORD-BACKUP\x00"
VERSION: Final = 1
CHUNK: Final = 1 << 20
MIN_SECRET: Final = 32
_HEADER: Final = len(MAGIC) + 1 + 16 + 4
_BATCH: Final = 1000
DAMAGED: Final = "the backup is damaged or altered, or was made with another key: nothing was restored"


def check_secret(secret: str) -> str:
    if len(secret) < MIN_SECRET:
        raise InvalidInput(f"the backup key must be at least {MIN_SECRET} characters (ACCORD_BACKUP_KEY or "
                           "--key-file)", field="backup_key")
    return secret


def _key(secret: str, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"accord-backup-v1").derive(secret.encode())
    return AESGCM(derived)


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">Q?", index, final)


class SealedWriter:
    """Compresses and encrypts what is written to it, chunk by chunk, into ``out``; ``close`` seals the end."""

    def __init__(self, out: IO[bytes], secret: str) -> None:
        salt, prefix = os.urandom(16), os.urandom(4)
        self._header = MAGIC + bytes([VERSION]) + salt + prefix
        self._out, self._aes, self._prefix = out, _key(check_secret(secret), salt), prefix
        self._zip = zlib.compressobj(6)
        self._pending = b""
        self._index = 0
        out.write(self._header)

    def write(self, data: bytes) -> None:
        self._pending += self._zip.compress(data)
        while len(self._pending) > CHUNK:
            self._seal(self._pending[:CHUNK], final=False)
            self._pending = self._pending[CHUNK:]

    def close(self) -> None:
        self._pending += self._zip.flush()
        while len(self._pending) > CHUNK:
            self._seal(self._pending[:CHUNK], final=False)
            self._pending = self._pending[CHUNK:]
        self._seal(self._pending, final=True)

    def _seal(self, plain: bytes, *, final: bool) -> None:
        nonce = self._prefix + struct.pack(">Q", self._index)
        sealed = self._aes.encrypt(nonce, plain, _aad(self._header, self._index, final))
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._index += 1


def _read_exactly(source: IO[bytes], size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise InvalidInput(DAMAGED, field="backup")
    return data


def opened(source: IO[bytes], secret: str) -> Iterator[bytes]:
    """The plaintext of a sealed stream, chunk by chunk, each authenticated before it is handed out."""
    header = source.read(_HEADER)
    if len(header) != _HEADER or not header.startswith(MAGIC):
        raise InvalidInput("this is not an Accord backup", field="backup")
    if header[len(MAGIC)] != VERSION:
        raise InvalidInput(f"backup format {header[len(MAGIC)]} is not supported", field="backup")
    salt, prefix = header[len(MAGIC) + 1:len(MAGIC) + 17], header[len(MAGIC) + 17:]
    aes, unzip = _key(check_secret(secret), salt), zlib.decompressobj()
    index = 0
    while True:
        length = source.read(4)
        if len(length) != 4:
            raise InvalidInput(DAMAGED, field="backup")  # cut off before its last chunk
        sealed = _read_exactly(source, struct.unpack(">I", length)[0])
        nonce = prefix + struct.pack(">Q", index)
        for final in (False, True):
            try:
                plain = aes.decrypt(nonce, sealed, _aad(header, index, final))
                break
            except InvalidTag:
                continue
        else:
            raise InvalidInput(DAMAGED, field="backup")
        yield unzip.decompress(plain)
        index += 1
        if final:
            if source.read(1):
                raise InvalidInput(DAMAGED, field="backup")  # something appended after the last chunk
            yield unzip.flush()
            return


def _lines(chunks: Iterator[bytes]) -> Iterator[Any]:
    rest = b""
    for chunk in chunks:
        rest += chunk
        *whole, rest = rest.split(b"\n")
        for line in whole:
            yield json.loads(line)
    if rest:
        yield json.loads(rest)


# ---- values ----------------------------------------------------------------------------------------------------


def _dumped(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _columns(table: Table) -> list[ColumnElement[Any]]:
    """What is read of each column: JSON as its text, so that SQL NULL and JSON ``null`` stay apart."""
    return [cast(column, Text).label(column.name) if isinstance(column.type, JSON) else column
            for column in table.columns]


def _loader(table: Table) -> list[Any]:
    """For each column, how a dumped value goes back in."""
    loaders: list[Any] = []
    for column in table.columns:
        kind = column.type
        if isinstance(kind, JSON):
            loaders.append(lambda v: None if v is None else (JSON.NULL if (p := json.loads(v)) is None else p))
        elif isinstance(kind, LargeBinary):
            loaders.append(lambda v: None if v is None else base64.b64decode(v))
        elif isinstance(_impl(kind), DateTime):
            loaders.append(lambda v: None if v is None else datetime.fromisoformat(v))
        elif isinstance(_impl(kind), Date):
            loaders.append(lambda v: None if v is None else date.fromisoformat(v))
        else:
            loaders.append(lambda v: v)
    return loaders


def _impl(kind: Any) -> Any:
    return kind.impl if isinstance(kind, TypeDecorator) else kind


def _insert(table: Table) -> Any:
    """An insert in which a JSON column's ``None`` is SQL NULL and ``JSON.NULL`` is JSON ``null``."""
    values = {}
    for column in table.columns:
        if isinstance(column.type, JSON):
            kind = copy.copy(column.type)
            kind.none_as_null = True
            values[column.name] = bindparam(column.name, type_=kind)
    return table.insert().values(values) if values else table.insert()


# ---- backup ----------------------------------------------------------------------------------------------------


def _revisions(connection: Connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    return sorted(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


@dataclass(frozen=True)
class Summary:
    revisions: list[str]
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def backup(engine: Engine, out: IO[bytes], secret: str, clock: Clock) -> Summary:
    """Write the whole database, read in one snapshot, sealed, to ``out``."""
    sealed = SealedWriter(out, secret)
    rows: dict[str, int] = {}

    def emit(line: Any) -> None:
        sealed.write(json.dumps(line, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")

    options: dict[str, Any] = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")  # a read transaction: one snapshot of every table
        revisions = _revisions(connection)
        tables = metadata.sorted_tables
        emit({"accord_backup": VERSION, "revisions": revisions, "created_at": clock.now().isoformat(),
              "source": engine.dialect.name, "tables": [table.name for table in tables]})
        for table in tables:
            emit({"table": table.name, "columns": [column.name for column in table.columns]})
            query = sql_select(*_columns(table)).order_by(*table.primary_key.columns)
            count = 0
            for row in connection.execution_options(yield_per=_BATCH).execute(query):
                emit([_dumped(value) for value in row])
                count += 1
            emit({"end": table.name, "rows": count})
            rows[table.name] = count
        emit({"complete": True, "rows": rows})
        connection.rollback()
    sealed.close()
    return Summary(revisions, rows)


# ---- restore ---------------------------------------------------------------------------------------------------


def _refuse_unless_ready(connection: Connection, revisions: list[str]) -> None:
    found = _revisions(connection)
    if found != revisions:
        raise Conflict(f"the database is at revision {', '.join(found) or 'none'} and the backup at "
                       f"{', '.join(revisions) or 'none'}: restore into a database migrated to the backup's revision",
                       field="database")
    for table in metadata.sorted_tables:
        if connection.execute(sql_select(func.count()).select_from(table)).scalar_one():
            raise Conflict(f"the database is not empty (table {table.name} has rows): a backup is restored only into "
                           "an empty database", field="database")


def migrate_if_bare(engine: Engine, database_url: str, revisions: list[str]) -> None:
    """A database without any table is first migrated to the backup's revision; any other is left as it is."""
    with engine.connect() as connection:
        bare = not inspect(connection).get_table_names()
    if bare:
        from accord import migrate

        for revision in revisions:
            migrate.upgrade(database_url, revision)


def header_of(source: IO[bytes], secret: str) -> tuple[dict[str, Any], Iterator[Any]]:
    """The backup's header line, and the rest of its lines."""
    lines = _lines(opened(source, secret))
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("accord_backup") != VERSION:
        raise InvalidInput(DAMAGED, field="backup")
    return header, lines


def restore(engine: Engine, header: dict[str, Any], lines: Iterator[Any]) -> Summary:
    """Load a backup into an empty database at the backup's revision, in one transaction."""
    tables = {table.name: table for table in metadata.sorted_tables}
    rows: dict[str, int] = {}
    with engine.begin() as connection:
        _refuse_unless_ready(connection, list(header["revisions"]))
        line = next(lines, None)
        while isinstance(line, dict) and "table" in line:
            table = tables.get(line["table"])
            if table is None or line["columns"] != [column.name for column in table.columns]:
                raise Conflict(f"table {line['table']!r} of the backup does not match this version's schema",
                               field="backup")
            rows[table.name], line = _load_table(connection, table, lines)
        if not (isinstance(line, dict) and line.get("complete") and line.get("rows") == rows):
            raise InvalidInput(DAMAGED, field="backup")
        if next(lines, None) is not None:
            raise InvalidInput(DAMAGED, field="backup")
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
    return Summary(list(header["revisions"]), rows)


def _load_table(connection: Connection, table: Table, lines: Iterator[Any]) -> tuple[int, Any]:
    names = [column.name for column in table.columns]
    loaders = _loader(table)
    statement = _insert(table)
    batch: list[dict[str, Any]] = []
    count = 0
    for line in lines:
        if isinstance(line, dict):
            if line.get("end") != table.name or line.get("rows") != count + len(batch):
                raise InvalidInput(DAMAGED, field="backup")
            if batch:
                connection.execute(statement, batch)
            return count + len(batch), next(lines, None)
        batch.append({name: load(value) for name, load, value in zip(names, loaders, line, strict=True)})
        if len(batch) >= _BATCH:
            connection.execute(statement, batch)
            count, batch = count + len(batch), []
    raise InvalidInput(DAMAGED, field="backup")


def _advance_sequences(connection: Connection) -> None:
    """Integer keys the database numbers itself go on after the restored ones."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.exec_driver_sql(
                "SELECT pg_get_serial_sequence(%s, %s)", (table.name, column.name)).scalar()
            if sequence is not None:
                connection.exec_driver_sql(
                    f'SELECT setval(%s, COALESCE(MAX("{column.name}"), 1), MAX("{column.name}") IS NOT NULL) '  # noqa: S608
                    f'FROM "{table.name}"', (sequence,))
