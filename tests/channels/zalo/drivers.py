"""Chat drivers for the two Zalo adapters, so the shared transcripts run on them.

Each message goes the whole way: a webhook request (signed the way Zalo signs it), the
inbox, the processor, the outbox relay, the adapter's sender and the fake Zalo server.
What the fake server received is read back into ``Reply`` objects: a numbered list of
choices becomes buttons again (pressing one types its number, as a resident would), and
an OA query button is pressed by sending back its query text, as Zalo does.

Photos travel as URLs on Zalo's servers; here a photo's ``file_ref`` names a file in
the fake server's store (``fake.files``), served at ``<fake>/files/<file_ref>``.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import Runtime
from bot.channels.zalo_bot.webhook import HEADER as BOT_HEADER
from bot.channels.zalo_oa.signature import HEADER as OA_HEADER
from bot.channels.zalo_oa.signature import signature
from bot.types import Button, Reply
from tests.fakes.zalo_api import FakeZaloBot, FakeZaloOA, OAMessage

CHOOSE_HINT = "(Gõ số thứ tự để chọn)"
_NUMBERED = re.compile(r"^(\d{1,2})\. (.+)$")
_LINK = re.compile(r"^(.+): (https?://\S+)$")
# Message ids are unique on Zalo; the inbox drops one it has seen, so every driver
# (a second resident, the same resident after a restart) draws from this one sequence.
_message_ids = itertools.count(1)


def unnumber(text: str) -> tuple[str, list[Button]]:
    """Split a text rendered by ``bot.choices.numbered_text`` back into text and choices."""
    lines = text.split("\n")
    if not lines or lines[-1] != CHOOSE_HINT:
        return text, []
    end = len(lines) - 1
    start = end
    while start > 1 and (_NUMBERED.match(lines[start - 1]) or _LINK.match(lines[start - 1])):
        start -= 1
    buttons: list[Button] = []
    for line in lines[start:end]:
        numbered = _NUMBERED.match(line)
        if numbered:
            buttons.append(Button(numbered.group(2), numbered.group(1)))
        else:
            link = _LINK.match(line)
            assert link is not None
            buttons.append(Button(link.group(1), url=link.group(2)))
    return "\n".join(lines[:start]), buttons


async def _drain(runtime: Runtime) -> None:
    """Process what the webhook stored, then let the relay send everything due."""
    await runtime.processor.recover()
    while await runtime.relay.run_once():
        pass


class ZaloBotDriver:
    """A resident writing to the commune's Zalo bot."""

    def __init__(
        self,
        runtime: Runtime,
        client: TestClient[Any, Any],
        fake: FakeZaloBot,
        secret: str,
        user_id: str = "a9f3c27e51d04b88b6e1",
        commune: str = "default",
    ) -> None:
        self.runtime, self.client, self.fake, self.secret = runtime, client, fake, secret
        self.user_id, self.commune = user_id, commune
        self._n = 0
        self._choices: tuple[Button, ...] = ()  # the latest numbered list the resident saw

    async def deliver(
        self, message: dict[str, Any], event: str = "message.text.received"
    ) -> list[Reply]:
        self._n += 1
        update: dict[str, Any] = {
            "event_name": event,
            "message": {
                "date": int(time.time() * 1000),
                "chat": {"chat_type": "PRIVATE", "id": self.user_id},
                "message_id": f"{self.user_id}-{next(_message_ids)}",
                "from": {"id": self.user_id, "display_name": "Nguyễn Thị Lan", "is_bot": False},
                **message,
            },
        }
        # Both shapes Zalo uses, alternately.
        body = {"ok": True, "result": update} if self._n % 2 == 0 else update
        before = len(self.fake.calls)
        response = await self.client.post(
            f"/webhook/zalo-bot/{self.commune}", json=body, headers={BOT_HEADER: self.secret}
        )
        assert response.status == 200, await response.text()
        await _drain(self.runtime)
        replies = []
        for call in self.fake.calls[before:]:
            if call.body.get("chat_id") != self.user_id:
                continue
            if call.method == "sendMessage":
                text, buttons = unnumber(call.body["text"])
                replies.append(Reply(text, tuple(buttons)))
            elif call.method == "sendPhoto":
                replies.append(Reply("", photo=call.body["photo"]))
        for reply in replies:
            if any(b.payload is not None for b in reply.buttons):
                self._choices = reply.buttons
        return replies

    async def say(self, text: str) -> list[Reply]:
        return await self.deliver({"text": text})

    async def press(self, button: Button) -> list[Reply]:
        assert button.payload is not None, "a link is opened, not pressed"
        # A number chooses from the latest list; an older list's numbers mean other things.
        assert button in self._choices, f"«{button.label}» is not in the latest list of choices"
        return await self.say(button.payload)  # the number shown before the choice

    async def send_photo(self, file_ref: str, caption: str = "") -> list[Reply]:
        message = {"photo_url": f"{self.fake.url}/files/{file_ref}", "caption": caption}
        return await self.deliver(message, "message.image.received")


