"""Both Zalo webhooks fed mutated captures, cut and invalid JSON, noise and wrong
secrets or signatures.

Properties: never a 5xx for bad input; without the secret (Zalo Bot) or a valid
signature (Zalo OA) the answer is 401 and nothing is stored; past that check the answer
is 200 (Zalo redelivers anything else and finally disables the webhook) and the body is
on record: the update, or a failed "poison" item. Stored updates are then processed
without a handler failing.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import Runtime
from bot.channels.zalo_bot.parse import BadUpdate, ZaloBot, unwrap
from bot.channels.zalo_oa.parse import ZaloOA
from bot.channels.zalo_oa.signature import signature
from bot.channels.zalo_oa.webhook import for_another_oa
from bot.db.models import InboxItem
from bot.sanitize import parse_json
from tests.channels.zalo.conftest import BOT_SECRET, OA_SECRET_KEY
from tests.channels.zalo.helpers import fixture
from tests.fakes.zalo_api import FakeZaloOA
from tests.properties.strategies import examples, webhook_body

pytestmark = pytest.mark.db

BOT_URL, OA_URL = "/webhook/zalo-bot/default", "/webhook/zalo-oa/default"
BOT_CAPTURES = [
    fixture("bot", name)
    for name in ("text.json", "text_wrapped.json", "start.json", "image.json", "unsupported.json")
]
OA_CAPTURES = [
    fixture("oa", name)
    for name in (
        "user_send_text.json",
        "button_tap.json",
        "follow.json",
        "user_send_image.json",
        "user_send_location.json",
        "oa_send_text.json",
    )
]


def _with_sender(update: dict[str, Any], sender: str) -> dict[str, Any]:
    """The update (a new message) as written by a sender and in a chat with this id."""
    message = update["message"]
    return update | {
        "message": message
        | {
            "message_id": "long-sender",
            "from": message["from"] | {"id": sender},
            "chat": message["chat"] | {"id": sender},
        }
    }


def _named(update: dict[str, Any], name: str) -> dict[str, Any]:
    """The update (a new message) from a sender with this name."""
    message = update["message"]
    sender = message["from"] | {"display_name": name}
    return update | {"message": message | {"message_id": "long-name", "from": sender}}


def poison_key(raw: bytes) -> str:
    return "invalid:" + hashlib.sha256(raw).hexdigest()[:40]


async def stored(runtime: Runtime, key: str) -> bool:
    async with runtime.db.read() as session:
        found = await session.scalar(select(InboxItem.id).where(InboxItem.update_key == key))
    return found is not None


async def process_and_check(runtime: Runtime) -> None:
    await runtime.processor.recover()
    async with runtime.db.read() as session:
        rows = (await session.execute(select(InboxItem.status, InboxItem.error))).all()
    for status, error in rows:
        assert status in ("done", "failed"), status
        assert status == "done" or (error or "").startswith("parse:"), error


@examples(60)
@given(body=webhook_body(BOT_CAPTURES))
@example(body=b"[" * 100_000)
@example(body=b'{"event_name": "message.text.received", "message": {"text": NaN}}')
@example(body=json.dumps(fixture("bot", "text.json") | {"x": "\x00\ud800"}).encode())
@example(body=json.dumps(_with_sender(fixture("bot", "text.json"), "9" * 300)).encode())
@example(body=json.dumps(_named(fixture("bot", "text.json"), "Lan" * 100)).encode())
async def test_zalo_bot_any_body_with_the_secret_is_acknowledged_and_on_record(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], body: bytes
) -> None:
    response = await zalo_client.post(
        BOT_URL, data=body, headers={"X-Bot-Api-Secret-Token": BOT_SECRET}
    )
    assert response.status == 200
    try:
        key = ZaloBot().update_key(unwrap(parse_json(body)))
    except (ValueError, BadUpdate):
        key = poison_key(body)
    assert await stored(zalo_runtime, key)
    await process_and_check(zalo_runtime)


@given(
    secret=st.one_of(st.none(), st.text(st.characters(min_codepoint=33, max_codepoint=126))),
    body=webhook_body(BOT_CAPTURES),
)
async def test_zalo_bot_without_the_secret_nothing_is_stored(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], secret: str | None, body: bytes
) -> None:
    if secret == BOT_SECRET:
        return
    headers = {} if secret is None else {"X-Bot-Api-Secret-Token": secret}
    response = await zalo_client.post(BOT_URL, data=body, headers=headers)
    assert response.status == 401
    async with zalo_runtime.db.read() as session:
        assert await session.scalar(select(InboxItem.id)) is None


def _signed(raw: bytes, app_id: str) -> dict[str, str] | None:
    """The signature Zalo would send, when the body carries what signing needs."""
    try:
        event = parse_json(raw)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("timestamp") is None:
        return None
    if str(event.get("app_id", app_id)) != app_id:
        return None
    mac = signature(app_id, raw, str(event["timestamp"]), OA_SECRET_KEY)
    return {"X-ZEvent-Signature": f"mac={mac}"}


@examples(60)
@given(body=webhook_body(OA_CAPTURES), tamper=st.booleans())
@example(body=b'{"timestamp": "1", "event_name": 5}', tamper=False)
@example(body=b'{"timestamp": "1"}', tamper=False)
@example(
    body=json.dumps(fixture("oa", "user_send_text.json") | {"x": "\x00"}).encode(), tamper=False
)
@example(
    body=json.dumps(
        fixture("oa", "user_send_text.json")
        | {"sender": {"id": "8" * 300}, "message": {"text": "xin chào", "msg_id": "long-sender"}}
    ).encode(),
    tamper=False,
)
async def test_zalo_oa_any_signed_body_is_acknowledged_and_on_record_unsigned_refused(
    zalo_runtime: Runtime,
    zalo_client: TestClient[Any, Any],
    fake_oa: FakeZaloOA,
    body: bytes,
    tamper: bool,
) -> None:
    headers = _signed(body, fake_oa.app_id)
    if headers is None or tamper:
        sent = (headers or {}) if not tamper else {"X-ZEvent-Signature": "mac=" + "0" * 64}
        response = await zalo_client.post(OA_URL, data=body, headers=sent)
        assert response.status == 401
        return
    response = await zalo_client.post(OA_URL, data=body, headers=headers)
    assert response.status == 200
    event = parse_json(body)
    if not isinstance(event.get("event_name"), str):
        assert await stored(zalo_runtime, poison_key(body))
    elif not for_another_oa(event, fake_oa.oa_id):
        assert await stored(zalo_runtime, ZaloOA().update_key(event))
    await process_and_check(zalo_runtime)
