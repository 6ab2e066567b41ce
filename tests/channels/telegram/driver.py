"""Chat drivers for Telegram, so the shared transcripts and scenarios run on it end to end.

Each message goes the whole way: the fake Bot API delivers it to the webhook (with the
secret header, as Telegram does), the inbox stores it, the processor handles it, the
relay sends the replies through python-telegram-bot to the fake, and what the fake
received is read back into ``Reply`` objects (inline buttons become buttons again;
pressing one delivers a callback query with its ``callback_data``).

A driver returns every message its chat received since it last returned, so a message
pushed to the resident in between (a staff answer) shows with the resident's next one.
"""

from __future__ import annotations

import itertools
from typing import Any

from bot.app import Runtime
from bot.channels.base import parse_command
from bot.types import Button, Reply
from tests.channels.telegram.conftest import (
    STAFF_GROUP,
    STAFF_USER,
    TOKEN,
    button_update,
    group_update,
    location_update,
    photo_update,
    text_update,
    update,
)
from tests.fakes.telegram_api import FakeBotApi, SentMessage

# Telegram numbers a bot's updates in one sequence, whoever sends them; the inbox
# drops an update id it has seen, so every driver draws from this one.
_update_ids = itertools.count(1001)


def as_reply(message: SentMessage) -> Reply:
    buttons = tuple(
        Button(b["text"], url=b["url"]) if "url" in b else Button(b["text"], b["callback_data"])
        for b in message.inline_buttons
    )
    photo = None
    if message.method == "sendPhoto":  # a URL or file id, or a file uploaded from disk
        photo = str(message.params.get("photo") or "(uploaded)")
    return Reply(message.text, buttons, photo=photo)


class _Chats:
    """Delivers updates and reads back, per chat, what the bot sent since last read."""

    def __init__(self, runtime: Runtime, fake: FakeBotApi) -> None:
        self.runtime, self.fake = runtime, fake
        self._read: dict[int, int] = {}

    def watch(self, chat: int) -> None:
        self._read.setdefault(chat, len(self.fake.messages_to(chat)))

    def unread(self, chat: int) -> list[Reply]:
        messages = self.fake.messages_to(chat)
        start, self._read[chat] = self._read.get(chat, 0), len(messages)
        return [as_reply(m) for m in messages[start:]]

    def last_sent(self, chat: int) -> SentMessage:
        return self.fake.messages_to(chat)[-1]

    async def deliver(self, update: dict[str, Any]) -> None:
        status, body = await self.fake.deliver(TOKEN, update)
        assert status == 200, f"webhook answered {status}"
        if "callback_query" in update:
            assert body and body.get("method") == "answerCallbackQuery"
        await self.runtime.processor.recover()
        while await self.runtime.relay.run_once():
            pass


class TelegramDriver(_Chats):
    """A resident writing to the commune's bot in a private chat."""

    def __init__(self, runtime: Runtime, fake: FakeBotApi, user: int = 5123456789) -> None:
        super().__init__(runtime, fake)
        self.user = user
        self.watch(user)

    async def _send(self, update: dict[str, Any]) -> list[Reply]:
        await self.deliver(update)
        return self.unread(self.user)

    async def say(self, text: str) -> list[Reply]:
        return await self._send(text_update(next(_update_ids), text, self.user))

    async def press(self, button: Button) -> list[Reply]:
        assert button.payload is not None, "cannot press a link button"
        return await self._send(button_update(next(_update_ids), button.payload, self.user))

    async def send_photo(self, file_ref: str, caption: str = "") -> list[Reply]:
        return await self._send(photo_update(next(_update_ids), file_ref, caption, self.user))

    async def send_location(self, latitude: float, longitude: float) -> list[Reply]:
        return await self._send(location_update(next(_update_ids), latitude, longitude, self.user))


class TelegramStaffDriver(_Chats):
    """A staff member in the commune's staff group (or in a private chat with the bot).

    In the group the bot is in privacy mode and sees only commands, button presses and
    replies to its own messages, so plain text is sent as a reply to the bot's last
    message there (its «reply to this message» prompt), as staff are asked to do.
    """

    def __init__(
        self,
        runtime: Runtime,
        fake: FakeBotApi,
        user: int = int(STAFF_USER),
        group: int = int(STAFF_GROUP),
    ) -> None:
        super().__init__(runtime, fake)
        self.user, self.group = user, group
        self.watch(group)
        self.watch(user)

    async def say(self, text: str, *, private: bool = False) -> list[Reply]:
        if private:
            await self.deliver(text_update(next(_update_ids), text, self.user))
            return self.unread(self.user)
        reply_to = None
        if parse_command(text)[0] is None:
            prompt = self.last_sent(self.group)
            template = update("group_staff_reply")["message"]["reply_to_message"]
            reply_to = {
                **template,
                "message_id": prompt.message_id,
                "chat": {**template["chat"], "id": self.group},
                "text": prompt.text,
            }
        await self.deliver(group_update(next(_update_ids), text, self.user, self.group, reply_to))
        return self.unread(self.group)

    async def press(self, button: Button, *, private: bool = False) -> list[Reply]:
        assert button.payload is not None, "cannot press a link button"
        chat = None if private else self.group
        await self.deliver(button_update(next(_update_ids), button.payload, self.user, chat))
        return self.unread(self.user if private else self.group)

    async def group_messages(self) -> list[Reply]:
        """What the bot posted in the staff group since last read (alerts, photos...)."""
        return self.unread(self.group)
