"""A runtime with the Telegram plugin, a real aiohttp server and the fake Bot API.

The fake fails any test whose calls break the Bot API tables or the flood limits: the
``fake_api`` fixture asserts there were no violations when the test ends.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.app import Runtime, build_runtime
from bot.channels.telegram.plugin import TelegramPlugin
from bot.config import Settings
from bot.web import create_app
from tests.fakes.telegram_api import FakeBotApi

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "telegram" / "updates"
TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "webhook-secret_for-tests-0123456789"
STAFF_GROUP = "-1001987654321"
STAFF_USER = "6200000001"
RESIDENT = "5123456789"


def update(name: str, **changes: Any) -> dict[str, Any]:
    """A captured-shape update from tests/fixtures/telegram/updates/<name>.json."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def text_update(update_id: int, text: str, user: int = 5123456789) -> dict[str, Any]:
    message = update("text")["message"]
    message = {
        **message,
        "message_id": update_id,
        "text": text,
        "from": {**message["from"], "id": user},
        "chat": {**message["chat"], "id": user},
    }
    return {"update_id": update_id, "message": message}


def button_update(update_id: int, data: str, user: int = 5123456789) -> dict[str, Any]:
    query = update("callback_query")["callback_query"]
    message = {**query["message"], "chat": {**query["message"]["chat"], "id": user}}
    return {
        "update_id": update_id,
        "callback_query": {
            **query,
            "id": f"cb{update_id}",
            "data": data,
            "from": {**query["from"], "id": user},
            "message": message,
        },
    }


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api
        assert api.violations == [], "the bot broke the Bot API contract or flood limits"


@pytest.fixture
def telegram_settings(settings: Settings, fake_api: FakeBotApi) -> Settings:
    settings.telegram_token = SecretStr(TOKEN)
    settings.telegram_secret = SecretStr(SECRET)
    settings.telegram_api_url = fake_api.url
    settings.telegram_bot_username = "motcua_anbinh_bot"  # as in the captured updates
    settings.staff_telegram_chat = STAFF_GROUP
    settings.staff_telegram_users = f"{STAFF_USER},6200000002"
    return settings


RuntimeFactory = Callable[..., Awaitable[Runtime]]


@pytest.fixture
async def start_runtime(
    telegram_settings: Settings,
) -> AsyncIterator[RuntimeFactory]:
    """Start a runtime with the Telegram plugin (options go to ``TelegramPlugin``)."""
    started: list[tuple[Runtime, TestServer]] = []

    async def start(*, workers: bool = True, **options: Any) -> Runtime:
        plugin = TelegramPlugin(telegram_settings, **options)
        runtime = build_runtime(telegram_settings, plugins=[plugin])
        server = TestServer(create_app(runtime, manage_runtime=False))
        await runtime.start(workers=workers)
        await server.start_server()
        runtime.settings.public_url = str(server.make_url("")).rstrip("/")
        started.append((runtime, server))
        return runtime

    yield start
    for runtime, server in reversed(started):
        await server.close()
        await runtime.stop()


@pytest.fixture
async def runtime_with_webhook(start_runtime: RuntimeFactory, fake_api: FakeBotApi) -> Runtime:
    """Running with workers, and the fake told where our webhook is (as set-webhook does)."""
    runtime = await start_runtime()
    state = fake_api.webhook(TOKEN)
    state.url = f"{runtime.settings.public_url}/webhook/telegram/default"
    state.secret_token = SECRET
    return runtime
