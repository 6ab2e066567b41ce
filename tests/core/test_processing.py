"""Processing: duplicates dropped, state committed per step, failures apologised for once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot import outbox
from bot.app import Runtime
from bot.channels import webchat
from bot.db.base import utcnow
from bot.db.models import ChannelUser, Conversation, InboxItem, OutboxItem, Question
from bot.router import Router, text
from bot.types import Incoming, Reply
from tests.dialogue import ProcessorDriver


def _payload(session: str, text_: str, message_id: str) -> dict[str, object]:
    return webchat.validate({"session": session, "text": text_, "id": message_id})


async def _accept(runtime: Runtime, session: str, text_: str, message_id: str) -> int | None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    payload = _payload(session, text_, message_id)
    key = runtime.channels[webchat.NAME].update_key(payload)
    return await runtime.processor.accept(commune, webchat.NAME, key, payload)


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.db.read() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_retried_delivery_is_stored_and_answered_once(runtime: Runtime) -> None:
    first = await _accept(runtime, "resident-0001", "khai sinh", "m1")
    again = await _accept(runtime, "resident-0001", "khai sinh", "m1")
    assert first is not None and again is None
    await runtime.processor.process(first)
    await runtime.processor.process(first)  # processing twice does nothing more
    assert await _count(runtime, InboxItem) == 1
    assert await _count(runtime, OutboxItem) == 1
    assert await _count(runtime, Question) == 1


async def test_updates_left_pending_by_a_crash_are_processed_at_start(runtime: Runtime) -> None:
    inbox_id = await _accept(runtime, "resident-0002", "đăng ký kết hôn", "m1")
    assert inbox_id is not None
    # The process died here: stored, never processed. The next start recovers it.
    assert await runtime.processor.recover() == 1
    replies = await outbox.take_for_pull(runtime.db, webchat.NAME, "resident-0002")
    assert len(replies) == 1
    shown = replies[0].text + " ".join(b.label for b in replies[0].buttons)
    assert "kết hôn" in shown.lower()
    assert await runtime.processor.recover() == 0


async def test_state_is_saved_with_each_step_and_resumes_after_a_restart(runtime: Runtime) -> None:
    chat = ProcessorDriver(runtime, session="resident-0003")
    await chat.say("làm giấy khai sinh cho con")
    async with runtime.db.read() as session:
        row = (await session.execute(select(Conversation))).scalar_one()
    assert row.state == "procedures.card" and row.data == {"code": "1.001193"}
    runtime.knowledge.invalidate()  # as after a restart: nothing kept in memory
    replies = await chat.say("lệ phí bao nhiêu")
    assert "Lệ phí" in replies[0].text and "khai sinh" in replies[0].text.lower()


async def test_a_failing_handler_apologises_once_and_never_blocks_the_chat(
    runtime: Runtime,
) -> None:
    broken = Router("broken")

    @broken.route(text(), "explode")
    async def explode(ctx: object, msg: Incoming) -> Reply:
        if "hỏng" in msg.text:
            raise RuntimeError("bug in a handler")
        return Reply("ổn rồi")

    runtime.processor.router = broken
    chat = ProcessorDriver(runtime, session="resident-0004")
    first = await chat.say("hỏng rồi")
    second = await chat.say("lại hỏng")
    third = await chat.say("bình thường")
    assert len(first) == 1 and "trục trặc" in first[0].text
    assert len(second) == 1 and "trục trặc" in second[0].text
    assert [r.text for r in third] == ["ổn rồi"]
    async with runtime.db.read() as session:
        rows = (await session.execute(select(InboxItem).order_by(InboxItem.id))).scalars().all()
    assert [r.status for r in rows] == ["failed", "failed", "done"]
    assert "bug in a handler" in (rows[0].error or "")


async def test_a_failure_in_a_batch_leaves_the_other_residents_answers(runtime: Runtime) -> None:
    broken = Router("broken")

    @broken.route(text(), "echo")
    async def echo(ctx: object, msg: Incoming) -> Reply:
        if msg.text == "hỏng":
            raise RuntimeError("bug in a handler")
        return Reply(f"đã nhận: {msg.text}")

    runtime.processor.router = broken
    runtime.processor.batch_seconds = 60  # the five in one batch, however slow the machine
    ids = [
        await _accept(runtime, f"resident-01{i:02d}", "hỏng" if i == 2 else f"tin {i}", "m1")
        for i in range(5)
    ]
    assert all(ids)
    replies = await runtime.processor._process_batch([(i, str(i)) for i in ids if i])
    texts = [replies[i][0].text for i in ids if i]
    assert texts[:2] == ["đã nhận: tin 0", "đã nhận: tin 1"]
    assert "trục trặc" in texts[2]
    assert texts[3:] == ["đã nhận: tin 3", "đã nhận: tin 4"]
    assert await _count(runtime, OutboxItem) == 5


async def test_a_broken_step_is_reset_after_two_failures(runtime: Runtime) -> None:
    broken = Router("broken")

    @broken.route(lambda ctx, msg: ctx.conversation.state == "stuck", "stuck")
    async def stuck(ctx: object, msg: Incoming) -> Reply:
        raise RuntimeError("cannot handle this step")

    @broken.route(text(), "enter")
    async def enter(ctx: object, msg: Incoming) -> Reply:
        from bot.context import Context

        assert isinstance(ctx, Context)
        ctx.conversation.enter("stuck", ctx.now)
        return Reply("bước tiếp")

    runtime.processor.router = broken
    chat = ProcessorDriver(runtime, session="resident-0005")
    assert (await chat.say("a"))[0].text == "bước tiếp"
    assert "trục trặc" in (await chat.say("b"))[0].text
    assert "trục trặc" in (await chat.say("c"))[0].text
    assert (await chat.say("d"))[0].text == "bước tiếp"  # the state was reset


async def test_a_poison_update_is_recorded_and_not_retried(runtime: Runtime) -> None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    inbox_id = await runtime.processor.accept(commune, webchat.NAME, "poison-1", {"nonsense": True})
    assert inbox_id is not None
    assert await runtime.processor.process(inbox_id) == []
    async with runtime.db.read() as session:
        item = await session.get(InboxItem, inbox_id)
    assert item is not None and item.status == "failed" and "parse" in (item.error or "")
    assert await runtime.processor.recover() == 0


async def test_the_resident_is_remembered_for_later_messages(runtime: Runtime) -> None:
    await ProcessorDriver(runtime, session="resident-0006").say("xin chào")
    async with runtime.db.read() as session:
        user = (await session.execute(select(ChannelUser))).scalar_one()
    assert (user.channel, user.user_id, user.chat_id) == ("web", "resident-0006", "resident-0006")


async def test_replies_stamped_by_a_clock_an_hour_ahead_are_sent_at_once(
    runtime: Runtime,
) -> None:
    sent: list[str] = []

    class Sender:
        async def send(self, commune_slug: str, chat_id: str, reply: Reply) -> None:
            sent.append(chat_id)

    runtime.processor.clock = lambda: utcnow() + timedelta(hours=1)
    inbox_id = await _accept(runtime, "resident-0009", "khai sinh", "m1")
    assert inbox_id is not None
    await runtime.processor.process(inbox_id)
    relay = outbox.Relay(runtime.db, {webchat.NAME: Sender()})  # the right time
    assert await relay.run_once() == 1
    assert sent == ["resident-0009"]
