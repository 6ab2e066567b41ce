"""The Zalo OA webhook: signature on the raw bytes, then store, 200, process after."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import Runtime
from bot.channels.zalo_oa.signature import signature
from bot.db.models import InboxItem, OutboxItem
from handlers import texts
from tests.channels.zalo.conftest import OA_SECRET_KEY
from tests.channels.zalo.helpers import count, drain, fixture, raw_fixture
from tests.fakes.zalo_api import FakeZaloOA

URL = "/webhook/zalo-oa/default"
USER = "8309393969855402319"
EVENTS = [
    "user_send_text.json",
    "button_tap.json",
    "user_send_image.json",
    "user_send_location.json",
    "user_send_sticker.json",
    "follow.json",
    "unfollow.json",
    "oa_send_text.json",
]


def signed(
    raw: bytes, secret: str = OA_SECRET_KEY, app_id: str = "3512345678901234567"
) -> dict[str, str]:
    timestamp = fixture_timestamp(raw)
    return {
        "X-ZEvent-Signature": f"mac={signature(app_id, raw, timestamp, secret)}",
        "Content-Type": "application/json",
    }


def fixture_timestamp(raw: bytes) -> str:
    return str(json.loads(raw)["timestamp"])


@pytest.mark.parametrize("name", EVENTS)
async def test_every_captured_event_with_a_good_signature_is_stored_once(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], name: str
) -> None:
    raw = raw_fixture("oa", name)
    for _ in range(2):  # a retried delivery changes nothing
        response = await zalo_client.post(URL, data=raw, headers=signed(raw))
        assert response.status == 200
    assert await count(zalo_runtime, InboxItem) == 1
    await drain(zalo_runtime)
    assert await count(zalo_runtime, InboxItem, InboxItem.status == "done") == 1


@pytest.mark.parametrize("name", EVENTS)
async def test_a_bad_signature_gets_401_and_nothing_is_stored(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], name: str
) -> None:
    raw = raw_fixture("oa", name)
    attempts = [
        {},  # no header
        signed(raw, secret="not-the-oa-secret"),
        signed(raw, app_id="1111111111111111111"),
        {"X-ZEvent-Signature": "mac=" + "0" * 64},
    ]
    for headers in attempts:
        response = await zalo_client.post(URL, data=raw, headers=headers)
        assert response.status == 401
    tampered = raw.replace(b"8309393969855402319", b"8309393969855402318")
    response = await zalo_client.post(URL, data=tampered, headers=signed(raw))
    assert response.status == 401
    assert await count(zalo_runtime, InboxItem) == 0


async def test_the_event_is_acknowledged_before_it_is_processed(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_oa: FakeZaloOA
) -> None:
    raw = raw_fixture("oa", "follow.json")
    response = await zalo_client.post(URL, data=raw, headers=signed(raw))
    assert response.status == 200
    assert await count(zalo_runtime, InboxItem, InboxItem.status == "pending") == 1
    assert await count(zalo_runtime, OutboxItem) == 0 and fake_oa.messages == []
    await drain(zalo_runtime)
    [welcome] = fake_oa.to(USER)
    assert welcome.text.startswith("Xin chào!")
    assert [b["title"] for b in welcome.buttons][:2] == [
        "Hỏi về thủ tục",
        "Xem thủ tục theo lĩnh vực",
    ]


async def test_a_photo_or_a_location_gets_an_answer(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_oa: FakeZaloOA
) -> None:
    for name in ("user_send_image.json", "user_send_location.json"):
        raw = raw_fixture("oa", name)
        await zalo_client.post(URL, data=raw, headers=signed(raw))
    await drain(zalo_runtime)
    answers = [m.text for m in fake_oa.to(USER)]
    assert answers == [texts.UNSUPPORTED_MEDIA, texts.UNSUPPORTED_MEDIA]


async def test_events_for_another_oa_of_the_app_are_ignored(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any]
) -> None:
    event = fixture("oa", "user_send_text.json")
    event["recipient"]["id"] = "9999999999999999999"
    raw = json.dumps(event).encode()
    response = await zalo_client.post(URL, data=raw, headers=signed(raw))
    assert response.status == 200
    assert await count(zalo_runtime, InboxItem) == 0


async def test_an_unknown_commune_is_not_found(zalo_client: TestClient[Any, Any]) -> None:
    raw = raw_fixture("oa", "user_send_text.json")
    response = await zalo_client.post("/webhook/zalo-oa/nowhere", data=raw, headers=signed(raw))
    assert response.status == 404


async def test_the_authorization_page_shows_the_code_to_paste(
    zalo_client: TestClient[Any, Any],
) -> None:
    response = await zalo_client.get("/zalo-oa/authorized?code=abc%3Cdef&state=s&oa_id=1")
    body = await response.text()
    assert response.status == 200 and "abc&lt;def" in body and "<def" not in body
