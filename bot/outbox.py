"""The outbox: every message the bot sends is first a row here, then the relay sends it.

Writing replies in the same transaction as the conversation state means a crash can
never lose an answer or send one for a step that was rolled back. The relay sends rows
in order per chat, honours ``retry_after``, retries transient failures with backoff,
dead-letters what keeps failing, and marks people who blocked the bot as unreachable.
Pull channels (the web chat) have no sender: their rows wait until the page fetches them.

Several instances may run relays on one PostgreSQL database. A row is claimed with a
lease (``sending`` until ``next_attempt_at``) under ``SKIP LOCKED``, and a chat's row is
sent only when every older unsent row of that chat is in the same claim: a row another
relay is sending, or one waiting out ``retry_after``, holds the rest of its chat back.

Due times come from the clocks of whichever instances wrote them. No wait this relay
schedules is longer than ``MAX_WAIT``, so a pending row due further ahead than
``HORIZON`` was stamped by a clock that has since jumped back (or ran ahead): it is made
due now (checked every ``HORIZON_CHECK``) rather than stalling its chat for the size of
the jump. A separate statement keeps the claim's own query on its index.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Table,
    Update,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import utcnow
from bot.db.engine import Database
from bot.db.models import ChannelUser, Commune, OutboxItem
from bot.db.statistics import StatisticsKeeper
from bot.delivery import (
    DeliveryError,
    RecipientUnreachable,
    Rejected,
    RetryAfter,
    Sender,
    TransientError,
    Undeliverable,
)
from bot.types import Reply

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, DEAD, UNDELIVERABLE = "pending", "sending", "sent", "dead", "undeliverable"
MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)  # a row claimed by a process that died is retried after this
PASS_GAP = 0.01  # seconds between busy passes
FLUSH_EVERY = 0.05  # seconds: how long a sent row may wait before it is recorded
MAX_WAIT = timedelta(minutes=10)  # the longest retry_after or backoff honoured
HORIZON = MAX_WAIT + timedelta(minutes=5)  # a pending row due later than this: clock jump
HORIZON_CHECK = timedelta(seconds=1)
BUSY_CLAIM = 10  # rows claimed at once that mean messages are flowing (statistics)


def backoff(attempt: int) -> timedelta:
    """2, 4, 8 ... seconds, capped at 10 minutes."""
    return min(MAX_WAIT, timedelta(seconds=min(600, 2**attempt)))


@dataclass(frozen=True)
class Envelope:
    """One message to enqueue."""

    channel: str
    chat_id: str
    reply: Reply
    user_id: str | None = None
    kind: str = "reply"


def enqueue(
    session: AsyncSession,
    commune_id: int,
    envelopes: Iterable[Envelope],
    *,
    inbox_id: int | None = None,
    now: datetime | None = None,
    first_seq: int = 0,
) -> list[OutboxItem]:
    """Add messages to the outbox inside the caller's transaction (written at its flush)."""
    rows = [
        OutboxItem(**values)
        for values in _values(commune_id, envelopes, inbox_id, now or utcnow(), first_seq)
    ]
    session.add_all(rows)
    return rows


async def write(
    session: AsyncSession,
    commune_id: int,
    envelopes: Sequence[Envelope],
    *,
    inbox_id: int | None = None,
    now: datetime | None = None,
    first_seq: int = 0,
) -> None:
    """Insert messages into the outbox now, as one statement.

    The processor's path for every reply: no ORM objects to track, which cost more CPU
    than the insert itself.
    """
    if not envelopes:
        return
    values = _values(commune_id, envelopes, inbox_id, now or utcnow(), first_seq)
    connection = await session.connection()
    await connection.execute(_insert(), values)


