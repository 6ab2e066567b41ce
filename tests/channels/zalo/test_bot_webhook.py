"""The Zalo Bot webhook: secret checked first, update stored, 200, processed after."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import Runtime
from bot.channels.zalo_bot.typing import MAX_SHOWN, TypingIndicator
from bot.db.models import InboxItem, OutboxItem
from handlers import texts
from tests.channels.zalo.conftest import BOT_SECRET
from tests.channels.zalo.helpers import count, drain, fixture, raw_fixture, typing_of
from tests.fakes.zalo_api import FakeZaloBot

URL = "/webhook/zalo-bot/default"
HEADER = "X-Bot-Api-Secret-Token"
USER = "a9f3c27e51d04b88b6e1"
FIXTURES = [
    "text.json",
    "text_wrapped.json",
    "start.json",
    "image.json",
    "sticker.json",
    "unsupported.json",
]


async def test_an_update_is_stored_acknowledged_and_answered_after(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_bot: FakeZaloBot
) -> None:
    response = await zalo_client.post(
        URL, data=raw_fixture("bot", "start.json"), headers={HEADER: BOT_SECRET}
    )
    assert response.status == 200
    # Acknowledged once stored: nothing was processed or sent yet.
    assert await count(zalo_runtime, InboxItem, InboxItem.status == "pending") == 1
    assert await count(zalo_runtime, OutboxItem) == 0
    assert fake_bot.texts(USER) == []
    await drain(zalo_runtime)
    [welcome] = fake_bot.texts(USER)
    assert welcome.startswith("Xin chào!") and "1. Hỏi về thủ tục" in welcome


@pytest.mark.parametrize(
    "secret", [None, "", "wrong-secret-value", BOT_SECRET + "x", BOT_SECRET[:-1]]
)
async def test_a_wrong_or_missing_secret_gets_401_and_nothing_is_stored(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], secret: str | None
) -> None:
    headers = {} if secret is None else {HEADER: secret}
    response = await zalo_client.post(URL, data=raw_fixture("bot", "text.json"), headers=headers)
    assert response.status == 401
    assert await count(zalo_runtime, InboxItem) == 0


async def test_an_unknown_commune_is_not_found(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any]
) -> None:
    other = await zalo_client.post(
        "/webhook/zalo-bot/nowhere",
        data=raw_fixture("bot", "text.json"),
        headers={HEADER: BOT_SECRET},
    )
    assert other.status == 404
    assert await count(zalo_runtime, InboxItem) == 0


async def test_a_body_that_is_not_an_update_is_acknowledged_and_recorded_as_failed(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_bot: FakeZaloBot
) -> None:
    # Zalo redelivers a non-2xx answer and finally disables the webhook.
    for body in (b"not json", b"[]", b'{"ok": true}', b"not json"):
        response = await zalo_client.post(URL, data=body, headers={HEADER: BOT_SECRET})
        assert response.status == 200
    assert await count(zalo_runtime, InboxItem) == 3  # the repeated body was recognised
    await drain(zalo_runtime)
    assert await count(zalo_runtime, InboxItem, InboxItem.status == "failed") == 3
    assert await count(zalo_runtime, InboxItem, InboxItem.error.like("parse:%")) == 3
    assert fake_bot.texts(USER) == []


@pytest.mark.parametrize("name", FIXTURES)
async def test_every_captured_update_is_accepted_once_and_answered(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_bot: FakeZaloBot, name: str
) -> None:
    for _ in range(2):  # Zalo retries deliveries: the second is a no-op
        response = await zalo_client.post(
            URL, data=raw_fixture("bot", name), headers={HEADER: BOT_SECRET}
        )
        assert response.status == 200
    assert await count(zalo_runtime, InboxItem) == 1
    await drain(zalo_runtime)
    assert await count(zalo_runtime, InboxItem, InboxItem.status == "done") == 1
    assert len(fake_bot.texts(USER)) >= 1


async def test_a_sticker_gets_a_plain_answer_instead_of_silence(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_bot: FakeZaloBot
) -> None:
    await zalo_client.post(
        URL, data=raw_fixture("bot", "sticker.json"), headers={HEADER: BOT_SECRET}
    )
    await drain(zalo_runtime)
    [answer] = fake_bot.texts(USER)
    assert answer.startswith(texts.UNSUPPORTED_MEDIA)


def text_update(message_id: str, text: str = "lam giay khai sinh can gi") -> dict[str, Any]:
    update = fixture("bot", "text.json")
    update["message"].update(message_id=message_id, text=text)
    return update


async def test_a_slow_answer_shows_typing_once_and_a_quick_one_none(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_bot: FakeZaloBot
) -> None:
    typing = typing_of(zalo_runtime)
    now = [1000.0]
    typing.clock = lambda: now[0]
    typing_shown = ("sendChatAction",)

    # Answered within the second: "typing..." would only have cost an API call.
    await zalo_client.post(URL, json=text_update("m-quick"), headers={HEADER: BOT_SECRET})
    await drain(zalo_runtime)
    now[0] += typing.show_after
    await typing.check()
    assert len(fake_bot.texts(USER)) == 1
    assert fake_bot.sent(USER, typing_shown) == []

    # Two messages still waiting a second later (busy workers): shown once for the chat.
    for message_id in ("m-slow-1", "m-slow-2"):
        await zalo_client.post(URL, json=text_update(message_id), headers={HEADER: BOT_SECRET})
    now[0] += typing.show_after / 2
    await typing.check()
    assert fake_bot.sent(USER, typing_shown) == []  # not yet slow
    now[0] += typing.show_after / 2
    await typing.check()
    [action] = fake_bot.sent(USER, typing_shown)
    assert action.body == {"chat_id": USER, "action": "typing"}
    now[0] += typing.show_after
    await typing.check()
    assert len(fake_bot.sent(USER, typing_shown)) == 1  # not repeated
    await drain(zalo_runtime)
    assert len(fake_bot.texts(USER)) == 3


async def inbox_id_of(runtime: Runtime, message_id: str) -> int:
    async with runtime.db.read() as session:
        found = await session.execute(
            select(InboxItem.id).where(InboxItem.update_key.endswith(":" + message_id))
        )
        return int(found.scalar_one())


async def test_in_a_flood_typing_goes_to_the_longest_waiting_chats_only(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any]
) -> None:
    # An indicator per chat costs as much as the answer it announces.
    shown: list[str] = []

    async def show(slug: str, chat_id: str) -> None:
        shown.append(chat_id)

    now = [0.0]
    typing = TypingIndicator(zalo_runtime.db, show, clock=lambda: now[0])
    for n in range(MAX_SHOWN + 10):
        update = text_update(f"flood-{n}")
        update["message"]["chat"]["id"] = update["message"]["from"]["id"] = f"resident-{n:03}"
        await zalo_client.post(URL, json=update, headers={HEADER: BOT_SECRET})
        typing.watch(await inbox_id_of(zalo_runtime, f"flood-{n}"), "default", f"resident-{n:03}")
        now[0] += 0.001
    now[0] += typing.show_after
    await typing.check()
    assert shown == [f"resident-{n:03}" for n in range(MAX_SHOWN)]
    await typing.check()
    assert len(shown) == MAX_SHOWN  # the others are not shown late
