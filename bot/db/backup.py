"""Portable backups: every table as gzip'd JSON lines, restorable on either database.

``pg_dump`` and copying the SQLite file each tie a backup to one engine; a commune that
starts on SQLite and moves to the province's PostgreSQL needs a dump both can read. The
file is plain text so an auditor can open it, and it is written and read a batch of rows
at a time so a table of millions of rows never sits in memory.

Layout, one JSON document per line::

    {"format": "motcua-backup", "version": 1, "revision": "0006_overrides", ...}
    {"table": "communes", "columns": ["id", "slug", ...]}
    [1, "default", ...]                      one line per row, in primary-key order
    {"table": "catalogue_entries", ...}
    ...
    {"end": {"communes": 1, ...}}            row counts; a file without it was cut short

Values follow the models' column types: timestamps ISO 8601 with their offset, dates and
times ISO, JSON columns their JSON text (so SQL NULL and JSON ``null`` stay apart).
Restoring checks the schema revision, runs in one transaction (all or nothing) and moves
PostgreSQL's sequences past the restored ids.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import JSON, Column, Table, delete, func, literal, null, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeDecorator

import bot.db.models  # noqa: F401  (registers the core tables)
from bot.db.base import Base
from bot.db.engine import Database
from bot.db.migrate import current_revision, head
from bot.db.models_registry import import_domain_models

FORMAT = "motcua-backup"
VERSION = 1
BATCH = 500


class BackupError(Exception):
    """A backup or restore the operator must fix something for; nothing was changed."""


@dataclass
class Summary:
    revision: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """Every table of the models, parents before children (the order rows are restored)."""
    import_domain_models()
    return list(Base.metadata.sorted_tables)


# --- values ---------------------------------------------------------------------------------


Encoder = Callable[[Any], Any]


def _kind(column: Column[Any]) -> str:
    sql_type = column.type
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    if isinstance(sql_type, JSON):
        return "json"
    try:
        python_type = sql_type.python_type
    except NotImplementedError:
        return "plain"
    for kind, cls in (
        ("datetime", datetime),
        ("date", date),
        ("time", time),
        ("decimal", Decimal),
        ("bytes", bytes),
    ):
        if issubclass(python_type, cls):
            return kind
    return "plain"


def _encoder(kind: str) -> Encoder:
    if kind == "json":
        return lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)
    if kind in ("datetime", "date", "time"):
        return lambda v: v.isoformat()
    if kind == "decimal":
        return str
    if kind == "bytes":
        return lambda v: base64.b64encode(v).decode("ascii")
    return lambda v: v


def _decoder(kind: str) -> Encoder:
    if kind == "json":
        return json.loads
    if kind == "datetime":
        return datetime.fromisoformat
    if kind == "date":
        return date.fromisoformat
    if kind == "time":
        return time.fromisoformat
    if kind == "decimal":
        return Decimal
    if kind == "bytes":
        return base64.b64decode
    return lambda v: v


# --- backup ---------------------------------------------------------------------------------


async def backup(db: Database, path: Path) -> Summary:
    """Write every table to ``path`` (replaced only once the whole file is written)."""
    revision = await current_revision(db)
    if revision != head():
        raise BackupError(_revision_problem("the database", revision))
    summary = Summary(str(revision))
    partial = path.with_name(path.name + ".partial")
    try:
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            _line(
                out,
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "revision": revision,
                    "created_at": datetime.now(UTC).isoformat(),
                    "source": db.url.get_backend_name(),
                },
            )
            async with db.engine.connect() as conn:
                if not db.is_sqlite:  # one snapshot for every table
                    await conn.execution_options(isolation_level="REPEATABLE READ")
                async with conn.begin():
                    for table in tables():
                        summary.rows[table.name] = await _dump_table(conn, table, out)
            _line(out, {"end": summary.rows})
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return summary


async def _dump_table(conn: AsyncConnection, table: Table, out: IO[str]) -> int:
    columns = list(table.columns)
    kinds = [_kind(c) for c in columns]
    encoders = [_encoder(k) for k in kinds]
    # A JSON column's SQL NULL and JSON null both read as None: ask the database which.
    nullable_json = [
        i for i, (c, k) in enumerate(zip(columns, kinds, strict=True)) if k == "json" and c.nullable
    ]
    query = select(*columns, *(columns[i].is_(None) for i in nullable_json))
    query = query.order_by(*table.primary_key.columns)
    _line(out, {"table": table.name, "columns": [c.name for c in columns]})
    count = 0
    result = await conn.stream(query.execution_options(yield_per=BATCH))
    async for row in result:
        is_null = dict(zip(nullable_json, row[len(columns) :], strict=True))
        values = [
            None if row[i] is None and is_null.get(i, True) else encoders[i](row[i])
            for i in range(len(columns))
        ]
        _line(out, values)
        count += 1
    return count


def _line(out: IO[str], value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


# --- restore --------------------------------------------------------------------------------


def read_header(path: Path) -> dict[str, Any]:
    """The file's first line, checked to be a motcua backup this version can read."""
    lines = _lines(path)
    try:
        header = next(lines)
    except StopIteration:
        raise BackupError(f"{path} is empty") from None
    finally:
        lines.close()
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a motcua backup")
    if header.get("version") != VERSION:
        raise BackupError(
            f"{path} is a backup of format version {header.get('version')}; "
            f"this motcua reads version {VERSION}"
        )
    return header


