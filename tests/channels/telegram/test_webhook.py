"""The webhook, fed captured updates by the fake Bot API as Telegram would deliver them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Runtime
from bot.db.models import InboxItem, OutboxItem
from handlers import texts
from tests.channels.telegram.conftest import (
    FIXTURES,
    RESIDENT,
    SECRET,
    STAFF_GROUP,
    TOKEN,
    RuntimeFactory,
    text_update,
    update,
)
from tests.fakes.telegram_api import FakeBotApi


async def _inbox(runtime: Runtime) -> list[tuple[str, str, str | None]]:
    async with runtime.db.read() as session:
        rows = await session.execute(
            select(InboxItem.update_key, InboxItem.status, InboxItem.error).order_by(InboxItem.id)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def _settled(runtime: Runtime) -> None:
    """Wait until every stored update is handled and every reply has left the outbox."""
    for _ in range(200):
        async with runtime.db.read() as session:
            open_inbox = await session.scalar(
                select(func.count()).select_from(InboxItem).where(InboxItem.status == "pending")
            )
            open_outbox = await session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.status.in_(("pending", "sending")))
            )
        if not open_inbox and not open_outbox:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the pipeline did not settle")


async def test_an_update_with_the_right_secret_is_stored_and_answered(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    status, _ = await fake_api.deliver(TOKEN, update("start_payload", update_id=1))
    assert status == 200
    status, _ = await fake_api.deliver(TOKEN, update("text", update_id=2))
    assert status == 200
    await _settled(runtime_with_webhook)
    assert [key for key, _, _ in await _inbox(runtime_with_webhook)] == ["1", "2"]
    assert len(fake_api.messages_to(RESIDENT)) >= 1


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    wrong, _ = await fake_api.deliver(TOKEN, update("text"), secret="not-the-secret")
    fake_api.webhook(TOKEN).secret_token = None
    missing, _ = await fake_api.deliver(TOKEN, update("text"))
    assert (wrong, missing) == (401, 401)
    assert await _inbox(runtime_with_webhook) == []
    assert fake_api.sent == []


async def test_an_unknown_commune_is_not_found(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    url = fake_api.webhook(TOKEN).url.replace("/default", "/xa-khac")
    status, _ = await fake_api.deliver(TOKEN, update("text"), url=url)
    assert status == 404


async def test_a_redelivered_update_is_answered_once(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    for _ in range(3):
        status, _ = await fake_api.deliver(TOKEN, update("text"))
        assert status == 200
    await _settled(runtime_with_webhook)
    assert len(await _inbox(runtime_with_webhook)) == 1
    assert len(fake_api.messages_to(RESIDENT)) == 1


async def test_a_body_that_is_not_an_update_is_acknowledged_and_recorded_as_failed(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    # A non-2xx answer would make Telegram redeliver it forever, ahead of later updates.
    for body in (b'{"update_id": 5, "message": {', b'{"hello": "world"}', b"[1, 2]"):
        status, _ = await fake_api.deliver(TOKEN, body)
        assert status == 200
    again, _ = await fake_api.deliver(TOKEN, b'{"update_id": 5, "message": {')
    assert again == 200
    await _settled(runtime_with_webhook)
    rows = await _inbox(runtime_with_webhook)
    assert len(rows) == 3  # the repeated body was recognised
    assert all(key.startswith("invalid:") and status == "failed" for key, status, _ in rows)
    assert all("not a Telegram update" in (error or "") for _, _, error in rows)
    # The chat is not blocked: the next good update is answered.
    await fake_api.deliver(TOKEN, update("text"))
    await _settled(runtime_with_webhook)
    assert len(fake_api.messages_to(RESIDENT)) == 1


async def test_an_update_python_telegram_bot_cannot_read_is_recorded_as_failed(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    broken = {"update_id": 77, "message": {"message_id": 1, "chat": {"id": 1, "type": "private"}}}
    status, _ = await fake_api.deliver(TOKEN, broken)
    assert status == 200
    await _settled(runtime_with_webhook)
    [(key, state, error)] = await _inbox(runtime_with_webhook)
    assert (key, state) == ("77", "failed") and "parse" in (error or "")


async def test_a_button_press_is_answered_in_the_webhook_response(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    status, body = await fake_api.deliver(TOKEN, update("callback_query"))
    assert status == 200
    assert body == {"method": "answerCallbackQuery", "callback_query_id": "4620689383398745012"}
    assert fake_api.answered_callbacks() == ["4620689383398745012"]
    await _settled(runtime_with_webhook)
    [reply] = fake_api.messages_to(RESIDENT)
    assert "Giờ làm việc" in reply.text  # the "m:info" button: address and hours


async def test_edited_messages_channel_posts_and_member_changes_are_not_stored(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    for name in ("edited_message", "channel_post", "my_chat_member_blocked"):
        status, _ = await fake_api.deliver(TOKEN, update(name))
        assert status == 200
    assert await _inbox(runtime_with_webhook) == []
    assert fake_api.sent == []


async def test_in_the_staff_group_only_listed_staff_are_heard(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    for name in (
        "group_staff_command",
        "group_staff_reply",
        "group_staff_button",
        "group_outsider_command",
        "group_staff_chatter",
    ):
        status, _ = await fake_api.deliver(TOKEN, update(name))
        assert status == 200
    await _settled(runtime_with_webhook)
    stored = [key for key, _, _ in await _inbox(runtime_with_webhook)]
    # The outsider's command and the staff's own chatter are neither stored nor answered.
    assert stored == ["815563210", "815563213", "815563215"]
    assert all(m.chat_id == STAFF_GROUP for m in fake_api.sent)


async def test_a_group_that_is_not_the_staff_group_is_ignored(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    other = update("group_staff_command")
    other["message"]["chat"] = {**other["message"]["chat"], "id": -1002222222222}
    await fake_api.deliver(TOKEN, other)
    assert await _inbox(runtime_with_webhook) == []


async def test_a_photo_out_of_context_gets_the_unsupported_media_answer(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    await fake_api.deliver(TOKEN, update("sticker"))
    await _settled(runtime_with_webhook)
    [reply] = fake_api.messages_to(RESIDENT)
    assert reply.text.startswith(texts.UNSUPPORTED_MEDIA[:20])


async def test_updates_are_stored_even_before_the_workers_run(
    start_runtime: RuntimeFactory, fake_api: FakeBotApi
) -> None:
    runtime = await start_runtime(workers=False)
    state = fake_api.webhook(TOKEN)
    state.url, state.secret_token = (
        f"{runtime.settings.public_url}/webhook/telegram/default",
        SECRET,
    )
    status, _ = await fake_api.deliver(TOKEN, update("text"))
    assert status == 200
    assert [(k, s) for k, s, _ in await _inbox(runtime)] == [("815563201", "pending")]
    assert await runtime.processor.recover() == 1


async def test_concurrent_redeliveries_are_stored_once_in_one_batch(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi
) -> None:
    first = update("text", update_id=900)
    others = [text_update(901 + i, f"câu hỏi {i}", user=5200000000 + i) for i in range(20)]
    results = await asyncio.gather(*(fake_api.deliver(TOKEN, u) for u in [first] * 5 + others))
    assert all(status == 200 for status, _ in results)
    await _settled(runtime_with_webhook)
    keys = [key for key, _, _ in await _inbox(runtime_with_webhook)]
    assert sorted(keys) == sorted(str(n) for n in range(900, 921))
    assert len(fake_api.messages_to(RESIDENT)) == 1


async def test_storing_an_update_goes_ahead_of_queued_handler_transactions(
    runtime_with_webhook: Runtime,
) -> None:
    db, order = runtime_with_webhook.db, []
    if not db.is_sqlite:
        return  # PostgreSQL has no single-writer queue to jump
    release = asyncio.Event()

    async def handler(n: int) -> None:
        async with db.transaction():
            order.append(f"handler {n}")
            await release.wait()

    async def webhook() -> None:
        async with db.transaction(urgent=True):
            order.append("webhook")

    tasks = [asyncio.create_task(handler(n)) for n in range(3)]
    await asyncio.sleep(0.05)  # handler 0 holds the writer, 1 and 2 queue
    tasks.append(asyncio.create_task(webhook()))
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["handler 0", "webhook", "handler 1", "handler 2"]


STORED = {
    "text",
    "start_payload",
    "callback_query",
    "photo",
    "location",
    "contact_own",
    "contact_other",
    "sticker",
    "document",
    "group_staff_command",
    "group_staff_reply",
    "group_staff_button",
}


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
async def test_every_captured_update_needs_the_secret_and_is_stored_only_if_ours(
    runtime_with_webhook: Runtime, fake_api: FakeBotApi, path: Path
) -> None:
    captured = update(path.stem)
    refused, _ = await fake_api.deliver(TOKEN, captured, secret="wrong-secret")
    assert refused == 401
    assert await _inbox(runtime_with_webhook) == []
    accepted, _ = await fake_api.deliver(TOKEN, captured)
    assert accepted == 200
    stored = [key for key, _, _ in await _inbox(runtime_with_webhook)]
    assert stored == ([str(captured["update_id"])] if path.stem in STORED else [])
