"""What a complaint dialogue left behind, and the photo sweep run as the scheduler runs it."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from bot.app import Runtime
from complaints.models import Ticket, TicketPhoto
from complaints.plugin import ComplaintsPlugin


async def ticket(runtime: Runtime, code: str) -> Ticket:
    async with runtime.db.read() as session:
        return (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()


async def photo_statuses(runtime: Runtime, code: str) -> dict[str, str]:
    """The ticket's photos: file reference -> status (pending, stored, rejected...)."""
    async with runtime.db.read() as session:
        rows = await session.execute(
            select(TicketPhoto.file_ref, TicketPhoto.status)
            .join(Ticket, Ticket.id == TicketPhoto.ticket_id)
            .where(Ticket.code == code)
            .order_by(TicketPhoto.id)
        )
        return {ref: status for ref, status in rows.all()}


async def run_photo_sweep(runtime: Runtime) -> int:
    """Fetch pending photos through the channels' own downloaders (``runtime.media``),
    then let the relay send what the sweep queued; returns how many were stored."""
    stored = await ComplaintsPlugin().build(runtime).photos()
    while await runtime.relay.run_once():
        pass
    return stored


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()
