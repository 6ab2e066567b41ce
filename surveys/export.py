"""Raw answers as CSV or XLSX, ready for Excel and safe to open.

Streaming end to end: rows come from the database in batches (``yield_per``) and go
straight to the file (csv, or openpyxl's write-only workbook), so exporting a million
answers holds a few thousand in memory. Every text cell that Excel or LibreOffice
would read as a formula (starting with = + - @, a tab or a carriage return) gets a
leading apostrophe. Comments may hold personal details a resident typed, so they are
left out unless asked for.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Commune
from surveys.instrument import ELEMENT_LABELS, ELEMENTS
from surveys.models import Response
from surveys.periods import LOCAL

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 5000


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, defused with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    key: str
    title: str


def columns(with_comments: bool) -> list[Column]:
    result = [
        Column("id", "STT"),
        Column("commune", "Xã/phường"),
        Column("answered", "Thời điểm đánh giá"),
        Column("visit_date", "Ngày giao dịch"),
        Column("evidence", "Nguồn (phiếu hẹn / QR tại quầy)"),
        Column("procedure_code", "Mã thủ tục"),
        Column("field", "Lĩnh vực"),
        Column("field_group", "Nhóm lĩnh vực"),
        Column("mode", "Hình thức (trực tiếp / trực tuyến)"),
        Column("counter", "Quầy"),
        Column("officer", "Cán bộ"),
        Column("instrument", "Phiên bản phiếu"),
    ]
    result += [Column(e, ELEMENT_LABELS[e]) for e in ELEMENTS]
    result.append(Column("flag", "Đánh dấu"))
    if with_comments:
        result.append(Column("comment", "Góp ý"))
    return result


async def answer_rows(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    commune_ids: Sequence[int] | None = None,
    with_comments: bool = False,
) -> AsyncIterator[list[Any]]:
    """Rows of values in the order of ``columns`` (server-side streamed)."""
    slugs = {row[0]: row[1] for row in await session.execute(select(Commune.id, Commune.slug))}
    fields: list[Any] = [
        Response.id,
        Response.commune_id,
        Response.answered_at,
        Response.visit_date,
        Response.evidence,
        Response.procedure_code,
        Response.field,
        Response.field_group,
        Response.mode,
        Response.counter,
        Response.officer,
        Response.instrument,
        *(getattr(Response, e) for e in ELEMENTS),
        Response.flag,
    ]
    if with_comments:
        fields.append(Response.comment)
    query = (
        select(*fields)
        .where(Response.answered_at >= start, Response.answered_at < end)
        .order_by(Response.id)
        .execution_options(yield_per=BATCH)
    )
    if commune_ids is not None:
        query = query.where(Response.commune_id.in_(list(commune_ids)))
    result = await session.stream(query)
    async for partition in result.partitions(BATCH):
        for row in partition:
            values = list(row)
            values[1] = slugs.get(values[1], str(values[1]))
            values[2] = values[2].astimezone(LOCAL).replace(tzinfo=None)
            yield [safe_cell(v) for v in values]


async def write_csv(rows: AsyncIterator[list[Any]], header: list[str], path: Path) -> int:
    """UTF-8 with BOM so Excel shows Vietnamese correctly when opened by double-click."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        async for row in rows:
            writer.writerow(
                [v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else v for v in row]
            )
            count += 1
    return count


async def write_xlsx(
    rows: AsyncIterator[list[Any]], header: list[str], path: Path, title: str = "Phiếu đánh giá"
) -> int:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(header)
    count = 0
    async for row in rows:
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


async def export(
    session: AsyncSession,
    path: Path,
    start: datetime,
    end: datetime,
    *,
    fmt: str,
    commune_ids: Sequence[int] | None = None,
    with_comments: bool = False,
) -> int:
    header = [c.title for c in columns(with_comments)]
    rows = answer_rows(session, start, end, commune_ids=commune_ids, with_comments=with_comments)
    if fmt == "csv":
        return await write_csv(rows, header, path)
    if fmt == "xlsx":
        return await write_xlsx(rows, header, path)
    raise ValueError(f"unknown export format {fmt!r}: csv or xlsx")