class ZaloOADriver:
    """A resident writing to the commune's Official Account."""

    def __init__(
        self,
        runtime: Runtime,
        client: TestClient[Any, Any],
        fake: FakeZaloOA,
        secret_key: str,
        user_id: str = "8309393969855402319",
        commune: str = "default",
    ) -> None:
        self.runtime, self.client, self.fake, self.secret_key = runtime, client, fake, secret_key
        self.user_id, self.commune = user_id, commune

    def event(self, event_name: str, **message: Any) -> dict[str, Any]:
        """An event from this resident; ``message`` fields get a fresh ``msg_id``."""
        n = next(_message_ids)
        return {
            "app_id": self.fake.app_id,
            "user_id_by_app": "7300442764876318465",
            "event_name": event_name,
            "timestamp": str(int(time.time() * 1000) + n),
            "sender": {"id": self.user_id},
            "recipient": {"id": self.fake.oa_id},
            "message": {**message, "msg_id": f"msg{n:06d}{self.user_id[-6:]}"},
        }

    async def post(self, event: dict[str, Any], secret_key: str | None = None) -> int:
        raw = json.dumps(event, ensure_ascii=False).encode()
        mac = signature(
            self.fake.app_id, raw, str(event["timestamp"]), secret_key or self.secret_key
        )
        response = await self.client.post(
            f"/webhook/zalo-oa/{self.commune}",
            data=raw,
            headers={OA_HEADER: f"mac={mac}", "Content-Type": "application/json"},
        )
        return response.status

    async def deliver(self, event: dict[str, Any]) -> list[Reply]:
        before = len(self.fake.messages)
        status = await self.post(event)
        assert status == 200
        await _drain(self.runtime)
        return [_reply(m) for m in self.fake.messages[before:] if m.user_id == self.user_id]

    async def say(self, text: str) -> list[Reply]:
        return await self.deliver(self.event("user_send_text", text=text))

    async def press(self, button: Button) -> list[Reply]:
        assert button.payload is not None, "a link is opened, not pressed"
        return await self.say(button.payload)  # a query text, or the number of a choice

    async def send_photo(self, file_ref: str, caption: str = "") -> list[Reply]:
        url = f"{self.fake.url}/files/{file_ref}"
        image = {"type": "image", "payload": {"thumbnail": url, "url": url}}
        return await self._attachment("user_send_image", image, caption)

    async def send_location(self, latitude: float, longitude: float) -> list[Reply]:
        coordinates = {"latitude": str(latitude), "longitude": str(longitude)}
        place = {"type": "location", "payload": {"coordinates": coordinates}}
        return await self._attachment("user_send_location", place, "")

    async def _attachment(self, event: str, attachment: dict[str, Any], text: str) -> list[Reply]:
        return await self.deliver(self.event(event, attachments=[attachment], text=text))


def _reply(message: OAMessage) -> Reply:
    attachment = message.message.get("attachment") or {}
    payload = attachment.get("payload") or {}
    if payload.get("template_type") == "media":
        return Reply("", photo=payload["elements"][0]["url"])
    text, listed = unnumber(message.text)
    tapped: dict[str, Button] = {}
    for b in message.buttons:
        if b["type"] == "oa.query.show":
            tapped[b["title"]] = Button(b["title"], b["payload"])
        else:
            tapped[b["title"]] = Button(b["title"], url=b["payload"]["url"])
    if not listed:
        return Reply(text, tuple(tapped.values()))
    # A long list: every choice can be typed by number; the first ones can be tapped.
    return Reply(text, tuple(tapped.get(b.label, b) for b in listed))
