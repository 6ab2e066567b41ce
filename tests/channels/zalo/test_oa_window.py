"""The OA reply window: 8 messages within 48 hours of the resident's last message.

The outbox refuses to send outside it and marks such messages "undeliverable"; callers
ask ``can_reach`` before they enqueue.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from bot import outbox
from bot.app import Runtime
from bot.channels.zalo_oa.window import FREE_REPLIES, WINDOW
from bot.db.base import utcnow
from bot.db.models import ChannelUser, OutboxItem
from bot.reachability import can_reach
from bot.types import Reply
from tests.channels.zalo.conftest import OA_SECRET_KEY
from tests.channels.zalo.drivers import ZaloOADriver
from tests.fakes.zalo_api import FakeZaloOA

USER = "8309393969855402319"


async def notify(runtime: Runtime, *texts: str, user: str = USER) -> list[str]:
    """Enqueue later messages (like complaint updates) and let the relay try them."""
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        rows = outbox.enqueue(
            session,
            commune.id,
            [outbox.Envelope("zalo_oa", user, Reply(t), user, kind="notice") for t in texts],
        )
        await session.flush()
        ids = [r.id for r in rows]
    while await runtime.relay.run_once():
        pass
    async with runtime.db.read() as session:
        result = await session.execute(
            select(OutboxItem.status).where(OutboxItem.id.in_(ids)).order_by(OutboxItem.id)
        )
        return list(result.scalars())


async def reachable(runtime: Runtime, channel: str, user: str) -> bool:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.read() as session:
        return await can_reach(session, commune.id, channel, user, utcnow())


async def test_eight_messages_go_out_after_a_resident_writes_and_the_ninth_does_not(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_oa: FakeZaloOA
) -> None:
    driver = ZaloOADriver(zalo_runtime, zalo_client, fake_oa, OA_SECRET_KEY)
    assert await reachable(zalo_runtime, "zalo_oa", USER) is False  # never wrote
    replies = await driver.say("/huy")  # one reply: 1 of 8 used
    assert len(replies) == 1
    statuses = await notify(zalo_runtime, *(f"Cập nhật {i}" for i in range(1, FREE_REPLIES + 1)))
    assert statuses == ["sent"] * (FREE_REPLIES - 1) + ["undeliverable"]
    assert len(fake_oa.to(USER)) == FREE_REPLIES
    assert await reachable(zalo_runtime, "zalo_oa", USER) is False
    async with zalo_runtime.db.read() as session:
        error = (
            await session.execute(
                select(OutboxItem.last_error).where(OutboxItem.status == "undeliverable")
            )
        ).scalar_one()
    assert error and "reply window" in error
    # The resident writes again: a new window opens.
    await driver.say("/huy")
    assert await reachable(zalo_runtime, "zalo_oa", USER) is True
    assert await notify(zalo_runtime, "Hồ sơ của bạn đã xong") == ["sent"]


async def test_nothing_goes_out_48_hours_after_the_last_message(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_oa: FakeZaloOA
) -> None:
    driver = ZaloOADriver(zalo_runtime, zalo_client, fake_oa, OA_SECRET_KEY)
    await driver.say("/huy")
    async with zalo_runtime.db.transaction() as session:
        await session.execute(
            update(ChannelUser)
            .where(ChannelUser.user_id == USER)
            .values(last_seen_at=utcnow() - WINDOW - timedelta(minutes=1))
        )
    assert await reachable(zalo_runtime, "zalo_oa", USER) is False
    sent_before = len(fake_oa.messages)
    assert await notify(zalo_runtime, "Mời bạn đánh giá") == ["undeliverable"]
    assert len(fake_oa.messages) == sent_before


async def test_a_reply_that_does_not_fit_in_what_is_left_is_not_sent_halfway(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_oa: FakeZaloOA
) -> None:
    driver = ZaloOADriver(zalo_runtime, zalo_client, fake_oa, OA_SECRET_KEY)
    await driver.say("/huy")
    assert await notify(zalo_runtime, *(["ngắn"] * (FREE_REPLIES - 2))) == ["sent"] * (
        FREE_REPLIES - 2
    )
    sent_before = len(fake_oa.messages)
    long_text = "Căn cứ pháp lý dài. " * 250  # three messages, one left in the window
    assert await notify(zalo_runtime, long_text) == ["undeliverable"]
    assert len(fake_oa.messages) == sent_before
    assert await notify(zalo_runtime, "ngắn") == ["sent"]


async def test_reachability_of_the_other_channels(zalo_runtime: Runtime) -> None:
    commune = zalo_runtime.communes.by_slug("default")
    assert commune is not None
    assert await reachable(zalo_runtime, "web", "any-session") is True
    now = utcnow()
    async with zalo_runtime.db.transaction() as session:
        for channel, user, unreachable in (
            ("telegram", "111", None),
            ("telegram", "222", now),
            ("zalo_bot", "abc", None),
            ("zalo_bot", "def", now),
        ):
            session.add(
                ChannelUser(
                    commune_id=commune.id,
                    channel=channel,
                    user_id=user,
                    chat_id=user,
                    first_seen_at=now - timedelta(days=30),
                    last_seen_at=now - timedelta(days=30),  # long ago: no window on these
                    unreachable_at=unreachable,
                )
            )
    assert await reachable(zalo_runtime, "telegram", "111") is True
    assert await reachable(zalo_runtime, "telegram", "222") is False  # blocked the bot
    assert await reachable(zalo_runtime, "telegram", "333") is False  # never started it
    assert await reachable(zalo_runtime, "zalo_bot", "abc") is True
    assert await reachable(zalo_runtime, "zalo_bot", "def") is False
