"""The inbox: raw updates stored before a webhook answers 200.

A platform retries a delivery it thinks failed; the unique (commune, channel, update_key)
turns the retry into a no-op. Storing first and processing after means nothing that was
acknowledged can be lost: rows still ``pending`` after a crash are processed at start-up.

With several instances on one PostgreSQL database any instance may handle any row, so
a row is claimed by locking it (``claimable``) in the transaction that handles it: the
lock lasts exactly as long as the claim, and dies with the instance's connection.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.base import utcnow
from bot.db.models import InboxItem
from bot.sanitize import clean_json, clean_text

PENDING, DONE, FAILED = "pending", "done", "failed"
# The conversation column's length. The key only keeps a person's updates in order: two
# over-long ids cut to the same key are merely handled one after the other.
CONVERSATION_LENGTH = 200
# Over the sender's rate limit (bot/throttle.py): on record, never processed.
THROTTLED = "throttled"


async def store(
    session: AsyncSession,
    commune_id: int,
    channel: str,
    update_key: str,
    payload: dict[str, Any],
    now: datetime | None = None,
    conversation: str | None = None,
    *,
    status: str = PENDING,
) -> int | None:
    """Insert the update; return its id, or None when it was already stored (a retry).

    Characters the databases refuse (NUL, lone surrogates) are cleaned out of the key and
    the payload first: a body that cannot be stored must not make the webhook fail.
    """
    connection = await session.connection()
    row = _row(commune_id, channel, update_key, payload, conversation, status, now or utcnow())
    inserted = (await connection.execute(_insert(connection.dialect.name), row)).first()
    return None if inserted is None else int(inserted.id)


async def store_many(
    session: AsyncSession,
    items: Sequence[tuple[int, str, str, dict[str, Any], str | None]],
    now: datetime | None = None,
) -> dict[tuple[int, str, str], int]:
    """Insert several updates (commune id, channel, key, payload, conversation) at once.

    Returns the new ids by (commune id, channel, key); keys already stored are absent.
    Webhooks under load store their updates in batches this way (one commit for many).
    """
    if not items:
        return {}
    connection = await session.connection()  # plain statements: no ORM objects needed
    received = now or utcnow()
    rows = [
        _row(commune_id, channel, key, payload, conversation, PENDING, received)
        for commune_id, channel, key, payload, conversation in items
    ]
    # Executed for many rows: compiled once, sent as multi-row inserts by SQLAlchemy.
    result = await connection.execute(_insert(connection.dialect.name), rows)
    stored = {(c, ch, k): i for i, c, ch, k in result.all()}
    # Keyed by the keys as given, even where cleaning changed them.
    return {
        (c, ch, k): stored[(c, ch, clean_text(k))]
        for c, ch, k, _, _ in items
        if (c, ch, clean_text(k)) in stored
    }


def _row(
    commune_id: int,
    channel: str,
    key: str,
    payload: dict[str, Any],
    conversation: str | None,
    status: str,
    received: datetime,
) -> dict[str, Any]:
    """The row's values, cleaned of what the databases refuse (see ``store``)."""
    return {
        "commune_id": commune_id,
        "channel": channel,
        "update_key": clean_text(key),
        "conversation": _cut(conversation),
        "payload": clean_json(payload),
        "status": status,
        "attempts": 0,
        "received_at": received,
    }


@functools.cache
def _insert(dialect: str) -> Any:
    """Built once: the values come as parameters, one row or many."""
    table = _inbox()
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(table)
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.commune_id, table.c.channel, table.c.update_key)
    )


def _cut(conversation: str | None) -> str | None:
    return conversation if conversation is None else conversation[:CONVERSATION_LENGTH]


def _inbox() -> Table:
    table = InboxItem.__table__
    assert isinstance(table, Table)
    return table


async def find(
    session: AsyncSession, commune_id: int, channel: str, update_key: str
) -> InboxItem | None:
    return (
        await session.execute(
            select(InboxItem).where(
                InboxItem.commune_id == commune_id,
                InboxItem.channel == channel,
                InboxItem.update_key == update_key,
            )
        )
    ).scalar_one_or_none()


async def pending_ids(session: AsyncSession, limit: int = 1000) -> list[int]:
    """Accepted but unprocessed updates, oldest first (crash recovery)."""
    result = await session.execute(
        select(InboxItem.id).where(InboxItem.status == PENDING).order_by(InboxItem.id).limit(limit)
    )
    return list(result.scalars())


async def still_pending(session: AsyncSession, ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` not handled yet (waiting, or claimed and being handled)."""
    if not ids:
        return set()
    found = await session.execute(
        select(InboxItem.id).where(InboxItem.id.in_(ids), InboxItem.status == PENDING)
    )
    return set(found.scalars())


def claimable(query: Select[Any]) -> Select[Any]:
    """Narrow a query on the inbox to the rows this instance may handle now, locked.

    A pending row qualifies when no earlier row of its conversation is still pending:
    while one instance handles a resident's message, that resident's later messages wait,
    so they are handled in order and never by two instances at once. ``SKIP LOCKED``
    passes over rows another instance holds instead of waiting for them. PostgreSQL only:
    on SQLite one instance owns the database.
    """
    earlier = aliased(InboxItem)
    first_of_conversation = ~exists().where(
        earlier.commune_id == InboxItem.commune_id,
        earlier.channel == InboxItem.channel,
        earlier.conversation == InboxItem.conversation,
        earlier.status == PENDING,
        earlier.id < InboxItem.id,
    )
    return (
        query.where(InboxItem.status == PENDING, first_of_conversation)
        .order_by(InboxItem.id)
        .with_for_update(of=InboxItem, skip_locked=True)
    )