async def restore(db: Database, path: Path, *, force: bool = False) -> Summary:
    """Load ``path`` into ``db`` (at the latest schema) in one transaction.

    Refuses a database that already holds rows unless ``force``, which empties it first.
    """
    header = read_header(path)
    revision = header.get("revision")
    if revision != head():
        raise BackupError(
            f"{path} was written at schema revision {revision}, this motcua is at {head()}: "
            "restore it with the motcua version that wrote it, then run `motcua db upgrade`"
        )
    if await current_revision(db) != head():
        raise BackupError("the database is not at the latest schema: run `motcua db upgrade`")
    by_name = {t.name: t for t in tables()}
    summary = Summary(str(revision))
    async with db.transaction() as session:
        conn = await session.connection()
        occupied = await _first_occupied(conn, list(by_name.values()))
        if occupied and not force:
            raise BackupError(
                f"the database is not empty (table {occupied} has rows): restore into an "
                "empty database, or add --force to replace everything in it"
            )
        if occupied:
            for table in reversed(list(by_name.values())):
                await conn.execute(delete(table))
        lines = _lines(path)
        try:
            next(lines)  # the header
            ended = await _load(conn, lines, by_name, summary)
        finally:
            lines.close()
        if ended is None:
            raise BackupError(f"{path} was cut short (no end marker): nothing was restored")
        if ended != summary.rows:
            raise BackupError(f"{path}: row counts differ from its end marker; nothing restored")
        if not db.is_sqlite:
            await _move_sequences(conn, list(by_name.values()))
    return summary


async def _load(
    conn: AsyncConnection,
    lines: Iterator[Any],
    by_name: dict[str, Table],
    summary: Summary,
) -> dict[str, int] | None:
    table: Table | None = None
    names: list[str] = []
    decoders: list[Encoder] = []
    json_columns: set[int] = set()
    batch: list[dict[str, Any]] = []

    async def flush() -> None:
        if batch and table is not None:
            await conn.execute(table.insert(), batch)
            batch.clear()

    for item in lines:
        if isinstance(item, list):
            if table is None or len(item) != len(names):
                raise BackupError("a row does not fit its table's columns; nothing restored")
            batch.append(
                {
                    name: (null() if i in json_columns else None)
                    if value is None
                    else decoders[i](value)
                    for i, (name, value) in enumerate(zip(names, item, strict=True))
                }
            )
            summary.rows[table.name] += 1
            if len(batch) >= BATCH:
                await flush()
            continue
        await flush()
        if isinstance(item, dict) and "end" in item:
            return dict(item["end"])
        if not isinstance(item, dict) or item.get("table") not in by_name:
            raise BackupError(f"unexpected line in the backup: {str(item)[:80]}")
        table = by_name[item["table"]]
        names = list(item["columns"])
        if set(names) != set(table.columns.keys()):
            raise BackupError(f"the columns of {table.name} differ from this motcua's schema")
        kinds = [_kind(table.columns[n]) for n in names]
        decoders = [_decoder(k) for k in kinds]
        json_columns = {i for i, k in enumerate(kinds) if k == "json"}
        summary.rows[table.name] = 0
    return None


async def _first_occupied(conn: AsyncConnection, all_tables: list[Table]) -> str | None:
    for table in all_tables:
        if (await conn.execute(select(literal(1)).select_from(table).limit(1))).first():
            return table.name
    return None


async def _move_sequences(conn: AsyncConnection, all_tables: list[Table]) -> None:
    """Rows came with their ids; the next id PostgreSQL hands out must follow them."""
    for table in all_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(f'"{table.name}"', column.name)
        following = func.coalesce(select(func.max(column)).scalar_subquery(), 0) + 1
        await conn.execute(select(func.setval(sequence, following, False)))


def _lines(path: Path) -> Generator[Any, None, None]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} cannot be read as a motcua backup: {exc}") from None


def _revision_problem(what: str, revision: object) -> str:
    return (
        f"{what} is at schema revision {revision or '(none)'}, this motcua at {head()}: "
        "back it up with the motcua version that matches it, or run `motcua db upgrade` first"
    )
