"""What the outbox relay does with each Zalo failure: wait, retry, resume, give up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot import outbox
from bot.app import Runtime
from bot.channels.zalo_bot.api import ZaloBotApi
from bot.channels.zalo_oa.api import ZaloOAApi
from bot.db.base import utcnow
from bot.db.models import ChannelUser, OutboxItem
from bot.delivery import TransientError
from bot.types import Reply
from tests.channels.zalo.conftest import BOT_SECRET, OA_SECRET_KEY
from tests.channels.zalo.drivers import ZaloBotDriver, ZaloOADriver
from tests.fakes.zalo_api import FakeZaloBot, FakeZaloOA

BOT_USER = "a9f3c27e51d04b88b6e1"
OA_USER = "8309393969855402319"


async def send(runtime: Runtime, channel: str, user: str, reply: Reply) -> OutboxItem:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        [row] = outbox.enqueue(session, commune.id, [outbox.Envelope(channel, user, reply, user)])
        await session.flush()
        row_id = row.id
    await runtime.relay.run_once()
    return await reload(runtime, row_id)


async def reload(runtime: Runtime, row_id: int) -> OutboxItem:
    async with runtime.db.read() as session:
        return (
            await session.execute(select(OutboxItem).where(OutboxItem.id == row_id))
        ).scalar_one()


async def test_zalo_bot_rate_limit_waits_the_time_asked(
    zalo_runtime: Runtime, fake_bot: FakeZaloBot
) -> None:
    fake_bot.rate_limit("sendMessage", retry_after=7)
    row = await send(zalo_runtime, "zalo_bot", BOT_USER, Reply("xin chào"))
    assert row.status == "pending" and "retry after 7s" in (row.last_error or "")
    assert row.next_attempt_at > utcnow() + timedelta(seconds=5)
    assert fake_bot.texts(BOT_USER) == []


async def test_zalo_bot_server_errors_are_retried_with_backoff(
    zalo_runtime: Runtime, fake_bot: FakeZaloBot
) -> None:
    fake_bot.fail("sendMessage", 502)
    row = await send(zalo_runtime, "zalo_bot", BOT_USER, Reply("xin chào"))
    assert row.status == "pending" and row.attempts == 1 and "HTTP 502" in (row.last_error or "")


async def test_zalo_bot_refusing_a_message_dead_letters_it_at_once(
    zalo_runtime: Runtime, fake_bot: FakeZaloBot
) -> None:
    fake_bot.fail(
        "sendMessage", 400, {"ok": False, "error_code": 400, "description": "Bad Request: text"}
    )
    row = await send(zalo_runtime, "zalo_bot", BOT_USER, Reply("xin chào"))
    assert row.status == "dead" and "Bad Request" in (row.last_error or "")


async def test_a_resident_who_blocked_the_bot_is_marked_unreachable(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_bot: FakeZaloBot
) -> None:
    await ZaloBotDriver(zalo_runtime, zalo_client, fake_bot, BOT_SECRET).say("/huy")
    fake_bot.blocked.add(BOT_USER)
    row = await send(zalo_runtime, "zalo_bot", BOT_USER, Reply("Phản ánh của bạn đã được xử lý"))
    assert row.status == "undeliverable"
    async with zalo_runtime.db.read() as session:
        user = (
            await session.execute(select(ChannelUser).where(ChannelUser.user_id == BOT_USER))
        ).scalar_one()
    assert user.unreachable_at is not None


async def test_a_long_reply_resumes_after_a_failed_part_without_repeating_parts(
    zalo_runtime: Runtime, fake_bot: FakeZaloBot
) -> None:
    text = "\n\n".join(f"Đoạn {i}: " + "giấy tờ cần nộp " * 100 for i in range(1, 4))
    original = fake_bot._m_sendMessage
    calls = 0

    async def second_part_fails_once(body: dict[str, Any]) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            return fake_bot._error(500, "Internal error")
        return await original(body)

    fake_bot._m_sendMessage = second_part_fails_once  # type: ignore[method-assign]
    row = await send(zalo_runtime, "zalo_bot", BOT_USER, Reply(text))
    assert row.status == "pending" and len(fake_bot.texts(BOT_USER)) == 1
    zalo_runtime.relay.clock = lambda: utcnow() + timedelta(minutes=5)  # the backoff has passed
    await zalo_runtime.relay.run_once()
    parts = fake_bot.texts(BOT_USER)
    assert (await reload(zalo_runtime, row.id)).status == "sent"
    assert [p.split(":")[0] for p in parts] == ["Đoạn 1", "Đoạn 2", "Đoạn 3"]


async def test_zalo_bot_calls_carry_the_token_in_the_path_and_never_in_errors() -> None:
    fake = FakeZaloBot()
    await fake.start()
    try:
        async with aiohttp.ClientSession() as session:
            good = ZaloBotApi(session, fake.url, fake.token)
            assert (await good.call("getMe"))["account_name"] == "bot.motcua"
            wrong = ZaloBotApi(session, fake.url, "999:wrong-token")
            with pytest.raises(Exception) as refused:
                await wrong.call("getMe")
            assert "wrong-token" not in str(refused.value) and "401" in str(refused.value)
            down = ZaloBotApi(session, "http://127.0.0.1:9", fake.token)
            with pytest.raises(TransientError) as unreachable:
                await down.call("sendMessage", {"chat_id": "x", "text": "y"})
            assert fake.token not in str(unreachable.value) and "repr" not in repr(good)
    finally:
        await fake.close()


async def test_an_expired_oa_token_is_refreshed_and_the_message_sent(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_oa: FakeZaloOA
) -> None:
    await ZaloOADriver(zalo_runtime, zalo_client, fake_oa, OA_SECRET_KEY).say("/huy")
    refreshes = len(fake_oa.refresh_requests)
    fake_oa.expire_access_tokens()  # Zalo ended it early: answers -124
    row = await send(zalo_runtime, "zalo_oa", OA_USER, Reply("Hồ sơ của bạn đã xong"))
    assert row.status == "sent"
    assert len(fake_oa.refresh_requests) == refreshes + 1
    assert fake_oa.to(OA_USER)[-1].text == "Hồ sơ của bạn đã xong"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ({"error": -32, "message": "Exceed rate limit"}, "pending"),
        (
            {"error": -230, "message": "User has not interacted with the OA recently"},
            "undeliverable",
        ),
        ({"error": -201, "message": "Parameters are invalid"}, "dead"),
        ({"error": -999, "message": "Something new"}, "pending"),
    ],
)
async def test_oa_errors_map_to_wait_give_up_or_retry(
    zalo_runtime: Runtime,
    zalo_client: TestClient[Any, Any],
    fake_oa: FakeZaloOA,
    error: dict[str, Any],
    status: str,
) -> None:
    await ZaloOADriver(zalo_runtime, zalo_client, fake_oa, OA_SECRET_KEY).say("/huy")
    fake_oa.fail_cs(body=error)
    row = await send(zalo_runtime, "zalo_oa", OA_USER, Reply("Thông báo"))
    assert row.status == status
    assert str(error["error"]) in (row.last_error or "") or "rate limited" in (row.last_error or "")


async def test_oa_http_failures_are_transient() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(TransientError):
            await ZaloOAApi(session, "http://127.0.0.1:9").send_cs("token", {})
