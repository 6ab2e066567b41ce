"""A chat driver for Telegram, so the shared transcripts run on it end to end.

Each message goes the whole way: the fake Bot API delivers it to the webhook (with the
secret header, as Telegram does), the inbox stores it, the processor handles it, the
relay sends the replies through python-telegram-bot to the fake, and what the fake
received is read back into ``Reply`` objects (inline buttons become buttons again;
pressing one delivers a callback query with its ``callback_data``).
"""

from __future__ import annotations

from typing import Any

from bot.app import Runtime
from bot.types import Button, Reply
from tests.channels.telegram.conftest import TOKEN, button_update, text_update
from tests.fakes.telegram_api import FakeBotApi, SentMessage


def as_reply(message: SentMessage) -> Reply:
    buttons = tuple(
        Button(b["text"], url=b["url"]) if "url" in b else Button(b["text"], b["callback_data"])
        for b in message.inline_buttons
    )
    return Reply(message.text, buttons)


class TelegramDriver:
    """A resident writing to the commune's bot in a private chat."""

    def __init__(self, runtime: Runtime, fake: FakeBotApi, user: int = 5123456789) -> None:
        self.runtime, self.fake, self.user = runtime, fake, user
        self._update_id = 1000

    async def _deliver(self, update: dict[str, Any]) -> list[Reply]:
        before = len(self.fake.messages_to(self.user))
        status, body = await self.fake.deliver(TOKEN, update)
        assert status == 200, f"webhook answered {status}"
        if "callback_query" in update:
            assert body and body.get("method") == "answerCallbackQuery"
        await self.runtime.processor.recover()
        while await self.runtime.relay.run_once():
            pass
        return [as_reply(m) for m in self.fake.messages_to(self.user)[before:]]

    async def say(self, text: str) -> list[Reply]:
        self._update_id += 1
        return await self._deliver(text_update(self._update_id, text, self.user))

    async def press(self, button: Button) -> list[Reply]:
        assert button.payload is not None, "cannot press a link button"
        self._update_id += 1
        return await self._deliver(button_update(self._update_id, button.payload, self.user))
