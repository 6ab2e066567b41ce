"""From an accepted update to replies in the outbox.

Updates are stored in the inbox first (``accept``), then handled in small batches: one
transaction per batch, one savepoint per message. Batching matters on SQLite, where all
writes queue for one lock: a batch takes the lock once instead of once per message. A
batch never holds two updates of the same conversation, so a resident's messages are
handled in the order they arrived. A handler that raises rolls back to its savepoint;
the resident gets one apology and the conversation is not blocked: a second failure in
a row resets it.

On SQLite (one instance) the webhooks queue the ids they stored for this process. On
PostgreSQL several instances share the inbox, so each one pulls batches of claimable
rows (``inbox.claimable``: locked, first of their conversation) whoever stored them; a
webhook only wakes its own instance, and an idle instance looks again every
``poll_seconds`` for rows another one stored or left behind when it died. Worker
processes (``motcua work``, or ``motcua serve --workers``) pull the same way on either
database, while the web process that stores the updates handles none of them
(``elsewhere``). On SQLite the write lock makes each pull exclusive, so a pull needs no
row locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import choices, conversation, inbox, outbox
from bot.communes import CommuneDirectory, CommuneProfile
from bot.context import Context
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.db.models import ChannelUser, InboxItem, OutboxItem
from bot.db.statistics import StatisticsKeeper
from bot.intake import Intake
from bot.knowledge_base import CommuneKnowledge, KnowledgeRegistry
from bot.outbox import Envelope
from bot.router import Router
from bot.sanitize import check_ids, clean_incoming
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
# A message's replies and notices are numbered from seq_base; the next message of the
# same update starts SEQ_STRIDE further on.
SEQ_STRIDE = 100
# PostgreSQL ends a claim whose instance went silent (hung, partitioned) after this long
# idle inside its transaction, releasing the rows for the others: the claim's lease.
CLAIM_LEASE_MS = 60_000
# How long ``stop`` lets a shared-inbox instance finish what it can claim (PostgreSQL);
# what is left stays pending for the other instances or the next start.
STOP_GRACE_SECONDS = 10.0


@dataclass
class Processor:
    db: Database
    router: Router
    knowledge: KnowledgeRegistry
    communes: CommuneDirectory
    parsers: Mapping[str, Parser]
    # The channels' conversation keys, stored with each update (see ``inbox.claimable``).
    conversation_keys: Mapping[str, Callable[[dict[str, Any]], str]] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)
    on_outbox: Callable[[], None] = lambda: None
    clock: Callable[[], datetime] = utcnow
    batch_size: int = 48
    # Stop adding updates to a batch after this much work: webhooks waiting to store an
    # update (and answer 200) queue behind the batch's write lock on SQLite.
    batch_seconds: float = 0.004
    # PostgreSQL: how often an idle instance looks for rows stored by the others.
    poll_seconds: float = 0.5
    # Pull claimable rows from the shared inbox; None: only when the database is shared
    # by several instances (PostgreSQL). Worker processes always pull.
    pulls: bool | None = None
    # Updates are handled by worker processes: ``submit`` wakes them (``wake_workers``).
    elsewhere: bool = False
    wake_workers: Callable[[], None] = lambda: None

    def __post_init__(self) -> None:
        # The clock through the processor: tests set it after construction.
        self.intake = Intake(self.db, self._queue_stored, lambda: self.clock())
        self._queue: deque[tuple[int, str]] = deque()
        self._ready = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        # A full batch means a backlog: keep the planner's view of the inbox current.
        self._statistics = StatisticsKeeper(self.db, "inbox")

    # --- accepting ---------------------------------------------------------------------

    async def accept(
        self,
        commune: CommuneProfile,
        channel: str,
        update_key: str,
        payload: dict[str, Any],
        conversation: str | None = None,
        *,
        queue: bool = True,
    ) -> int | None:
        """Store an update and queue it for processing; None if it was a duplicate delivery.

        Returns once the update is committed, in one transaction with the updates stored
        meanwhile (``bot.intake``). ``conversation``: the update's conversation key when
        the caller has it already; otherwise it is read from the payload here.
        ``queue=False``: the caller processes the update itself (``process``).
        """
        if conversation is None:
            conversation = self.conversation_key(channel, payload)
        return await self.intake.store(
            commune.id, channel, update_key, payload, conversation, queue=queue
        )

    def _queue_stored(self, inbox_id: int, conversation: str) -> None:
        try:
            self.submit(inbox_id, conversation)
        except RuntimeError:  # not running (a one-off command): start-up recovery handles it
            log.debug("inbox item %s left for recovery", inbox_id)

    def conversation_key(self, channel: str, payload: dict[str, Any]) -> str | None:
        key_of = self.conversation_keys.get(channel)
        if key_of is None:
            return None
        try:
            return key_of(payload)
        except Exception:  # a payload the channel cannot read: the parser records it
            return None

    @property
    def shared(self) -> bool:
        """Whether processes share the inbox (PostgreSQL, workers) rather than one owning it."""
        return self.pulls if self.pulls is not None else not self.db.is_sqlite

    def submit(self, inbox_id: int, conversation_key: str) -> None:
        """Queue a stored update; ``conversation_key`` keeps one person's updates in order."""
        if self._task is None:
            if self.elsewhere:
                self.wake_workers()  # a worker process pulls it
                return
            raise RuntimeError("the processor is not running")
        if not self.shared:  # a shared inbox is pulled from: the id is not needed
            self._queue.append((inbox_id, conversation_key))
        self._idle.clear()
        self._ready.set()

    def wake(self) -> None:
        """Look for claimable rows now rather than at the next poll (a shared inbox)."""
        self._ready.set()

    async def start(self) -> None:
        if self.shared:  # the loop's first pull is the recovery
            self._idle.clear()
            self._task = asyncio.create_task(self._pull_forever())
            return
        self._task = asyncio.create_task(self._run())
        await self.recover()

    async def stop(self) -> None:
        """Finish what was queued (on a shared inbox: what it can claim soon), then stop."""
        if self._task is None:
            return
        if self.shared:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), STOP_GRACE_SECONDS)
        else:
            await self._idle.wait()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _pull_forever(self) -> None:
        """Handle claimable rows until there are none, then wait for a wake-up or a poll."""
        failures = 0
        while True:
            self._ready.clear()  # a submit from now on means "look again"
            try:
                found = await self.pull()
            except Exception:
                # The database may be restarting: the rows stay pending, try again soon.
                failures += 1
                log.exception("processing the shared inbox failed (%d in a row)", failures)
                await asyncio.sleep(min(5.0, 0.05 * 2**failures))
                continue
            failures = 0
            if found:
                self._idle.clear()
                continue
            self._idle.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), self.poll_seconds)

    async def pull(self) -> int:
        """Claim and handle one batch from the shared inbox; returns how many rows."""
        _replies, found = await self._handle_batch(None)
        if len(found) >= self.batch_size:
            await self._statistics.backlog_seen()
        return len(found)

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self._idle.set()
                self._ready.clear()
                await self._ready.wait()
                continue
            batch = self._take()
            try:
                await self._process_batch(batch)
            except Exception:
                log.exception("processing inbox items %s failed", [i for i, _ in batch])

    def _take(self) -> list[tuple[int, str]]:
        """Up to ``batch_size`` queued updates, at most one per conversation, in order.

        An update whose conversation already has one in the batch stays queued, ahead of
        that conversation's later updates.
        """
        batch: list[tuple[int, str]] = []
        keys: set[str] = set()
        left: deque[tuple[int, str]] = deque()
        while self._queue and len(batch) < self.batch_size:
            item = self._queue.popleft()
            if item[1] in keys:
                left.append(item)
            else:
                keys.add(item[1])
                batch.append(item)
        self._queue.extendleft(reversed(left))
        return batch

    async def recover(self) -> int:
        """Process updates accepted before a crash and never processed.

        On a shared inbox: every row no live instance holds, including those of an
        instance that died (its locks died with its connections).
        """
        if self.shared:
            count = 0
            while found := await self.pull():
                count += found
            return count
        async with self.db.read() as session:
            ids = await inbox.pending_ids(session)
        for inbox_id in ids:  # in the order they arrived
            await self.process(inbox_id)
        if ids:
            log.info("recovered %d pending inbox items", len(ids))
        return len(ids)

    # --- processing --------------------------------------------------------------------

    async def process(self, inbox_id: int) -> list[Reply]:
        """Parse a stored update and handle each message in it now. Returns the replies."""
        return (await self._process_batch([(inbox_id, "")])).get(inbox_id, [])

    async def _process_batch(self, batch: list[tuple[int, str]]) -> dict[int, list[Reply]]:
        replies, found = await self._handle_batch([inbox_id for inbox_id, _ in batch])
        left = [(i, key) for i, key in batch if i in found and i not in replies]
        if left:  # over the time budget: back to the queue, ahead of newer updates
            self._queue.extendleft(reversed(left))
            self._ready.set()
        return replies

    async def _handle_batch(self, ids: list[int] | None) -> tuple[dict[int, list[Reply]], set[int]]:
        """Handle the updates ``ids`` (None: a batch claimed from the shared inbox)."""
        # Building a commune's matcher can take a second: never while holding the lock.
        knowledge = await self.knowledge.for_communes(self.communes.all())
        try:
            replies, found = await self._run_batch(ids, knowledge, isolate=False)
        except _HandlerFailed as failed:
            # One handler failed and the batch was rolled back: redo it one update per
            # transaction, so the failure is rolled back and apologised for alone.
            replies, found = {}, set()
            for inbox_id in failed.ids:
                done, seen = await self._run_batch([inbox_id], knowledge, isolate=True)
                replies.update(done)
                found |= seen
        if found:
            self.on_outbox()
        return replies, found

    async def _run_batch(
        self, ids: list[int] | None, knowledge: dict[int, CommuneKnowledge], *, isolate: bool
    ) -> tuple[dict[int, list[Reply]], set[int]]:
        """Handle the pending updates among ``ids`` (None: any claimable) in one transaction.

        Returns the replies by update, and which rows were taken (those without replies
        were left for the next batch: over the time budget).
        """
        replies: dict[int, list[Reply]] = {}
        marks: list[dict[str, Any]] = []
        query = select(
            InboxItem.id,
            InboxItem.commune_id,
            InboxItem.channel,
            InboxItem.payload,
            InboxItem.attempts,
        )
        if ids is not None:
            query = query.where(InboxItem.id.in_(ids))
        if self.shared:
            # Only rows this instance can handle: one it cannot would fail its batch again
            # and again (a commune or channel configured on another instance only).
            query = inbox.claimable(
                query.where(
                    InboxItem.commune_id.in_(list(knowledge)),
                    InboxItem.channel.in_(list(self.parsers)),
                )
            )
            if ids is None:
                # SQLite: a batch stops at its time budget, so fetching (and decoding)
                # more rows than it can handle is wasted.
                limit = min(8, self.batch_size) if self.db.is_sqlite else self.batch_size
                query = query.limit(limit)
        else:
            query = query.where(InboxItem.status == inbox.PENDING).order_by(InboxItem.id)
        async with self.db.transaction() as session:
            # Plain statements on the connection: the ORM's bookkeeping is not needed for
            # these rows and cost more than the queries.
            connection = await session.connection()
            if self.shared and not self.db.is_sqlite:
                # The claim lasts as long as this transaction: bound it for a hung instance.
                await connection.execute(
                    text(f"SET LOCAL idle_in_transaction_session_timeout = {CLAIM_LEASE_MS}")
                )
            items = (await connection.execute(query)).all()
            started = time.monotonic()
            for item in items:
                if replies and self.db.is_sqlite:
                    over_budget = time.monotonic() - started > self.batch_seconds
                    if over_budget or self.db.writer_waiting():
                        break  # webhooks are waiting for the one write lock
                try:
                    replies[item.id], mark = await self._process_item(
                        session,
                        self.communes.by_id(item.commune_id),
                        knowledge[item.commune_id],
                        item,
                        isolate,
                    )
                except _HandlerFailed as failed:
                    failed.ids = [i.id for i in items]
                    raise
                marks.append(mark)
            if marks:
                await connection.execute(_mark_handled(), marks)
        return replies, {item.id for item in items}

    async def _process_item(
        self,
        session: AsyncSession,
        commune: CommuneProfile,
        knowledge: CommuneKnowledge,
        item: Row[Any],
        isolate: bool,
    ) -> tuple[list[Reply], dict[str, Any]]:
        """Handle the messages of one stored update; returns them and the inbox update."""
        now = self.clock()
        mark = {"row_id": item.id, "processed_at": now, "attempts": item.attempts + 1}
        try:
            messages = check_ids(self.parsers[item.channel](dict(item.payload)))
        except Exception as exc:
            # A poison update: recorded, never retried into a blocked chat. The log names
            # the error only: parsers' messages can quote the payload (a name, a phone);
            # the full text is on the inbox row, which retention deletes.
            log.warning("cannot parse %s update %s: %s", item.channel, item.id, type(exc).__name__)
            return [], {
                **mark,
                "status": inbox.FAILED,
                "error": f"parse: {type(exc).__name__}: {exc}",
            }
        replies: list[Reply] = []
        failure: str | None = None
        for index, msg in enumerate(messages):
            seq = index * SEQ_STRIDE
            if isolate:
                sent, error = await self._handle_in(session, commune, knowledge, msg, item.id, seq)
            else:
                try:
                    sent, error = (
                        await self._dispatch(session, commune, knowledge, msg, item.id, seq),
                        None,
                    )
                except Exception as exc:
                    raise _HandlerFailed from exc
            replies += sent
            failure = failure or error
        status = inbox.FAILED if failure else inbox.DONE
        return replies, {**mark, "status": status, "error": failure}

    async def handle(self, commune: CommuneProfile, msg: Incoming) -> list[Reply]:
        """Handle one message that did not come through the inbox (CLI, tests)."""
        knowledge = await self.knowledge.for_commune(commune)
        async with self.db.transaction() as session:
            replies, _error = await self._handle_in(session, commune, knowledge, msg, None, 0)
        self.on_outbox()
        return replies

    async def _handle_in(
        self,
        session: AsyncSession,
        commune: CommuneProfile,
        knowledge: CommuneKnowledge,
        msg: Incoming,
        inbox_id: int | None,
        seq_base: int,
    ) -> tuple[list[Reply], str | None]:
        """Handle one message in a savepoint; on failure, roll it back and apologise."""
        try:
            async with session.begin_nested():
                replies = await self._dispatch(session, commune, knowledge, msg, inbox_id, seq_base)
            return replies, None
        except Exception as exc:
            log.exception("handler failed for %s update %s", msg.user.channel, inbox_id)
            error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            await self._apologise(session, commune, msg, inbox_id, seq_base)
            return [APOLOGY], error

    async def _dispatch(
        self,
        session: AsyncSession,
        commune: CommuneProfile,
        knowledge: CommuneKnowledge,
        msg: Incoming,
        inbox_id: int | None,
        seq_base: int,
    ) -> list[Reply]:
        now = self.clock()
        msg = clean_incoming(msg)  # NUL, controls, lone surrogates: see bot.sanitize
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
        await conversation.save(session, row, state, now, offered=choices.offered(replies))
        envelopes = [
            Envelope(msg.user.channel, msg.user.chat_id, r, msg.user.user_id) for r in replies
        ] + [Envelope(o.channel, o.chat_id, o.reply, o.user_id, o.kind) for o in ctx.outgoing]
        await outbox.write(
            session, commune.id, envelopes, inbox_id=inbox_id, now=now, first_seq=seq_base
        )
        await session.flush()  # what the handler added, so its errors are its own
        return replies

    async def _apologise(
        self,
        session: AsyncSession,
        commune: CommuneProfile,
        msg: Incoming,
        inbox_id: int | None,
        seq_base: int,
    ) -> None:
        now = self.clock()
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
        await conversation.save(session, row, state, now, offered=[])
        if inbox_id is not None and await _replied(session, inbox_id, seq_base):
            return  # answered (or apologised) for this message before: never twice
        apology = Envelope(msg.user.channel, msg.user.chat_id, APOLOGY, msg.user.user_id)
        await outbox.write(
            session, commune.id, [apology], inbox_id=inbox_id, now=now, first_seq=seq_base
        )


