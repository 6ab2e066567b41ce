"""Tickets of a period as CSV or XLSX, the evidence communes attach to their reports.

Contacts are masked unless the operator asks to reveal them, and never shown for
formal complaints and denunciations (their content is withheld too). Every text cell
that a spreadsheet could read as a formula is defused with a leading apostrophe
(OWASP "CSV injection"): residents write the text, and staff open the file in Excel.
CSV is UTF-8 with a byte-order mark so Excel shows Vietnamese correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import TIMEZONE
from complaints.categories import UNIT_NAMES, category
from complaints.models import STATUS_LABELS, Ticket, TicketPhoto, open311_status
from complaints.privacy import mask_name, mask_phone, redact

HEADERS = (
    "Mã phản ánh",
    "Ngày nhận",
    "Loại",
    "Trạng thái",
    "Open311",
    "Kênh",
    "Nguồn",
    "Thủ tục liên quan",
    "Mã hồ sơ",
    "Đơn vị xử lý",
    "Cán bộ xử lý",
    "Hạn tiếp nhận",
    "Hạn trả lời",
    "Ngày tiếp nhận",
    "Ngày trả lời đầu tiên",
    "Đúng hạn",
    "Ngày kết thúc",
    "Ghi chú",
    "Nội dung",
    "Số ảnh",
    "Vị trí",
    "Họ tên",
    "Số điện thoại",
    "Đồng ý (phiên bản thông báo)",
)
CONFIDENTIAL = "[bảo mật]"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """A cell value that no spreadsheet will evaluate."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Export:
    headers: tuple[str, ...]
    rows: list[list[object]]


def _fmt(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M") if moment else ""


def _on_time(ticket: Ticket, now: datetime) -> str:
    if ticket.first_response_at is not None:
        return "Có" if ticket.first_response_at <= ticket.due_at else "Không"
    if ticket.is_open and ticket.waiting_since is None and ticket.due_at < now:
        return "Quá hạn"
    return ""


async def ticket_rows(
    session: AsyncSession,
    commune_id: int,
    start: datetime,
    end: datetime,
    *,
    reveal_contacts: bool = False,
    now: datetime,
) -> Export:
    tz = ZoneInfo(TIMEZONE)
    tickets = list(
        (
            await session.execute(
                select(Ticket)
                .where(
                    Ticket.commune_id == commune_id,
                    Ticket.created_at >= start,
                    Ticket.created_at < end,
                )
                .order_by(Ticket.created_at, Ticket.id)
            )
        ).scalars()
    )
    photo_counts = dict(
        (
            await session.execute(
                select(TicketPhoto.ticket_id, func.count(TicketPhoto.id))
                .where(TicketPhoto.ticket_id.in_([t.id for t in tickets] or [0]))
                .group_by(TicketPhoto.ticket_id)
            )
        ).all()
    )
    rows: list[list[object]] = []
    for t in tickets:
        if t.confidential:
            text, name, phone, place = CONFIDENTIAL, CONFIDENTIAL if t.has_contact else "", "", ""
        elif reveal_contacts:
            text, name, phone = t.text, t.contact_name or "", t.contact_phone or ""
            place = f"{t.latitude:.6f},{t.longitude:.6f}" if t.latitude is not None else ""
        else:
            text = redact(t.text, t.contact_name, t.contact_phone)
            name, phone = mask_name(t.contact_name), mask_phone(t.contact_phone)
            place = f"{t.latitude:.6f},{t.longitude:.6f}" if t.latitude is not None else ""
        row: list[object] = [
            t.code,
            _fmt(t.created_at, tz),
            category(t.category).label,
            STATUS_LABELS.get(t.status, t.status),
            open311_status(t.status),
            t.channel or "",
            t.source,
            t.procedure_code or "",
            t.dossier_ref or "",
            UNIT_NAMES.get(t.unit, t.unit),
            t.assignee_label or "",
            _fmt(t.ack_due_at, tz),
            _fmt(t.due_at, tz),
            _fmt(t.acknowledged_at, tz),
            _fmt(t.first_response_at, tz),
            _on_time(t, now),
            _fmt(t.closed_at, tz),
            (t.status_notes or "") if not t.confidential else "",
            text,
            int(photo_counts.get(t.id, 0)),
            place,
            name,
            phone,
            t.consent_version or "",
        ]
        rows.append([defuse(v) for v in row])
    return Export(HEADERS, rows)


def to_csv(export: Export) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export.headers)
    writer.writerows(export.rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(export: Export, title: str = "Phản ánh") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(export.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in export.rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    widths = _widths(export.headers, export.rows)
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    for cell in sheet[sheet.cell(1, export.headers.index("Nội dung") + 1).column_letter]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    widths = [float(len(h)) + 2 for h in headers]
    for row in rows[:500]:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], min(60.0, float(len(str(value))) + 2))
    return widths


def write(export: Export, path: Path, fmt: str) -> None:
    data = to_csv(export) if fmt == "csv" else to_xlsx(export)
    path.write_bytes(data)
