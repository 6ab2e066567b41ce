"""Can a message reach this person on this channel now? Ask before enqueueing.

Surveys, complaint updates and staff answers go out later than the resident's message.
Some routes close in the meantime: a Telegram or Zalo Bot user may block the bot, and a
Zalo OA only replies for free within a window after the resident's last message. A
caller checks ``can_reach`` first and picks another route (another channel, a paper
slip at the counter) when it is False; the outbox still refuses what slips through and
marks it "undeliverable".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ChannelUser

WEB = "web"
ZALO_OA = "zalo_oa"


async def can_reach(
    session: AsyncSession, commune_id: int, channel: str, user_id: str, now: datetime
) -> bool:
    """True if a message enqueued now for ``user_id`` on ``channel`` can be delivered.

    - web chat: always (it is pulled by the page whenever it comes back);
    - Zalo OA: the person wrote before, is not marked unreachable, and their reply
      window (8 messages within 48 hours of their last message) still has room;
    - Telegram, Zalo Bot and others: the person wrote before and is not marked
      unreachable (blocked the bot).
    """
    if channel == WEB:
        return True
    unreachable_at = (
        await session.execute(
            select(ChannelUser.unreachable_at).where(
                ChannelUser.commune_id == commune_id,
                ChannelUser.channel == channel,
                ChannelUser.user_id == user_id,
            )
        )
    ).first()
    if unreachable_at is None or unreachable_at[0] is not None:
        return False
    if channel == ZALO_OA:
        # The window rules belong to the Zalo OA adapter; imported here, where a
        # caller asks, so handlers never import a channel themselves.
        from bot.channels.zalo_oa import window

        return (await window.state(session, commune_id, user_id, now)).open
    return True
