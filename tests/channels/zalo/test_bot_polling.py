"""getUpdates polling for local use: updates land in the same inbox as webhook ones."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.app import build_runtime
from bot.channels.zalo_bot.api import ZaloBotApi
from bot.channels.zalo_bot.plugin import plugin
from bot.channels.zalo_bot.polling import Poller
from bot.channels.zalo_oa.plugin import plugin as oa_plugin
from bot.config import Settings
from bot.db.models import InboxItem
from tests.channels.zalo.helpers import count, fixture, typing_of
from tests.fakes.zalo_api import FakeZaloBot


async def test_each_poll_delivers_the_update_in_either_shape(fake_bot: FakeZaloBot) -> None:
    fake_bot.updates.extend([fixture("bot", "text.json"), fixture("bot", "text_wrapped.json")])
    delivered: list[dict[str, Any]] = []

    async def deliver(update: dict[str, Any]) -> None:
        delivered.append(update)

    async with aiohttp.ClientSession() as session:
        poller = Poller(ZaloBotApi(session, fake_bot.url, fake_bot.token), deliver, timeout=1)
        assert [await poller.poll_once() for _ in range(3)] == [1, 1, 0]  # then 408: nothing new
    assert [u["message"]["text"] for u in delivered] == [
        "lam giay khai sinh can gi",
        "phí đăng ký kết hôn",
    ]
    assert all(c.body == {"timeout": "1"} for c in fake_bot.calls if c.method == "getUpdates")


async def test_with_polling_on_the_runtime_stores_what_it_polls(
    settings: Settings, fake_bot: FakeZaloBot
) -> None:
    settings.zalo_bot_token = SecretStr(fake_bot.token)
    settings.zalo_bot_api_url = fake_bot.url
    settings.zalo_bot_polling = True
    fake_bot.updates.append(fixture("bot", "start.json"))
    zalo = plugin(settings)
    assert zalo is not None
    runtime = build_runtime(settings, plugins=[zalo])
    await runtime.start(workers=False)
    try:
        for _ in range(200):
            if await count(runtime, InboxItem):
                break
            await asyncio.sleep(0.02)
        assert await count(runtime, InboxItem, InboxItem.channel == "zalo_bot") == 1
        assert [c.method for c in fake_bot.calls][:1] == ["deleteWebhook"]
    finally:
        await runtime.stop()


async def test_a_polled_update_still_unanswered_a_second_later_shows_typing(
    settings: Settings, fake_bot: FakeZaloBot
) -> None:
    settings.zalo_bot_token = SecretStr(fake_bot.token)
    settings.zalo_bot_api_url = fake_bot.url
    settings.zalo_bot_polling = True
    update = fixture("bot", "text.json")
    chat = update["message"]["chat"]["id"]
    fake_bot.updates.append(update)
    zalo = plugin(settings)
    assert zalo is not None
    runtime = build_runtime(settings, plugins=[zalo])
    await runtime.start(workers=False)  # nothing answers: the workers are "busy"
    try:
        for _ in range(200):
            if await count(runtime, InboxItem):
                break
            await asyncio.sleep(0.02)
        typing = typing_of(runtime)
        typing.clock = lambda: time.monotonic() + typing.show_after  # a second has passed
        for _ in range(100):
            if fake_bot.sent(chat, ("sendChatAction",)):
                break
            await asyncio.sleep(0.02)
        [action] = fake_bot.sent(chat, ("sendChatAction",))
        assert action.body == {"chat_id": chat, "action": "typing"}
    finally:
        await runtime.stop()


def test_the_plugins_are_off_without_configuration(settings: Settings) -> None:
    assert plugin(settings) is None and oa_plugin(settings) is None
