"""A runtime with both Zalo adapters pointed at fake Zalo servers on loopback.

Staff work in a Telegram staff group, as a commune on Zalo would have them; this
runtime has no Telegram adapter, so what the bot posts there waits in the outbox, where
the staff driver (tests/complaints/drivers.StaffDriver) reads it.
"""

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
from tests.channels.features import feature_plugins
from tests.channels.zalo.drivers import ZaloBotDriver, ZaloOADriver
from tests.fakes.zalo_api import FakeZaloBot, FakeZaloOA

BOT_SECRET = "zalo-bot-webhook-secret-123"
OA_SECRET_KEY = "oa-secret-key-for-signatures"
STAFF_GROUP = "-100777"
STAFF_USER = "501"


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
    settings.staff_telegram_chat = STAFF_GROUP
    settings.staff_telegram_users = STAFF_USER
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


ZaloApp = tuple[Runtime, TestClient[Any, Any]]
StartZalo = Callable[[], Awaitable[ZaloApp]]


@pytest.fixture
async def start_zalo(
    zalo_settings: Settings,
    aiohttp_client: Callable[[Any], Awaitable[TestClient[Any, Any]]],
) -> AsyncIterator[StartZalo]:
    """Start a runtime with both adapters and the features, and a client for its webhooks.

    Starting another after stopping the first is a restart: same database, same data
    directory.
    """
    started: list[Runtime] = []

    async def start() -> ZaloApp:
        plugins = zalo_plugins(zalo_settings) + feature_plugins(zalo_settings)
        runtime = build_runtime(zalo_settings, plugins=plugins)
        await runtime.start(workers=False)
        started.append(runtime)
        return runtime, await aiohttp_client(create_app(runtime, manage_runtime=False))

    yield start
    for runtime in reversed(started):
        await runtime.stop()


# Two residents on each adapter (Zalo Bot ids are hex strings, OA ids long numbers).
RESIDENTS = {
    "zalo_bot": ("a9f3c27e51d04b88b6e1", "b71c0e94d2a35f6807ce"),
    "zalo_oa": ("8309393969855402319", "8309393969855409876"),
}
ZaloResident = Callable[..., ZaloBotDriver | ZaloOADriver]


@pytest.fixture(params=sorted(RESIDENTS))
def resident(
    request: pytest.FixtureRequest, fake_bot: FakeZaloBot, fake_oa: FakeZaloOA
) -> ZaloResident:
    """``resident(app, n=0)``: the n-th resident, on the adapter the test runs with
    (the test runs once per adapter)."""
    adapter: str = request.param
    user_ids = RESIDENTS[adapter]

    def on(app: ZaloApp, n: int = 0) -> ZaloBotDriver | ZaloOADriver:
        runtime, client = app
        if adapter == "zalo_bot":
            return ZaloBotDriver(runtime, client, fake_bot, BOT_SECRET, user_ids[n])
        return ZaloOADriver(runtime, client, fake_oa, OA_SECRET_KEY, user_ids[n])

    return on
