"""The outbox relay: order per chat, retry_after, backoff, dead letters, blocked users."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import outbox
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import ChannelUser, Commune, OutboxItem
from bot.delivery import RecipientUnreachable, RetryAfter, TransientError, Undeliverable
from bot.outbox import Envelope, Relay
from bot.types import Reply
from tests.statements import Statements


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakeSender:
    """Records what was sent; fails according to a script of exceptions per chat."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures: dict[str, list[Exception]] = {}

    async def send(self, commune_slug: str, chat_id: str, reply: Reply) -> None:
        script = self.failures.get(chat_id)
        if script:
            raise script.pop(0)
        self.sent.append((chat_id, reply.text))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await upgrade(database)
    async with database.transaction() as session:
        session.add(Commune(slug="default", name="Xã An Bình", counters=[], settings={}))
    yield database
    await database.dispose()


async def _enqueue(
    db: Database, *messages: tuple[str, str], channel: str = "fake", now: datetime | None = None
) -> None:
    async with db.transaction() as session:
        commune_id = (await session.execute(select(Commune.id))).scalar_one()
        outbox.enqueue(
            session,
            commune_id,
            [Envelope(channel, chat, Reply(text), user_id=chat) for chat, text in messages],
            now=now,
        )


async def _statuses(db: Database) -> list[tuple[str, str, str]]:
    async with db.read() as session:
        rows = await session.execute(
            select(OutboxItem.chat_id, OutboxItem.reply, OutboxItem.status).order_by(OutboxItem.id)
        )
        return [(chat, reply["text"], status) for chat, reply, status in rows.all()]


async def test_messages_are_sent_once_in_order_per_chat(db: Database) -> None:
    clock, sender = Clock(), FakeSender()
    await _enqueue(db, ("a", "1"), ("b", "1"), ("a", "2"), ("a", "3"), now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock)
    assert await relay.run_once() == 4
    assert await relay.run_once() == 0
    assert [t for c, t in sender.sent if c == "a"] == ["1", "2", "3"]
    assert sorted(sender.sent) == [("a", "1"), ("a", "2"), ("a", "3"), ("b", "1")]
    assert {s for _, _, s in await _statuses(db)} == {"sent"}


async def test_retry_after_holds_the_chat_and_keeps_its_order(db: Database) -> None:
    clock, sender = Clock(), FakeSender()
    sender.failures["a"] = [RetryAfter(5)]
    await _enqueue(db, ("a", "1"), ("a", "2"), ("b", "1"), now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock)
    await relay.run_once()
    assert sender.sent == [("b", "1")]  # chat a waits, chat b is not held up
    clock.advance(3)
    await relay.run_once()
    assert sender.sent == [("b", "1")]  # still inside retry_after
    clock.advance(3)
    await relay.run_once()
    assert sender.sent == [("b", "1"), ("a", "1"), ("a", "2")]


async def test_transient_errors_back_off_then_dead_letter_with_the_reason(db: Database) -> None:
    clock, sender = Clock(), FakeSender()
    sender.failures["a"] = [TransientError("HTTP 502")] * 3
    await _enqueue(db, ("a", "1"), now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock, max_attempts=3)
    for _ in range(3):
        await relay.run_once()
        clock.advance(3600)
    async with db.read() as session:
        row = (await session.execute(select(OutboxItem))).scalar_one()
    assert row.status == "dead"
    assert row.attempts == 3
    assert "HTTP 502" in (row.last_error or "")
    assert sender.sent == []


async def test_a_transient_error_is_retried_until_it_goes_through(db: Database) -> None:
    clock, sender = Clock(), FakeSender()
    sender.failures["a"] = [TransientError("timeout")]
    await _enqueue(db, ("a", "1"), now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock)
    await relay.run_once()
    assert sender.sent == []
    clock.advance(1)
    await relay.run_once()
    assert sender.sent == []  # backoff of 2 s not over yet
    clock.advance(2)
    await relay.run_once()
    assert sender.sent == [("a", "1")]


async def test_a_blocked_bot_marks_the_user_unreachable_without_retrying(db: Database) -> None:
    clock, sender = Clock(), FakeSender()
    sender.failures["a"] = [RecipientUnreachable("Forbidden: bot was blocked by the user")]
    async with db.transaction() as session:
        commune_id = (await session.execute(select(Commune.id))).scalar_one()
        session.add(ChannelUser(commune_id=commune_id, channel="fake", user_id="a", chat_id="a"))
    await _enqueue(db, ("a", "1"), now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock)
    await relay.run_once()
    clock.advance(3600)
    assert await relay.run_once() == 0
    async with db.read() as session:
        user = (await session.execute(select(ChannelUser))).scalar_one()
        row = (await session.execute(select(OutboxItem))).scalar_one()
    assert user.unreachable_at is not None and "blocked" in (user.unreachable_reason or "")
    assert row.status == "undeliverable"


async def test_undeliverable_messages_are_reported_not_retried(db: Database) -> None:
    clock, sender = Clock(), FakeSender()
    sender.failures["a"] = [Undeliverable("outside the 48 h reply window")]
    await _enqueue(db, ("a", "1"), now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock)
    await relay.run_once()
    assert (await _statuses(db)) == [("a", "1", "undeliverable")]


