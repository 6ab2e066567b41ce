"""A runtime with both Zalo adapters pointed at fake Zalo servers on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from bot.app import Runtime, build_runtime
from bot.channels.zalo_bot.plugin import plugin as zalo_bot_plugin
from bot.channels.zalo_oa.plugin import plugin as zalo_oa_plugin
from bot.config import Settings
from bot.plugins import Plugin
from bot.web import create_app
from tests.fakes.zalo_api import FakeZaloBot, FakeZaloOA

BOT_SECRET = "zalo-bot-webhook-secret-123"
OA_SECRET_KEY = "oa-secret-key-for-signatures"


@pytest.fixture
async def fake_bot() -> AsyncIterator[FakeZaloBot]:
    server = FakeZaloBot()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def fake_oa() -> AsyncIterator[FakeZaloOA]:
    server = FakeZaloOA()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def zalo_settings(settings: Settings, fake_bot: FakeZaloBot, fake_oa: FakeZaloOA) -> Settings:
    settings.zalo_bot_token = SecretStr(fake_bot.token)
    settings.zalo_bot_secret = SecretStr(BOT_SECRET)
    settings.zalo_bot_api_url = fake_bot.url
    settings.zalo_oa_id = fake_oa.oa_id
    settings.zalo_oa_app_id = fake_oa.app_id
    settings.zalo_oa_secret_key = SecretStr(OA_SECRET_KEY)
    settings.zalo_oa_app_secret = SecretStr(fake_oa.app_secret)
    settings.zalo_oa_refresh_token = SecretStr(fake_oa.grant())
    settings.zalo_oa_api_url = fake_oa.url
    settings.zalo_oa_oauth_url = fake_oa.url
    settings.staff_telegram_chat = "-100777"
    return settings


def zalo_plugins(settings: Settings) -> list[Plugin]:
    plugins = [zalo_bot_plugin(settings), zalo_oa_plugin(settings)]
    return [p for p in plugins if p is not None]


@pytest.fixture
async def zalo_runtime(zalo_settings: Settings) -> AsyncIterator[Runtime]:
    runtime = build_runtime(zalo_settings, plugins=zalo_plugins(zalo_settings))
    await runtime.start(workers=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


@pytest.fixture
async def zalo_client(
    zalo_runtime: Runtime,
    aiohttp_client: Callable[[Any], Awaitable[TestClient[Any, Any]]],
) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(zalo_runtime, manage_runtime=False))
