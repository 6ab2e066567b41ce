"""getUpdates polling for local use: updates land in the same inbox as webhook ones."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.app import Runtime, build_runtime
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


@contextlib.asynccontextmanager
async def polling(
    settings: Settings, fake_bot: FakeZaloBot, update: dict[str, Any]
) -> AsyncIterator[Runtime]:
    """A runtime that polls the fake Bot API, started with nothing handling the inbox,
    once it has stored ``update``."""
    settings.zalo_bot_token = SecretStr(fake_bot.token)
    settings.zalo_bot_api_url = fake_bot.url
    settings.zalo_bot_polling = True
    fake_bot.updates.append(update)
    zalo = plugin(settings)
    assert zalo is not None
    runtime = build_runtime(settings, plugins=[zalo])
    await runtime.start(workers=False)
    try:
        for _ in range(200):
            if await count(runtime, InboxItem):
                break
            await asyncio.sleep(0.02)
        yield runtime
    finally:
        await runtime.stop()


async def test_with_polling_on_the_runtime_stores_what_it_polls(
    settings: Settings, fake_bot: FakeZaloBot
) -> None:
    async with polling(settings, fake_bot, fixture("bot", "start.json")) as runtime:
        assert await count(runtime, InboxItem, InboxItem.channel == "zalo_bot") == 1
        assert [c.method for c in fake_bot.calls][:1] == ["deleteWebhook"]


async def test_a_polled_update_still_unanswered_a_second_later_shows_typing(
    settings: Settings, fake_bot: FakeZaloBot
) -> None:
    update = fixture("bot", "text.json")
    chat = update["message"]["chat"]["id"]
    # Nothing handles the inbox: the workers are "busy".
    async with polling(settings, fake_bot, update) as runtime:
        typing = typing_of(runtime)
        typing.clock = lambda: time.monotonic() + typing.show_after  # a second has passed
        for _ in range(100):
            if fake_bot.sent(chat, ("sendChatAction",)):
                break
            await asyncio.sleep(0.02)
        [action] = fake_bot.sent(chat, ("sendChatAction",))
        assert action.body == {"chat_id": chat, "action": "typing"}


def test_the_plugins_are_off_without_configuration(settings: Settings) -> None:
    assert plugin(settings) is None and oa_plugin(settings) is None