async def test_pull_channels_wait_for_their_client(db: Database) -> None:
    clock, sender = Clock(), FakeSender()
    await _enqueue(db, ("s1", "later"), channel="web", now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock)
    assert await relay.run_once() == 0  # the relay has no web sender
    replies = await outbox.take_for_pull(db, "web", "s1")
    assert [r.text for r in replies] == ["later"]
    assert await outbox.take_for_pull(db, "web", "s1") == []


async def test_a_row_claimed_by_a_process_that_died_is_sent_after_the_lease(db: Database) -> None:
    clock, sender = Clock(), FakeSender()
    await _enqueue(db, ("a", "1"), now=clock())
    async with db.transaction() as session:
        row = (await session.execute(select(OutboxItem))).scalar_one()
        row.status, row.next_attempt_at = "sending", clock() + outbox.LEASE
    relay = Relay(db, {"fake": sender}, clock=clock)
    assert await relay.run_once() == 0
    clock.advance(outbox.LEASE.total_seconds() + 1)
    await relay.run_once()
    assert sender.sent == [("a", "1")]


async def test_outcomes_being_written_when_a_pass_ends_are_not_lost(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass that ends while outcomes are being written waits for them: cancelling the
    write would leave sent rows 'sending', sent again when their lease ran out."""
    clock = Clock()

    class SlowSender(FakeSender):
        async def send(self, commune_slug: str, chat_id: str, reply: Reply) -> None:
            await asyncio.sleep(0.03)
            await super().send(commune_slug, chat_id, reply)

    relay = Relay(db, {"fake": SlowSender()}, clock=clock)
    write = relay._write

    async def slow_write(*args: object) -> None:
        await asyncio.sleep(0.08)  # still writing when the last send finishes
        await write(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(relay, "_write", slow_write)
    monkeypatch.setattr(outbox, "FLUSH_EVERY", 0.01)
    await _enqueue(db, *[("a", str(i)) for i in range(4)], now=clock())
    assert await relay.run_once() == 4
    assert {status for _, _, status in await _statuses(db)} == {"sent"}


async def test_a_clock_jumping_back_an_hour_does_not_stall_the_chats(db: Database) -> None:
    clock, sender = Clock(), FakeSender()
    sender.failures["a"] = [RetryAfter(5)]
    await _enqueue(db, ("a", "1"), ("a", "2"), ("b", "1"), now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock)
    await relay.run_once()
    assert sender.sent == [("b", "1")]  # chat a waits out its 5 seconds...
    clock.advance(-3600)  # ...when the clock is set back an hour
    await _enqueue(db, ("b", "2"), now=clock())
    await relay.run_once()
    # Due times an hour ahead were written before the jump: they are due, not an hour off.
    assert sorted(sender.sent) == [("a", "1"), ("a", "2"), ("b", "1"), ("b", "2")]
    assert [m for m in sender.sent if m[0] == "a"] == [("a", "1"), ("a", "2")]


async def test_a_clock_jumping_forward_after_a_failed_write_repeats_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent, but the outcome could not be written (the database restarting); then the
    clock jumps past the lease. The rows are recorded as sent, never sent again."""
    clock, sender = Clock(), FakeSender()
    await _enqueue(db, ("a", "1"), ("b", "1"), now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock)
    write = relay._write
    database_down = True

    async def write_unless_down(*args: object) -> None:
        if database_down:
            raise ConnectionResetError("connection to the database lost")
        await write(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(relay, "_write", write_unless_down)
    with pytest.raises(ConnectionResetError):
        await relay.run_once()
    database_down = False
    clock.advance(3600)
    assert await relay.run_once() == 0
    assert sorted(sender.sent) == [("a", "1"), ("b", "1")]
    assert {status for _, _, status in await _statuses(db)} == {"sent"}


async def test_a_long_retry_after_is_honoured_up_to_the_longest_wait(db: Database) -> None:
    """A wait beyond ``MAX_WAIT`` would look like a clock jump: it is shortened instead."""
    clock, sender = Clock(), FakeSender()
    sender.failures["a"] = [RetryAfter(86_400)]
    await _enqueue(db, ("a", "1"), now=clock())
    relay = Relay(db, {"fake": sender}, clock=clock)
    await relay.run_once()
    clock.advance(outbox.MAX_WAIT.total_seconds() - 1)
    await relay.run_once()
    assert sender.sent == []
    clock.advance(2)
    await relay.run_once()
    assert sender.sent == [("a", "1")]


async def test_a_busy_relay_keeps_the_outbox_statistics_current(db: Database) -> None:
    # Planned for an empty outbox, a look for due rows combined the wrong indexes: 1 ms
    # instead of 0.04 with 7,000 rows in a province run (see bot/db/statistics.py).
    clock, sender = Clock(), FakeSender()
    busy = outbox.BUSY_CLAIM
    relay = Relay(db, {"fake": sender}, clock=clock)
    with Statements(db, "ANALYZE") as analyses:
        await _enqueue(db, *[(f"chat-{n}", "1") for n in range(busy)], now=clock())
        assert await relay.run_once() == busy
        await _enqueue(db, *[(f"chat-{n}", "2") for n in range(busy)], now=clock())
        assert await relay.run_once() == busy  # refreshed a moment ago: not again
        await _enqueue(db, ("chat-0", "3"), now=clock())
        assert await relay.run_once() == 1
    assert len(sender.sent) == 2 * busy + 1
    assert analyses.count == (0 if db.is_sqlite else 1)  # SQLite plans without them
