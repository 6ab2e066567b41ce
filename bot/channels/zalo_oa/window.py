"""The Zalo OA reply window: 8 free messages within 48 hours of the resident's last
message (verify: Zalo's OA consultation-message rules; a verified OA with paid quota
could send more, which this adapter does not assume).

The window opens at ``channel_users.last_seen_at`` (updated by the core on every
incoming message, including following the OA: we assume a follow counts as an
interaction, verify); the messages sent since then are counted in
``zalo_oa_reply_windows``. The sender checks the window before sending and records
each message it sent; ``bot.reachability.can_reach`` asks the same question before
something is enqueued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.zalo_oa import NAME
from bot.channels.zalo_oa.models import ZaloOAReplyWindow
from bot.db.models import ChannelUser

FREE_REPLIES = 8
WINDOW = timedelta(hours=48)


@dataclass(frozen=True)
class WindowState:
    opened_at: datetime | None  # the resident's last message; None if never wrote
    used: int
    remaining: int  # messages that may still go out now (0 when closed)

    @property
    def open(self) -> bool:
        return self.remaining > 0


CLOSED = WindowState(None, 0, 0)


async def state(session: AsyncSession, commune_id: int, user_id: str, now: datetime) -> WindowState:
    seen = (
        await session.execute(
            select(ChannelUser.last_seen_at).where(
                ChannelUser.commune_id == commune_id,
                ChannelUser.channel == NAME,
                ChannelUser.user_id == user_id,
            )
        )
    ).scalar_one_or_none()
    if seen is None:
        return CLOSED
    row = (
        await session.execute(
            select(ZaloOAReplyWindow.opened_at, ZaloOAReplyWindow.used).where(
                ZaloOAReplyWindow.commune_id == commune_id,
                ZaloOAReplyWindow.user_id == user_id,
            )
        )
    ).first()
    used = row.used if row is not None and row.opened_at >= seen else 0
    if now - seen >= WINDOW:
        return WindowState(seen, used, 0)
    return WindowState(seen, used, max(0, FREE_REPLIES - used))


async def record_sent(
    session: AsyncSession, commune_id: int, user_id: str, opened_at: datetime, count: int = 1
) -> None:
    """Count ``count`` messages sent in the window that opened at ``opened_at``."""
    row = (
        await session.execute(
            select(ZaloOAReplyWindow)
            .where(
                ZaloOAReplyWindow.commune_id == commune_id,
                ZaloOAReplyWindow.user_id == user_id,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        session.add(
            ZaloOAReplyWindow(
                commune_id=commune_id,
                user_id=user_id,
                opened_at=opened_at,
                used=count,
            )
        )
        await session.flush()
    elif row.opened_at < opened_at:
        row.opened_at, row.used = opened_at, count
    else:
        await session.execute(
            update(ZaloOAReplyWindow)
            .where(ZaloOAReplyWindow.id == row.id)
            .values(used=ZaloOAReplyWindow.used + count)
        )