def _values(
    commune_id: int,
    envelopes: Iterable[Envelope],
    inbox_id: int | None,
    now: datetime,
    first_seq: int,
) -> list[dict[str, Any]]:
    return [
        {
            "commune_id": commune_id,
            "channel": e.channel,
            "chat_id": e.chat_id,
            "user_id": e.user_id,
            "kind": e.kind,
            "reply": e.reply.to_json(),
            "inbox_id": inbox_id,
            "seq": first_seq + i,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for i, e in enumerate(envelopes)
    ]


@dataclass
class Claimed:
    """An outbox row claimed for sending; its outcome is noted on it as it happens."""

    id: int
    commune_id: int
    channel: str
    chat_id: str
    reply: dict[str, Any]
    attempts: int
    status: str = SENDING
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


def _outbox() -> Table:
    table = OutboxItem.__table__
    assert isinstance(table, Table)
    return table


@functools.cache
def _insert() -> Insert:
    return insert(_outbox())


def _due(channels: list[str], now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Rows this relay may send now: its channels, unsent (or a lease run out), due."""
    table = _outbox()
    return (
        table.c.channel.in_(channels),
        table.c.status.in_((PENDING, SENDING)),
        table.c.next_attempt_at <= now,
    )


def _columns_of(values: dict[str, object]) -> tuple[str, ...]:
    return tuple(values)


@functools.cache
def _record_outcome() -> Update:
    """By id; the SET clause comes from the parameters' keys (all but ``row_id``)."""
    table = _outbox()
    return update(table).where(table.c.id == bindparam("row_id"))


async def take_for_pull(db: Database, channel: str, chat_id: str, limit: int = 50) -> list[Reply]:
    """Hand pending messages of a pull channel (web chat) to its client, oldest first."""
    async with db.transaction() as session:
        rows = (
            (
                await session.execute(
                    select(OutboxItem)
                    .where(
                        OutboxItem.channel == channel,
                        OutboxItem.chat_id == chat_id,
                        OutboxItem.status == PENDING,
                    )
                    .order_by(OutboxItem.id)
                    .limit(limit)
                )
            )
            .scalars()
            .all()
        )
        now = utcnow()
        for row in rows:
            row.status, row.sent_at, row.attempts = SENT, now, row.attempts + 1
        return [Reply.from_json(r.reply) for r in rows]


class Relay:
    """Sends due outbox rows through the registered senders.

    One relay per process. Rows are claimed with a lease (and ``SKIP LOCKED`` on
    PostgreSQL) so several instances can run relays without sending a row twice.
    """

    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        *,
        batch: int = 200,
        max_attempts: int = MAX_ATTEMPTS,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = LEASE,
    ) -> None:
        self.db = db
        self.senders = dict(senders)
        self.batch = batch
        self.max_attempts = max_attempts
        self.clock = clock
        self.lease = lease
        self._wake = asyncio.Event()
        self._stopping = False
        self._slugs: dict[int, str] = {}
        # Outcomes not yet written. They outlive a pass whose last write failed (the
        # database restarting): the next pass writes them before claiming anything, so
        # sent rows are not sent again when their lease runs out.
        self._results = _Results()
        self._horizon_checked: datetime | None = None
        # The looks and claims are planned from the outbox's statistics: see
        # bot/db/statistics.py. A busy relay keeps them current.
        self._statistics = StatisticsKeeper(db, "outbox")
        # In a worker process the relay that sends runs in the web process: ``wake``
        # tells that one (bot/workers.py).
        self.wake_sender: Callable[[], None] = lambda: None

    def wake(self) -> None:
        self._wake.set()
        self.wake_sender()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self, idle: float = 1.0, *, look_first: bool = False) -> None:
        """Send until stopped; sleeps until woken or ``idle`` seconds pass.

        ``look_first``: after an idle wait nobody woke it from, claim only if a read finds
        something due. For a relay polling often for rows other processes wrote: the
        look needs no write lock, a claim does.
        """
        woken = True
        while not self._stopping:
            try:
                if woken or not look_first or await self._anything_due():
                    sent = await self.run_once()
                else:
                    sent = 0
            except Exception:
                log.exception("outbox relay pass failed")
                sent = 0
            if sent:
                # Under load, let replies gather for a moment: one claim and one write
                # for many messages instead of a pass per message.
                await asyncio.sleep(PASS_GAP)
                woken = True
            elif not self._stopping:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=idle)
                    woken = True
                except TimeoutError:
                    woken = False

    async def _anything_due(self) -> bool:
        if self._results.updates or self._results.unreachable:
            return True  # outcomes still to write
        now, last = self.clock(), self._horizon_checked
        if last is None or not last <= now < last + HORIZON_CHECK:
            return True  # time for the claim's look at rows stamped by a jumped clock
        channels = list(self.senders)
        if not channels:
            return False
        async with self.db.read() as session:
            found = await session.execute(
                select(OutboxItem.id).where(*_due(channels, now)).limit(1)
            )
            return found.first() is not None

    async def run_once(self) -> int:
        """Claim and send one batch of due rows. Returns how many rows were handled."""
        results = self._results
        await self._flush(results)
        rows = await self._claim()
        if not rows:
            return 0
        by_chat: dict[tuple[str, str], list[Claimed]] = defaultdict(list)
        for row in rows:
            by_chat[(row.channel, row.chat_id)].append(row)
        done = asyncio.Event()
        flusher = asyncio.create_task(self._flush_every(results, done))
        try:
            await asyncio.gather(
                *(self._send_chat(chat_rows, results) for chat_rows in by_chat.values())
            )
        finally:
            # Never cancel a flush midway: the outcomes it took would be lost and their
            # rows sent again once their lease ran out.
            done.set()
            await flusher
            await self._flush(results)
        if len(rows) >= BUSY_CLAIM:
            await self._statistics.backlog_seen()
        return len(rows)

    async def _claim(self) -> list[Claimed]:
        now = self.clock()
        channels = list(self.senders)
        if not channels:
            return []
        table = _outbox()
        async with self.db.transaction() as session:
            # Plain statements: ORM objects for rows that only pass through cost more
            # CPU than the queries, inside the write lock.
            connection = await session.connection()
            last = self._horizon_checked
            if last is None or not last <= now < last + HORIZON_CHECK:
                await connection.execute(
                    update(table)
                    .where(table.c.status == PENDING, table.c.next_attempt_at > now + HORIZON)
                    .values(next_attempt_at=now)
                )
                self._horizon_checked = now
            query = (
                select(
                    table.c.id,
                    table.c.commune_id,
                    table.c.channel,
                    table.c.chat_id,
                    table.c.reply,
                    table.c.attempts,
                )
                .where(*_due(channels, now))
                .order_by(table.c.id)
                .limit(self.batch)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            leased = now + self.lease
            found = await connection.execute(query)
            rows = [Claimed(*row, next_attempt_at=leased) for row in found]
            if rows:
                # A chat's message must not overtake an older one still unsent: waiting
                # (retry_after, backoff) or held by another relay.
                blocked = await self._behind_older_unsent(session, rows)
                rows = [r for r in rows if r.id not in blocked]
            if rows:
                await connection.execute(
                    update(table)
                    .where(table.c.id.in_([r.id for r in rows]))
                    .values(status=SENDING, next_attempt_at=leased)
                )
                await self._load_slugs(session, {r.commune_id for r in rows})
        return rows

    async def _behind_older_unsent(
        self, session: AsyncSession, rows: Sequence[Claimed]
    ) -> set[int]:
        """Ids among ``rows`` with an older unsent row of their chat that is not among them.

        On SQLite no other relay can hold a row, so the older rows left out are exactly
        those not yet due: a cheaper query on the due-time index finds them.
        """
        taken = {r.id for r in rows}
        left_out = (
            OutboxItem.next_attempt_at > self.clock()
            if self.db.is_sqlite
            else OutboxItem.id.not_in(taken)
        )
        others = (
            await session.execute(
                select(OutboxItem.channel, OutboxItem.chat_id, func.min(OutboxItem.id))
                .where(
                    # Channel first: the chat index's leading column (ix_outbox_chat).
                    OutboxItem.channel.in_({r.channel for r in rows}),
                    OutboxItem.chat_id.in_({r.chat_id for r in rows}),
                    OutboxItem.status.in_((PENDING, SENDING)),
                    OutboxItem.id < max(taken),
                    left_out,
                )
                .group_by(OutboxItem.channel, OutboxItem.chat_id)
            )
        ).all()
        oldest = {(channel, chat_id): first for channel, chat_id, first in others}
        return {r.id for r in rows if oldest.get((r.channel, r.chat_id), r.id + 1) < r.id}

    async def _load_slugs(self, session: AsyncSession, commune_ids: set[int]) -> None:
        missing = commune_ids - set(self._slugs)
        if missing:
            result = await session.execute(
                select(Commune.id, Commune.slug).where(Commune.id.in_(missing))
            )
            self._slugs.update({cid: slug for cid, slug in result.all()})

    async def _send_chat(self, rows: list[Claimed], results: _Results) -> None:
        for index, row in enumerate(rows):
            wait_until = await self._send_one(row, results)
            if wait_until is not None:
                # Keep the chat's order: push the rest back behind the failed one.
                for later in rows[index + 1 :]:
                    results.update(later, status=PENDING, next_attempt_at=wait_until)
                return

    async def _send_one(self, row: Claimed, results: _Results) -> datetime | None:
        """Send one row and note the result. Returns the retry time if it must wait."""
        sender = self.senders[row.channel]
        now = self.clock()
        try:
            await sender.send(self._slugs[row.commune_id], row.chat_id, Reply.from_json(row.reply))
        except RetryAfter as exc:
            when = now + min(MAX_WAIT, timedelta(seconds=exc.seconds))
            results.update(row, status=PENDING, next_attempt_at=when, last_error=str(exc))
            return when
        except RecipientUnreachable as exc:
            results.update(
                row, status=UNDELIVERABLE, last_error=str(exc), attempts=row.attempts + 1
            )
            results.unreachable.append((row.commune_id, row.channel, row.chat_id, str(exc)))
            return None
        except Undeliverable as exc:
            results.update(
                row, status=UNDELIVERABLE, last_error=str(exc), attempts=row.attempts + 1
            )
            return None
        except Rejected as exc:
            log.warning("outbox row %s rejected by %s: %s", row.id, row.channel, exc)
            reason = f"rejected: {exc}"[:1000]
            results.update(row, status=DEAD, attempts=row.attempts + 1, last_error=reason)
            return None
        except (TransientError, DeliveryError, OSError, TimeoutError) as exc:
            return self._retry_or_bury(row, exc, now, results)
        except Exception as exc:
            log.exception("sender %s failed on outbox row %s", row.channel, row.id)
            return self._retry_or_bury(row, exc, now, results)
        results.update(
            row, status=SENT, sent_at=self.clock(), attempts=row.attempts + 1, last_error=None
        )
        return None

    def _retry_or_bury(
        self, row: Claimed, exc: BaseException, now: datetime, results: _Results
    ) -> datetime | None:
        attempts = row.attempts + 1
        reason = f"{type(exc).__name__}: {exc}"[:1000]
        if attempts >= self.max_attempts:
            log.warning("outbox row %s dead after %s attempts: %s", row.id, attempts, reason)
            results.update(row, status=DEAD, attempts=attempts, last_error=reason)
            return None
        when = now + backoff(attempts)
        results.update(
            row, status=PENDING, attempts=attempts, next_attempt_at=when, last_error=reason
        )
        return when

    async def _flush_every(self, results: _Results, done: asyncio.Event) -> None:
        """Record outcomes while a long pass goes on (flood limits can make it long)."""
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), FLUSH_EVERY)
            try:
                await self._flush(results)
            except Exception:
                log.exception("recording sent messages failed; retried at the end of the pass")

    async def _flush(self, results: _Results) -> None:
        """Write the outcomes noted so far in one transaction (one write lock on SQLite)."""
        updates, unreachable = results.take()
        if not updates and not unreachable:
            return
        try:
            await self._write(updates, unreachable)
        except BaseException:
            results.give_back(updates, unreachable)  # written by the next flush instead
            raise

    async def _write(
        self, updates: list[dict[str, object]], unreachable: list[tuple[int, str, str, str]]
    ) -> None:
        async with self.db.transaction() as session:
            connection = await session.connection()
            # One statement per run of outcomes with the same columns, in their order.
            for _columns, run in itertools.groupby(updates, key=_columns_of):
                await connection.execute(_record_outcome(), list(run))
            for commune_id, channel, chat_id, reason in unreachable:
                await session.execute(
                    update(ChannelUser)
                    .where(
                        ChannelUser.commune_id == commune_id,
                        ChannelUser.channel == channel,
                        ChannelUser.chat_id == chat_id,
                    )
                    .values(unreachable_at=self.clock(), unreachable_reason=reason[:500])
                )


class _Results:
    """Outcomes of a relay pass waiting to be written, a batch at a time."""

    def __init__(self) -> None:
        self.updates: list[dict[str, object]] = []
        self.unreachable: list[tuple[int, str, str, str]] = []

    def update(self, row: Claimed, **values: object) -> None:
        for key, value in values.items():
            setattr(row, key, value)
        self.updates.append({"row_id": row.id, **values})

    def take(self) -> tuple[list[dict[str, object]], list[tuple[int, str, str, str]]]:
        taken = (self.updates, self.unreachable)
        self.updates, self.unreachable = [], []
        return taken

    def give_back(
        self, updates: list[dict[str, object]], unreachable: list[tuple[int, str, str, str]]
    ) -> None:
        self.updates[:0] = updates
        self.unreachable[:0] = unreachable