class _HandlerFailed(Exception):
    """A handler raised inside a batch: the batch is redone one update at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[int] = []  # the batch's updates


def _as_choice(msg: Incoming, offered: list[list[str]]) -> Incoming:
    """Typed "2" after a list of choices is the second button."""
    if msg.payload is not None or msg.command is not None or not msg.text:
        return msg
    chosen = choices.resolve(msg.text, offered)
    return msg if chosen is None else replace(msg, payload=chosen, text="")


async def _replied(session: AsyncSession, inbox_id: int, seq: int) -> bool:
    found = await session.execute(
        select(OutboxItem.id).where(OutboxItem.inbox_id == inbox_id, OutboxItem.seq == seq)
    )
    return found.first() is not None


async def _touch_user(session: AsyncSession, commune_id: int, msg: Incoming, now: datetime) -> None:
    """Remember who wrote and when: the reply window and reachability depend on it."""
    if msg.is_group:
        return
    connection = await session.connection()
    await connection.execute(
        _upsert_user(connection.dialect.name),
        {
            "commune_id": commune_id,
            "channel": msg.user.channel,
            "user_id": msg.user.user_id,
            "chat_id": msg.user.chat_id,
            "display_name": msg.user.display_name,
            "first_seen_at": now,
            "last_seen_at": now,
        },
    )


@functools.cache
def _mark_handled() -> Any:
    """The inbox rows' outcome, by id; the SET clause comes from the parameters' keys."""
    table = InboxItem.__table__
    assert isinstance(table, Table)
    return update(table).where(table.c.id == bindparam("row_id"))


@functools.cache
def _upsert_user(dialect: str) -> Any:
    """Built once: a statement whose values come as parameters is compiled once too."""
    table = ChannelUser.__table__
    assert isinstance(table, Table)
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return statement.on_conflict_do_update(
        index_elements=["commune_id", "channel", "user_id"],
        set_={
            "chat_id": statement.excluded.chat_id,
            "display_name": statement.excluded.display_name,
            "last_seen_at": statement.excluded.last_seen_at,
            "unreachable_at": None,
            "unreachable_reason": None,
        },
    )
