"""A resident flooding the Telegram webhook: every update answered 200 and on record,
the first few handled, one polite "too fast", the rest held without an answer.

The limit here is 3 messages in 30 s (configured: ``resident_rate_limit``) so the flood
is short; production's default is 20.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.app import Runtime
from bot.channels.telegram.ratelimit import FloodLimits
from bot.config import Settings
from bot.db.models import InboxItem, OutboxItem
from bot.throttle import TOO_FAST
from tests.channels.telegram.conftest import (
    DIALOGUE_PACE,
    RESIDENT,
    STAFF_USER,
    TOKEN,
    RuntimeFactory,
    button_update,
    group_update,
    text_update,
)
from tests.fakes.telegram_api import FakeBotApi, RateRules

pytestmark = pytest.mark.db

STAFF_GROUP_ID = -1001987654321


@pytest.fixture
def telegram_settings(telegram_settings: Settings) -> Settings:
    telegram_settings.resident_rate_limit = 3
    return telegram_settings


@pytest.fixture
async def runtime(start_runtime: RuntimeFactory, fake_api: FakeBotApi) -> Runtime:
    fake_api.referee.rules = RateRules(chat_interval=DIALOGUE_PACE)  # the pace is not tested here
    runtime = await start_runtime(introduce=False, limits=FloodLimits(chat_interval=DIALOGUE_PACE))
    state = fake_api.webhook(TOKEN)
    state.url = f"{runtime.settings.public_url}/webhook/telegram/default"
    state.secret_token = "webhook-secret_for-tests-0123456789"
    return runtime


async def _statuses(runtime: Runtime) -> list[str]:
    async with runtime.db.read() as session:
        rows = await session.execute(select(InboxItem.status).order_by(InboxItem.id))
        return list(rows.scalars())


async def _settle(runtime: Runtime) -> None:
    for _ in range(200):
        async with runtime.db.read() as session:
            busy = await session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.status.in_(("pending", "sending")))
            )
            pending = await session.scalar(
                select(func.count()).select_from(InboxItem).where(InboxItem.status == "pending")
            )
        if not busy and not pending:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the pipeline did not settle")


async def test_a_flood_is_recorded_answered_once_and_not_processed(
    runtime: Runtime, fake_api: FakeBotApi
) -> None:
    for n in range(1, 9):
        status, _ = await fake_api.deliver(TOKEN, text_update(n, f"khai sinh {n}"))
        assert status == 200  # never a retry from Telegram
    await _settle(runtime)
    assert await _statuses(runtime) == ["done"] * 3 + ["throttled"] * 5  # nothing lost
    texts = [m.text for m in fake_api.messages_to(RESIDENT)]
    assert texts.count(TOO_FAST) == 1
    assert len(texts) == 4  # three answers and one "too fast"


async def test_another_resident_and_the_staff_group_are_not_slowed_down(
    runtime: Runtime, fake_api: FakeBotApi
) -> None:
    for n in range(1, 6):
        await fake_api.deliver(TOKEN, text_update(n, "khai sinh"))
    status, _ = await fake_api.deliver(TOKEN, text_update(10, "khai sinh", user=5999999999))
    assert status == 200
    for n in range(20, 26):
        await fake_api.deliver(TOKEN, group_update(n, "/viec", int(STAFF_USER), STAFF_GROUP_ID))
    await _settle(runtime)
    statuses = await _statuses(runtime)
    assert statuses.count("throttled") == 2  # only the first resident's 4th and 5th
    assert [m.text for m in fake_api.messages_to("5999999999")] != [TOO_FAST]


async def test_a_button_pressed_over_the_limit_still_stops_the_spinner(
    runtime: Runtime, fake_api: FakeBotApi
) -> None:
    for n in range(1, 4):
        await fake_api.deliver(TOKEN, text_update(n, "khai sinh"))
    status, body = await fake_api.deliver(TOKEN, button_update(4, "m:info"))
    assert status == 200
    assert body == {"method": "answerCallbackQuery", "callback_query_id": "cb4"}
    await _settle(runtime)
    assert (await _statuses(runtime))[-1] == "throttled"


async def test_telegram_retrying_a_message_does_not_use_up_the_limit(
    runtime: Runtime, fake_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram delivers a message again when the answer was lost, and keeps delivering
    # it while the database cannot store it: one message each time, counted once.
    for _ in range(4):
        assert (await fake_api.deliver(TOKEN, text_update(1, "khai sinh")))[0] == 200
    original = runtime.processor.accept

    async def database_down(*args: object, **kwargs: object) -> int | None:
        raise ConnectionRefusedError("the database is restarting")

    monkeypatch.setattr(runtime.processor, "accept", database_down)
    for _ in range(4):
        assert (await fake_api.deliver(TOKEN, text_update(2, "ket hon")))[0] == 503
    monkeypatch.setattr(runtime.processor, "accept", original)
    for n in (2, 3):
        assert (await fake_api.deliver(TOKEN, text_update(n, "khai tu")))[0] == 200
    await _settle(runtime)
    assert await _statuses(runtime) == ["done"] * 3  # the limit is 3: none held
    assert TOO_FAST not in [m.text for m in fake_api.messages_to(RESIDENT)]


async def test_the_limit_is_configured_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOTCUA_RESIDENT_RATE_LIMIT", "5")
    monkeypatch.setenv("MOTCUA_RESIDENT_RATE_WINDOW_SECONDS", "60")
    settings = Settings()
    assert (settings.resident_rate_limit, settings.resident_rate_window_seconds) == (5, 60.0)
