"""Polling (``serve --telegram-polling``): the same pipeline without a public URL."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import InboxItem
from tests.channels.telegram.conftest import RESIDENT, TOKEN, RuntimeFactory, button_update, update
from tests.fakes.telegram_api import FakeBotApi


async def test_polled_updates_are_answered_and_confirmed(
    start_runtime: RuntimeFactory, fake_api: FakeBotApi
) -> None:
    fake_api.webhook(TOKEN).url = "https://old.example/webhook/telegram/default"
    runtime = await start_runtime(polling=True, poll_timeout=1)
    fake_api.push_update(TOKEN, update("text", update_id=10))
    fake_api.push_update(TOKEN, button_update(11, "m:info"))
    await fake_api.wait_until(lambda: len(fake_api.messages_to(RESIDENT)) == 2, what="2 replies")
    assert fake_api.webhook(TOKEN).url == ""  # deleted first: getUpdates needs that
    assert fake_api.answered_callbacks() == ["cb11"]
    # The next getUpdates carries offset 12, which confirms both to Telegram.
    await fake_api.wait_until(lambda: fake_api.bot(TOKEN).updates == [], what="confirmation")
    async with runtime.db.read() as session:
        keys = (await session.execute(select(InboxItem.update_key))).scalars().all()
    assert sorted(keys) == ["10", "11"]


async def test_a_poison_update_does_not_stall_polling(
    start_runtime: RuntimeFactory, fake_api: FakeBotApi
) -> None:
    runtime = await start_runtime(polling=True, poll_timeout=1)
    fake_api.push_update(TOKEN, {"update_id": 20, "message": {"message_id": 1}})
    fake_api.push_update(TOKEN, update("text", update_id=21))
    await fake_api.wait_until(lambda: len(fake_api.messages_to(RESIDENT)) == 1, what="a reply")
    async with runtime.db.read() as session:
        rows = (await session.execute(select(InboxItem.update_key, InboxItem.status))).all()
    assert sorted(tuple(r) for r in rows) == [("20", "failed"), ("21", "done")]
