"""Conversation state per (commune, channel, user), loaded and saved around each update.

State lives in the database and is committed with the update's replies, so a restart
resumes every dialogue where it was. A state that outlives its ``expires_at`` is
dropped on the next message: a resident coming back tomorrow starts fresh instead of
being asked for a step they no longer remember.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, Table, bindparam, select, update
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


@dataclass
class StoredConversation:
    """The row a conversation was loaded from: its key, and the choices last offered."""

    id: int
    offered: list[list[str]]


async def load(
    session: AsyncSession, commune_id: int, channel: str, user_id: str, now: datetime
) -> tuple[StoredConversation, ConversationState]:
    """Load (creating if needed) and lock the conversation row for this update.

    On PostgreSQL ``FOR UPDATE`` serialises concurrent updates of one conversation across
    instances; on SQLite the write transaction already holds the database lock. Plain
    statements, not ORM objects: this runs for every message, and the ORM's bookkeeping
    cost more than the queries. ``save`` writes the state back at once, so a later load
    in the same transaction (staff answering this resident) sees it.
    """
    connection = await session.connection()
    key = {"commune_id": commune_id, "channel": channel, "user_id": user_id}
    found = (await connection.execute(_select_for_update(), key)).first()
    if found is None:  # first message: create it (a concurrent first message may win)
        await connection.execute(
            _insert_new(connection.dialect.name), {**key, "data": {}, "updated_at": now}
        )
        found = (await connection.execute(_select_for_update(), key)).one()
    state = ConversationState(
        state=found.state,
        data=dict(found.data or {}),
        expires_at=found.expires_at,
        failures=found.failures or 0,
    )
    if state.state is not None and state.expires_at is not None and state.expires_at <= now:
        state.clear()
        state.expired = True
    return StoredConversation(found.id, list(found.offered or [])), state


async def save(
    session: AsyncSession,
    row: StoredConversation,
    state: ConversationState,
    now: datetime,
    offered: list[list[str]] | None = None,
) -> None:
    """Write the state back; ``offered`` replaces the remembered choices when given."""
    if offered is not None:
        row.offered = offered
    connection = await session.connection()
    await connection.execute(
        _update(),
        {
            "row_id": row.id,
            "state": state.state,
            "data": dict(state.data),
            "expires_at": state.expires_at if state.state else None,
            "failures": state.failures,
            "offered": row.offered,
            "updated_at": now,
        },
    )


def _table() -> Table:
    table = Conversation.__table__
    assert isinstance(table, Table)
    return table


@functools.cache
def _select_for_update() -> Select[Any]:
    """Built once: the statements below take their values as parameters."""
    table = _table()
    return (
        select(
            table.c.id,
            table.c.state,
            table.c.data,
            table.c.expires_at,
            table.c.failures,
            table.c.offered,
        )
        .where(
            table.c.commune_id == bindparam("commune_id"),
            table.c.channel == bindparam("channel"),
            table.c.user_id == bindparam("user_id"),
        )
        .with_for_update()
    )


@functools.cache
def _insert_new(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(_table()).on_conflict_do_nothing()


@functools.cache
def _update() -> Any:
    """The SET clause comes from the parameters' keys (all but ``row_id``)."""
    table = _table()
    return update(table).where(table.c.id == bindparam("row_id"))
