"""Sending with the real python-telegram-bot client against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import outbox
from bot.channels.telegram.bots import close_bot, make_bot
from bot.channels.telegram.ratelimit import FloodLimiter
from bot.channels.telegram.sender import TelegramSender
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import ChannelUser, Commune, OutboxItem
from bot.delivery import RecipientUnreachable, Rejected, RetryAfter, TransientError
from bot.outbox import Envelope, Relay
from bot.types import Button, Reply
from tests.channels.telegram.conftest import TOKEN
from tests.fakes.telegram_api import FakeBotApi, Fault


@pytest.fixture
async def sender(fake_api: FakeBotApi) -> AsyncIterator[TelegramSender]:
    bot = make_bot(TOKEN, fake_api.url, read_timeout=0.5)
    yield TelegramSender({"default": bot}, FloodLimiter())
    await close_bot(bot)


async def test_a_reply_arrives_as_escaped_html_with_its_buttons(
    sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    await sender.send(
        "default", "42", Reply("Lệ phí: 0 đồng <miễn phí>", (Button("Về menu", "m"),))
    )
    [message] = fake_api.messages_to(42)
    assert message.text == "Lệ phí: 0 đồng <miễn phí>"
    assert message.params["parse_mode"] == "HTML"
    assert message.inline_buttons == [{"text": "Về menu", "callback_data": "m"}]


async def test_a_local_photo_is_uploaded(
    sender: TelegramSender, fake_api: FakeBotApi, tmp_path: Path
) -> None:
    qr = tmp_path / "qr.png"
    qr.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    await sender.send("default", "42", Reply("Quét mã để đánh giá", photo=str(qr)))
    assert [m.method for m in fake_api.messages_to(42)] == ["sendPhoto", "sendMessage"]


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        (Fault.too_many_requests(7), RetryAfter),
        (Fault.server_error(500), TransientError),
        (Fault.server_error(502), TransientError),
        (Fault.slow(2.0), TransientError),  # the client times out after 0.5 s
        (Fault.blocked(), RecipientUnreachable),
        (Fault.chat_not_found(), RecipientUnreachable),
        (Fault.bad_request("Bad Request: can't parse entities"), Rejected),
    ],
    ids=["429", "500", "502", "timeout", "403", "chat-not-found", "400"],
)
async def test_telegram_errors_become_delivery_outcomes(
    sender: TelegramSender, fake_api: FakeBotApi, fault: Fault, outcome: type[Exception]
) -> None:
    fake_api.inject("sendMessage", fault)
    with pytest.raises(outcome) as caught:
        await sender.send("default", "42", Reply("Xin chào"))
    if isinstance(caught.value, RetryAfter):
        assert caught.value.seconds == 7
    assert fake_api.messages_to(42) == []
    await sender.send("default", "42", Reply("Xin chào"))  # the next try goes through
    assert len(fake_api.messages_to(42)) == 1


async def test_a_retried_long_reply_does_not_repeat_the_parts_already_delivered(
    sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    reply = Reply("\n\n".join(c * 3000 for c in "abc"))  # three messages
    fake_api.inject("sendMessage", Fault.server_error(), chat_id=42, skip=1)  # the second
    with pytest.raises(TransientError):
        await sender.send("default", "42", reply)
    await sender.send("default", "42", reply)
    assert [m.text[0] for m in fake_api.messages_to(42)] == ["a", "b", "c"]


async def test_a_group_that_became_a_supergroup_gets_the_message_at_its_new_id(
    sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    fake_api.inject("sendMessage", Fault.migrated(-1009990001), chat_id=-555)
    await sender.send("default", "-555", Reply("Phản ánh mới"))
    assert [m.chat_id for m in fake_api.sent] == ["-1009990001"]


# --- through the outbox relay --------------------------------------------------------------


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await upgrade(database)
    async with database.transaction() as session:
        session.add(Commune(slug="default", name="Xã An Bình", counters=[], settings={}))
    yield database
    await database.dispose()


async def _enqueue(db: Database, chat_id: str, text: str) -> None:
    async with db.transaction() as session:
        commune_id = (await session.execute(select(Commune.id))).scalar_one()
        session.add(
            ChannelUser(
                commune_id=commune_id,
                channel="telegram",
                user_id=chat_id,
                chat_id=chat_id,
                first_seen_at=utcnow(),
                last_seen_at=utcnow(),
            )
        )
        outbox.enqueue(session, commune_id, [Envelope("telegram", chat_id, Reply(text), chat_id)])


async def _rows(db: Database) -> dict[str, tuple[str, str | None]]:
    async with db.read() as session:
        rows = await session.execute(
            select(OutboxItem.chat_id, OutboxItem.status, OutboxItem.last_error)
        )
        return {chat: (status, error) for chat, status, error in rows.all()}


async def test_the_relay_marks_blocked_users_and_buries_rejected_messages_at_once(
    db: Database, sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    for chat in ("101", "102", "103", "104"):
        await _enqueue(db, chat, f"Tin cho {chat}")
    fake_api.inject("sendMessage", Fault.blocked(), chat_id=102)
    fake_api.inject(
        "sendMessage", Fault.bad_request("Bad Request: message is too long"), chat_id=103
    )
    fake_api.inject("sendMessage", Fault.too_many_requests(30), chat_id=104)
    relay = Relay(db, {"telegram": sender})
    assert await relay.run_once() == 4
    rows = await _rows(db)
    assert rows["101"][0] == "sent"
    assert rows["102"][0] == "undeliverable" and "blocked" in (rows["102"][1] or "")
    assert rows["103"][0] == "dead" and "too long" in (rows["103"][1] or "")
    assert rows["104"][0] == "pending" and "retry after 30" in (rows["104"][1] or "")
    async with db.read() as session:
        unreachable = await session.execute(
            select(ChannelUser.chat_id).where(ChannelUser.unreachable_at.is_not(None))
        )
        assert list(unreachable.scalars()) == ["102"]
    assert [m.chat_id for m in fake_api.sent] == ["101"]


async def test_a_storm_of_429s_and_server_errors_is_waited_out_and_all_arrive_once_in_order(
    db: Database, sender: TelegramSender, fake_api: FakeBotApi
) -> None:
    chats = [str(310 + n) for n in range(4)]
    async with db.transaction() as session:
        commune_id = (await session.execute(select(Commune.id))).scalar_one()
        for n in (1, 2, 3):
            outbox.enqueue(
                session,
                commune_id,
                [Envelope("telegram", chat, Reply(f"{chat}:{n}"), chat) for chat in chats],
            )
    storm = 6
    fake_api.inject("sendMessage", Fault.too_many_requests(1), times=storm)  # whoever comes
    fake_api.inject("sendMessage", Fault.server_error(502), chat_id=chats[0])
    fake_api.inject("sendMessage", Fault.server_error(500), chat_id=chats[1])
    relay = Relay(db, {"telegram": sender})
    running = asyncio.create_task(relay.run(idle=0.1))
    try:
        await fake_api.wait_until(lambda: len(fake_api.sent) >= 12, within=20, what="all")
        await asyncio.sleep(0.3)  # nothing more may follow
    finally:
        relay.stop()
        await running
    for chat in chats:
        assert [m.text for m in fake_api.messages_to(chat)] == [f"{chat}:{n}" for n in (1, 2, 3)]
    assert len(fake_api.sent) == 12
    calls = fake_api.calls_to("sendMessage")
    for index, refused in enumerate(calls[:storm]):  # each answered "retry after 1"
        chat = refused.params["chat_id"]
        later = next(c for c in calls[index + 1 :] if c.params["chat_id"] == chat)
        assert later.at - refused.at >= 1.0 - 0.05, f"chat {chat} retried too early"
