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
from bot.channels.telegram.ratelimit import FloodLimits
from bot.config import Settings
from bot.plugins import Plugin
from bot.web import create_app
from tests.channels.features import feature_plugins
from tests.fakes.telegram_api import FakeBotApi, RateRules

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


def _private_message(update_id: int, user: int, **fields: Any) -> dict[str, Any]:
    message = update("text")["message"]
    message = {
        **{k: v for k, v in message.items() if k != "text"},
        "message_id": update_id,
        "from": {**message["from"], "id": user},
        "chat": {**message["chat"], "id": user},
        **fields,
    }
    return {"update_id": update_id, "message": message}


def _command_entities(text: str) -> dict[str, Any]:
    """A command comes with its ``bot_command`` entity, as Telegram sends it."""
    if not text.startswith("/"):
        return {}
    return {"entities": [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]}


def text_update(update_id: int, text: str, user: int = 5123456789) -> dict[str, Any]:
    return _private_message(update_id, user, text=text, **_command_entities(text))


def photo_update(
    update_id: int, file_id: str, caption: str = "", user: int = 5123456789
) -> dict[str, Any]:
    """A photo in the three sizes Telegram sends; ``file_id`` is the largest one's."""
    captured = update("photo")["message"]["photo"]  # smallest first
    sizes = [{**size, "file_id": f"{file_id}-{size['width']}px"} for size in captured[:-1]]
    sizes.append({**captured[-1], "file_id": file_id})
    return _private_message(
        update_id, user, photo=sizes, **({"caption": caption} if caption else {})
    )


def location_update(
    update_id: int, latitude: float, longitude: float, user: int = 5123456789
) -> dict[str, Any]:
    return _private_message(
        update_id, user, location={"latitude": latitude, "longitude": longitude}
    )


def group_update(
    update_id: int, text: str, user: int, group: int, reply_to: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A staff member writing in the staff group, maybe replying to one of the bot's messages."""
    message = update("group_staff_reply")["message"]
    message = {
        **{k: v for k, v in message.items() if k != "reply_to_message"},
        "message_id": update_id,
        "text": text,
        "from": {**message["from"], "id": user},
        "chat": {**message["chat"], "id": group},
        **_command_entities(text),
    }
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return {"update_id": update_id, "message": message}


def button_update(
    update_id: int, data: str, user: int = 5123456789, chat: int | None = None
) -> dict[str, Any]:
    """A button pressed in a private chat, or in a group when ``chat`` is the group."""
    query = update("callback_query")["callback_query"]
    if chat is None:
        message = {**query["message"], "chat": {**query["message"]["chat"], "id": user}}
    else:
        message = update("group_staff_button")["callback_query"]["message"]
        message = {**message, "chat": {**message["chat"], "id": chat}}
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
    """Start a runtime with the Telegram plugin (options go to ``TelegramPlugin``);
    ``features=True`` adds the feature plugins production runs beside it."""
    started: list[tuple[Runtime, TestServer]] = []

    async def start(*, workers: bool = True, features: bool = False, **options: Any) -> Runtime:
        plugins: list[Plugin] = [TelegramPlugin(telegram_settings, **options)]
        if features:
            plugins += feature_plugins(telegram_settings)
        runtime = build_runtime(telegram_settings, plugins=plugins)
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


# Dialogue tests check what is said, not the pace (test_ratelimit and test_sender do):
# the sender's flood limits and the fake's referee both run twenty times faster than
# Telegram's one message per second and chat, so a long dialogue takes a second, not ten.
DIALOGUE_PACE = 0.05


@pytest.fixture
def start_dialogue_runtime(start_runtime: RuntimeFactory, fake_api: FakeBotApi) -> RuntimeFactory:
    """Start a runtime (features included) that the fake delivers updates to.

    Starting another after stopping the first is a restart: same database, same data
    directory, the webhook pointed at the new one.
    """
    fake_api.referee.rules = RateRules(chat_interval=DIALOGUE_PACE)

    async def start() -> Runtime:
        runtime = await start_runtime(
            workers=False,
            features=True,
            introduce=False,
            limits=FloodLimits(chat_interval=DIALOGUE_PACE),
        )
        state = fake_api.webhook(TOKEN)
        state.url = f"{runtime.settings.public_url}/webhook/telegram/default"
        state.secret_token = SECRET
        return runtime

    return start


@pytest.fixture
async def runtime_for_dialogues(start_dialogue_runtime: RuntimeFactory) -> Runtime:
    return await start_dialogue_runtime()
