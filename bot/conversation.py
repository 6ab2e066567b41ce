"""Conversation state per (commune, channel, user), loaded and saved around each update.

State lives in the database and is committed with the update's replies, so a restart
resumes every dialogue where it was. A state that outlives its ``expires_at`` is
dropped on the next message: a resident coming back tomorrow starts fresh instead of
being asked for a step they no longer remember.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation

DEFAULT_TTL = timedelta(hours=2)


@dataclass
class ConversationState:
    """The mutable view handlers work with. ``state`` names the step; ``data`` its memory."""

    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    failures: int = 0
    expired: bool = False  # the previous state timed out just before this message

    def enter(
        self,
        state: str,
        now: datetime,
        data: dict[str, Any] | None = None,
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self.state = state
        if data is not None:
            self.data = data
        self.expires_at = now + ttl

    def clear(self) -> None:
        self.state = None
        self.data = {}
        self.expires_at = None

    def in_flow(self, prefix: str) -> bool:
        return self.state is not None and (
            self.state == prefix or self.state.startswith(prefix + ".")
        )


async def load(
    session: AsyncSession, commune_id: int, channel: str, user_id: str, now: datetime
) -> tuple[Conversation, ConversationState]:
    """Load (creating if needed) and lock the conversation row for this update.

    On PostgreSQL ``FOR UPDATE`` serialises concurrent updates of one conversation across
    instances; on SQLite the write transaction already holds the database lock.
    """
    query = (
        select(Conversation)
        .where(
            Conversation.commune_id == commune_id,
            Conversation.channel == channel,
            Conversation.user_id == user_id,
        )
        .with_for_update()
    )
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:  # first message: create it (a concurrent first message may win)
        dialect = session.bind.dialect.name if session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        values = {"commune_id": commune_id, "channel": channel, "user_id": user_id}
        await session.execute(
            insert(Conversation).values(**values, data={}, updated_at=now).on_conflict_do_nothing()
        )
        row = (await session.execute(query)).scalar_one()
    state = ConversationState(
        state=row.state, data=dict(row.data or {}), expires_at=row.expires_at, failures=row.failures
    )
    if state.state is not None and state.expires_at is not None and state.expires_at <= now:
        state.clear()
        state.expired = True
    return row, state


def store(row: Conversation, state: ConversationState, now: datetime) -> None:
    row.state = state.state
    row.data = dict(state.data)
    row.expires_at = state.expires_at if state.state else None
    row.failures = state.failures
    row.updated_at = now
