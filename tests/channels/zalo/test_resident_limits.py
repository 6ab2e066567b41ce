"""A resident flooding a Zalo webhook: every update answered 200 and on record, the
first few handled, one polite "too fast", the rest held without an answer.

The limit here is 3 messages in 30 s (``resident_rate_limit``); production's is 20.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import Runtime
from bot.config import Settings
from bot.db.models import InboxItem, OutboxItem
from bot.throttle import TOO_FAST
from tests.channels.zalo.conftest import BOT_SECRET, OA_SECRET_KEY
from tests.channels.zalo.helpers import drain, fixture
from tests.channels.zalo.test_oa_webhook import signed

pytestmark = pytest.mark.db


@pytest.fixture
def zalo_settings(zalo_settings: Settings) -> Settings:
    zalo_settings.resident_rate_limit = 3
    return zalo_settings


def zalo_bot_message(
    n: int, user: str = "a9f3c27e51d04b88b6e1"
) -> tuple[str, bytes, dict[str, str]]:
    update = fixture("bot", "text.json")
    message = update["message"]
    message.update(message_id=f"m{n}", chat={**message["chat"], "id": user})
    message["from"] = {**message["from"], "id": user}
    body = json.dumps(update).encode()
    return "/webhook/zalo-bot/default", body, {"X-Bot-Api-Secret-Token": BOT_SECRET}


def zalo_oa_message(n: int, user: str = "8309393969855402319") -> tuple[str, bytes, dict[str, str]]:
    event = fixture("oa", "user_send_text.json")
    event["message"] = {**event["message"], "msg_id": f"m{n}"}
    event["sender"] = {"id": user}
    body = json.dumps(event).encode()
    return "/webhook/zalo-oa/default", body, signed(body, OA_SECRET_KEY)


MESSAGES = {"zalo_bot": zalo_bot_message, "zalo_oa": zalo_oa_message}


async def _rows(runtime: Runtime) -> tuple[list[str], list[str]]:
    async with runtime.db.read() as session:
        statuses = list(
            (await session.execute(select(InboxItem.status).order_by(InboxItem.id))).scalars()
        )
        replies = [r["text"] for r in (await session.execute(select(OutboxItem.reply))).scalars()]
    return statuses, replies


@pytest.mark.parametrize("adapter", sorted(MESSAGES))
async def test_a_flood_is_recorded_answered_once_and_not_processed(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], adapter: str
) -> None:
    for n in range(8):
        url, body, headers = MESSAGES[adapter](n)
        assert (await zalo_client.post(url, data=body, headers=headers)).status == 200
    url, body, headers = MESSAGES[adapter](99, "2000000000000000001")  # someone else
    assert (await zalo_client.post(url, data=body, headers=headers)).status == 200
    await drain(zalo_runtime)
    statuses, replies = await _rows(zalo_runtime)
    assert statuses == ["done"] * 3 + ["throttled"] * 5 + ["done"]  # nothing lost
    assert replies.count(TOO_FAST) == 1
    assert len(replies) == 5  # three answers, one "too fast", the other resident's answer


@pytest.mark.parametrize("adapter", sorted(MESSAGES))
async def test_zalo_retrying_a_message_does_not_use_up_the_limit(
    zalo_runtime: Runtime,
    zalo_client: TestClient[Any, Any],
    adapter: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Zalo delivers a message again when the answer was late, and keeps delivering it
    # while the database cannot store it: one message each time, counted once.
    url, body, headers = MESSAGES[adapter](1)
    for _ in range(4):
        assert (await zalo_client.post(url, data=body, headers=headers)).status == 200
    original = zalo_runtime.processor.accept

    async def database_down(*args: object, **kwargs: object) -> int | None:
        raise ConnectionRefusedError("the database is restarting")

    monkeypatch.setattr(zalo_runtime.processor, "accept", database_down)
    url, body, headers = MESSAGES[adapter](2)
    for _ in range(4):
        assert (await zalo_client.post(url, data=body, headers=headers)).status == 503
    monkeypatch.setattr(zalo_runtime.processor, "accept", original)
    for n in (2, 3):
        url, body, headers = MESSAGES[adapter](n)
        assert (await zalo_client.post(url, data=body, headers=headers)).status == 200
    await drain(zalo_runtime)
    statuses, replies = await _rows(zalo_runtime)
    assert statuses == ["done"] * 3  # the limit is 3: none held
    assert TOO_FAST not in replies
