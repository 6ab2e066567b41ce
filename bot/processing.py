"""From an accepted update to replies in the outbox: one transaction per message.

Updates are stored in the inbox first (``accept``), then processed by a small pool of
workers. Each conversation always goes to the same worker, so a resident's messages are
handled in the order they arrived, while different residents are handled in parallel.
A handler that raises rolls back its work; the resident gets one apology and the
conversation is not blocked: a second failure in a row resets it.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
import weakref
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import choices, conversation, inbox
from bot.communes import CommuneDirectory, CommuneProfile
from bot.context import Context
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.db.models import ChannelUser, InboxItem, OutboxItem
from bot.knowledge_base import KnowledgeRegistry
from bot.outbox import Envelope, enqueue
from bot.router import Router
from bot.types import Incoming, Reply

log = logging.getLogger(__name__)

Parser = Callable[[dict[str, Any]], list[Incoming]]

APOLOGY = Reply(
    "Xin lỗi, hệ thống đang gặp trục trặc nên chưa trả lời được tin nhắn này. "
    "Bạn vui lòng gửi lại sau ít phút hoặc gõ /huy để bắt đầu lại."
)
# After this many failures in a row the conversation's state is reset so a broken step
# cannot trap the resident.
RESET_AFTER_FAILURES = 2


@dataclass
class Processor:
    db: Database
    router: Router
    knowledge: KnowledgeRegistry
    communes: CommuneDirectory
    parsers: Mapping[str, Parser]
    services: dict[str, Any] = field(default_factory=dict)
    on_outbox: Callable[[], None] = lambda: None
    clock: Callable[[], datetime] = utcnow
    workers: int = 8

    def __post_init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._queues: list[asyncio.Queue[int]] = []
        self._tasks: list[asyncio.Task[None]] = []

    # --- accepting ---------------------------------------------------------------------

    async def accept(
        self, commune: CommuneProfile, channel: str, update_key: str, payload: dict[str, Any]
    ) -> int | None:
        """Store an update; None if it was a duplicate delivery. Commits before returning."""
        async with self.db.transaction(urgent=True) as session:
            return await inbox.store(
                session, commune.id, channel, update_key, payload, self.clock()
            )

    def submit(self, inbox_id: int, conversation_key: str) -> None:
        """Queue a stored update for the worker that owns its conversation."""
        if not self._queues:
            raise RuntimeError("processor workers are not running")
        shard = zlib.crc32(conversation_key.encode()) % len(self._queues)
        self._queues[shard].put_nowait(inbox_id)

    async def start(self) -> None:
        self._queues = [asyncio.Queue() for _ in range(self.workers)]
        self._tasks = [asyncio.create_task(self._work(q)) for q in self._queues]
        await self.recover()

    async def stop(self) -> None:
        for q in self._queues:
            await q.join()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks, self._queues = [], []

    async def _work(self, queue: asyncio.Queue[int]) -> None:
        while True:
            inbox_id = await queue.get()
            try:
                await self.process(inbox_id)
            except Exception:
                log.exception("processing inbox item %s failed", inbox_id)
            finally:
                queue.task_done()

    async def recover(self) -> int:
        """Process updates accepted before a crash and never processed."""
        async with self.db.read() as session:
            ids = await inbox.pending_ids(session)
        for inbox_id in ids:
            await self.process(inbox_id)
        if ids:
            log.info("recovered %d pending inbox items", len(ids))
        return len(ids)

    # --- processing --------------------------------------------------------------------

    async def process(self, inbox_id: int) -> list[Reply]:
        """Parse a stored update and handle each message in it. Returns the replies."""
        async with self.db.read() as session:
            item = await session.get(InboxItem, inbox_id)
            if item is None or item.status != inbox.PENDING:
                return []
            channel, payload, commune_id = item.channel, dict(item.payload), item.commune_id
        try:
            messages = self.parsers[channel](payload)
        except Exception as exc:
            # A poison update: recorded, never retried into a blocked chat.
            log.warning("cannot parse %s update %s: %s", channel, inbox_id, exc)
            await self._finish(inbox_id, inbox.FAILED, f"parse: {type(exc).__name__}: {exc}")
            return []
        if not messages:
            await self._finish(inbox_id, inbox.DONE, None)
            return []
        commune = self.communes.by_id(commune_id)
        replies: list[Reply] = []
        for index, msg in enumerate(messages):
            replies += await self.handle(
                commune,
                msg,
                inbox_id=inbox_id,
                seq_base=index * 100,
                last=index == len(messages) - 1,
            )
        return replies

    async def handle(
        self,
        commune: CommuneProfile,
        msg: Incoming,
        *,
        inbox_id: int | None = None,
        seq_base: int = 0,
        last: bool = True,
    ) -> list[Reply]:
        """Handle one message in one transaction; on failure, apologise in another."""
        key = f"{commune.id}:{msg.user.channel}:{msg.user.user_id}"
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            try:
                replies = await self._handle(commune, msg, inbox_id, seq_base, last)
            except Exception as exc:
                log.exception("handler failed for %s update %s", msg.user.channel, inbox_id)
                replies = await self._apologise(commune, msg, inbox_id, seq_base, exc)
        self.on_outbox()
        return replies

    async def _handle(
        self,
        commune: CommuneProfile,
        msg: Incoming,
        inbox_id: int | None,
        seq_base: int,
        last: bool,
    ) -> list[Reply]:
        knowledge = await self.knowledge.for_commune(commune)
        now = self.clock()
        async with self.db.transaction() as session:
            await _touch_user(session, commune.id, msg, now)
            row, state = await conversation.load(
                session, commune.id, msg.user.channel, msg.user.user_id, now
            )
            msg = _as_choice(msg, row.offered or [])
            ctx = Context(
                commune=commune,
                user=msg.user,
                conversation=state,
                session=session,
                knowledge=knowledge,
                now=now,
                services=self.services,
            )
            replies = await self.router.dispatch(ctx, msg) or []
            state.failures = 0
            conversation.store(row, state, now)
            row.offered = choices.offered(replies)
            envelopes = [
                Envelope(msg.user.channel, msg.user.chat_id, r, msg.user.user_id) for r in replies
            ] + [Envelope(o.channel, o.chat_id, o.reply, o.user_id, o.kind) for o in ctx.outgoing]
            enqueue(session, commune.id, envelopes, inbox_id=inbox_id, now=now, first_seq=seq_base)
            if inbox_id is not None and last:
                await _mark(session, inbox_id, inbox.DONE, None, now)
        return replies

    async def _apologise(
        self,
        commune: CommuneProfile,
        msg: Incoming,
        inbox_id: int | None,
        seq_base: int,
        exc: Exception,
    ) -> list[Reply]:
        now = self.clock()
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        async with self.db.transaction() as session:
            row, state = await conversation.load(
                session, commune.id, msg.user.channel, msg.user.user_id, now
            )
            state.failures += 1
            if state.failures >= RESET_AFTER_FAILURES:
                log.warning(
                    "resetting conversation %s after %d failures (state %s)",
                    row.id,
                    state.failures,
                    state.state,
                )
                state.clear()
                state.failures = 0
            conversation.store(row, state, now)
            row.offered = []
            if inbox_id is not None:
                already = (
                    await session.execute(
                        select(OutboxItem.id).where(
                            OutboxItem.inbox_id == inbox_id, OutboxItem.seq == seq_base
                        )
                    )
                ).first()
                if already is None:
                    enqueue(
                        session,
                        commune.id,
                        [Envelope(msg.user.channel, msg.user.chat_id, APOLOGY, msg.user.user_id)],
                        inbox_id=inbox_id,
                        now=now,
                        first_seq=seq_base,
                    )
                await _mark(session, inbox_id, inbox.FAILED, error, now)
            else:
                enqueue(
                    session,
                    commune.id,
                    [Envelope(msg.user.channel, msg.user.chat_id, APOLOGY, msg.user.user_id)],
                    now=now,
                )
        return [APOLOGY]

    async def _finish(self, inbox_id: int, status: str, error: str | None) -> None:
        async with self.db.transaction() as session:
            await _mark(session, inbox_id, status, error, self.clock())


def _as_choice(msg: Incoming, offered: list[list[str]]) -> Incoming:
    """Typed "2" after a list of choices is the second button."""
    if msg.payload is not None or msg.command is not None or not msg.text:
        return msg
    chosen = choices.resolve(msg.text, offered)
    return msg if chosen is None else replace(msg, payload=chosen, text="")


async def _mark(
    session: AsyncSession, inbox_id: int, status: str, error: str | None, now: datetime
) -> None:
    await session.execute(
        update(InboxItem)
        .where(InboxItem.id == inbox_id)
        .values(status=status, error=error, processed_at=now, attempts=InboxItem.attempts + 1)
    )


async def _touch_user(session: AsyncSession, commune_id: int, msg: Incoming, now: datetime) -> None:
    """Remember who wrote and when: the reply window and reachability depend on it."""
    if msg.is_group:
        return
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {
        "commune_id": commune_id,
        "channel": msg.user.channel,
        "user_id": msg.user.user_id,
        "chat_id": msg.user.chat_id,
        "display_name": msg.user.display_name,
        "first_seen_at": now,
        "last_seen_at": now,
    }
    statement = insert(ChannelUser).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["commune_id", "channel", "user_id"],
        set_={
            "chat_id": msg.user.chat_id,
            "display_name": msg.user.display_name,
            "last_seen_at": now,
            "unreachable_at": None,
            "unreachable_reason": None,
        },
    )
    await session.execute(statement)
