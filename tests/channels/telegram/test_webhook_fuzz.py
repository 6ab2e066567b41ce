"""The Telegram webhook fed mutated captures, cut and invalid JSON, noise, wrong content
types, huge bodies and wrong secrets.

Properties: never a 5xx for bad input; a wrong secret is 401 and stores nothing; past
the secret check the answer is 200 (a non-2xx is redelivered for a day and blocks the
chat) and the body is on record: the update itself, or a failed "poison" item. Stored
updates are then processed without a handler failing: an update the parser cannot read
is recorded as failed with a ``parse:`` error, never retried.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import Runtime
from bot.channels.telegram import ingress
from bot.channels.telegram.plugin import TelegramPlugin
from bot.db.models import InboxItem
from bot.sanitize import parse_json
from tests.channels.telegram.conftest import SECRET, RuntimeFactory, update
from tests.properties.strategies import webhook_body

pytestmark = pytest.mark.db

HEADER = "X-Telegram-Bot-Api-Secret-Token"
CAPTURES = [
    update(name)
    for name in (
        "text",
        "callback_query",
        "start_payload",
        "photo",
        "contact_own",
        "location",
        "sticker",
        "group_staff_command",
        "group_staff_reply",
        "edited_message",
        "my_chat_member_blocked",
    )
]


class Webhook:
    def __init__(self, runtime: Runtime, http: aiohttp.ClientSession) -> None:
        self.runtime = runtime
        self.http = http
        self.url = f"{runtime.settings.public_url}/webhook/telegram/default"

    async def post(
        self, body: bytes, secret: str | None = SECRET, content_type: str = "application/json"
    ) -> int:
        headers = {"Content-Type": content_type}
        if secret is not None:
            headers[HEADER] = secret
        async with self.http.post(self.url, data=body, headers=headers) as response:
            await response.read()
            return response.status

    def expected_key(self, body: bytes) -> str | None:
        """The inbox key the body must be stored under, None for what is not stored."""
        try:
            value: Any = parse_json(body)  # JSON as the RFC has it: no NaN, bounded depth
        except ValueError:
            value = None
        if not ingress.is_update(value):
            return "invalid:" + hashlib.sha256(body).hexdigest()[:40]
        plugin = next(p for p in self.runtime.plugins if isinstance(p, TelegramPlugin))
        commune = self.runtime.communes.by_slug("default")
        assert commune is not None and plugin.ingress is not None
        if not ingress.admitted(commune, value) or plugin.ingress._elsewhere(value):
            return None  # edits, member changes, outsiders in the staff group: by design
        return str(value["update_id"])

    async def stored(self, key: str) -> bool:
        async with self.runtime.db.read() as session:
            found = await session.scalar(select(InboxItem.id).where(InboxItem.update_key == key))
        return found is not None

    async def process_and_check(self) -> None:
        await self.runtime.processor.recover()
        async with self.runtime.db.read() as session:
            rows = (await session.execute(select(InboxItem.status, InboxItem.error))).all()
        for status, error in rows:
            assert status in ("done", "failed"), status
            assert status == "done" or (error or "").startswith("parse:"), error


@pytest.fixture
async def webhook(start_runtime: RuntimeFactory) -> AsyncIterator[Webhook]:
    runtime = await start_runtime(workers=False, introduce=False)
    async with aiohttp.ClientSession() as http:
        yield Webhook(runtime, http)


@given(body=webhook_body(CAPTURES))
@example(body=b"[" * 100_000)
@example(body=b'{"update_id": 7, "message": {"text": NaN}}')
@example(body=json.dumps(update("text", update_id=8) | {"x": "\x00\ud800"}).encode())
@example(
    body=json.dumps(
        {**update("text", update_id=9), "message": {**update("text")["message"], "text": "a\x00"}}
    ).encode()
)
async def test_any_body_with_the_secret_is_acknowledged_and_on_record(
    webhook: Webhook, body: bytes
) -> None:
    assert await webhook.post(body) == 200
    key = webhook.expected_key(body)
    if key is not None:
        assert await webhook.stored(key)
    await webhook.process_and_check()


@given(
    secret=st.one_of(st.none(), st.text(st.characters(min_codepoint=33, max_codepoint=126))),
    body=webhook_body(CAPTURES),
)
async def test_without_the_right_secret_nothing_is_stored(
    webhook: Webhook, secret: str | None, body: bytes
) -> None:
    if secret == SECRET:
        return
    assert await webhook.post(body, secret=secret) == 401
    async with webhook.runtime.db.read() as session:
        assert await session.scalar(select(InboxItem.id)) is None


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""],
)
async def test_a_wrong_content_type_changes_nothing(webhook: Webhook, content_type: str) -> None:
    body = json.dumps(update("text", update_id=41)).encode()
    assert await webhook.post(body, content_type=content_type) == 200
    assert await webhook.stored("41")


async def test_a_huge_body_is_refused_without_a_server_error(webhook: Webhook) -> None:
    huge = json.dumps(update("text", update_id=42) | {"padding": "x" * 3_000_000}).encode()
    status = await webhook.post(huge)
    assert 400 <= status < 500
    assert not await webhook.stored("42")
