"""Flood limits: the sender waits so Telegram never has to say 429."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot import outbox
from bot.channels.telegram.bots import close_bot, make_bot
from bot.channels.telegram.ratelimit import FloodLimiter, FloodLimits, FloodWait
from bot.channels.telegram.sender import TelegramSender
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Commune, OutboxItem
from bot.outbox import Envelope, Relay
from bot.types import Reply
from tests.channels.telegram.conftest import TOKEN
from tests.fakes.telegram_api import FakeBotApi, RateReferee, RateRules


class VirtualTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_a_schedule_from_the_limiter_passes_the_referee_with_no_tolerance() -> None:
    vt = VirtualTime()
    limiter = FloodLimiter(clock=vt.clock, sleep=vt.sleep)
    referee = RateReferee(RateRules(tolerance=0.0))
    chats = [str(1000 + i) for i in range(50)] * 4 + ["7"] * 30 + ["-100200"] * 25
    for chat in chats:
        await limiter.acquire("bot", chat)
        referee.record("bot", chat, vt.now)
    assert referee.violations == []
    # 285 sends at <= 30/s take at least 9 s; the one chat's 30 at 1/s after a burst of 3.
    assert vt.now - 1000.0 >= 27


async def test_a_burst_to_one_chat_goes_at_once_then_one_per_second() -> None:
    vt = VirtualTime()
    limiter = FloodLimiter(FloodLimits(margin=0.0), clock=vt.clock, sleep=vt.sleep)
    waits = [await limiter.acquire("bot", "42") for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 1.0, 1.0]  # dated by their (instant) answers


async def test_a_group_over_its_minute_budget_is_handed_back_instead_of_waited_for() -> None:
    vt = VirtualTime()
    limiter = FloodLimiter(clock=vt.clock, sleep=vt.sleep)
    for _ in range(20):
        await limiter.acquire("bot", "-100200", max_wait=20)
    with pytest.raises(FloodWait) as caught:
        await limiter.acquire("bot", "-100200", max_wait=20)
    assert 20 < caught.value.seconds <= 60.05
    await limiter.acquire("bot", "42", max_wait=20)  # other chats are not held up


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await upgrade(database)
    async with database.transaction() as session:
        session.add(Commune(slug="default", name="Xã An Bình", counters=[], settings={}))
    yield database
    await database.dispose()


@pytest.mark.slow
async def test_a_burst_through_the_outbox_stays_within_the_limits_and_all_arrive(
    db: Database, fake_api: FakeBotApi, database_url: str
) -> None:
    if "postgresql" in database_url:
        pytest.skip("timing test: one backend is enough (the relay is covered on both)")
    chats = [str(2000 + i) for i in range(50)]
    envelopes = [
        Envelope("telegram", c, Reply(f"Tin {n} cho {c}"), c) for n in range(4) for c in chats
    ]
    envelopes += [Envelope("telegram", "7", Reply(f"Tin {n} cho 7"), "7") for n in range(30)]
    async with db.transaction() as session:
        commune_id = (await session.execute(select(Commune.id))).scalar_one()
        outbox.enqueue(session, commune_id, envelopes)
    bot = make_bot(TOKEN, fake_api.url)
    relay = Relay(db, {"telegram": TelegramSender({"default": bot}, FloodLimiter())})
    started = time.monotonic()
    runner = asyncio.create_task(relay.run(idle=0.1))
    try:
        await fake_api.wait_until(lambda: len(fake_api.sent) == 230, within=90, what="230 sends")
    finally:
        relay.stop()
        await runner
        await close_bot(bot)
    elapsed = time.monotonic() - started
    assert fake_api.referee.violations == []
    assert sorted(m.text for m in fake_api.messages_to(7)) == sorted(
        f"Tin {n} cho 7" for n in range(30)
    )
    assert len({m.text for m in fake_api.sent}) == 230  # each once
    async with db.read() as session:
        sent = await session.execute(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.status == "sent")
        )
        assert sent.scalar_one() == 230
    assert elapsed > 25  # 30 messages to one chat cannot go faster than ~1/s
