"""The python-telegram-bot ``Bot`` for a commune, pointed at the configured API root.

Communes that share a token share one ``Bot`` (one HTTP connection pool, one flood
budget). ``Bot.get_updates`` parses updates before handing them over, so one update it
cannot read would fail the whole batch and stall polling; ``raw_updates`` returns the
JSON as Telegram sent it, to be stored first and parsed later like a webhook body.
"""

from __future__ import annotations

import os
from typing import Any

# Opt in to python-telegram-bot's coming behaviour (durations as timedelta) now, rather
# than a deprecation warning on every 429; the sender reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Bot

from bot.channels.telegram.transport import AiohttpRequest


class MotcuaBot(Bot):
    async def send_html(self, chat_id: str, text: str, reply_markup: Any = None) -> None:
        """``sendMessage`` without building a ``Message`` from the answer.

        The outbox only needs to know the call succeeded; parsing Telegram's echo of the
        message into PTB objects cost a good share of each send's CPU. Errors still come
        through PTB's request machinery as its usual exceptions.
        """
        data: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
        if reply_markup is not None:
            data["reply_markup"] = reply_markup
        await self._post("sendMessage", data)

    async def raw_updates(
        self,
        *,
        offset: int | None,
        poll_seconds: float,
        allowed_updates: list[str],
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        data: dict[str, Any] = {
            "timeout": int(poll_seconds),
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        if offset is not None:
            data["offset"] = offset
        result = await self._post("getUpdates", data, read_timeout=poll_seconds + 10)
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []


def make_bot(
    token: str,
    api_url: str,
    *,
    read_timeout: float = 15.0,
    connect_timeout: float = 10.0,
    pool_size: int = 64,
) -> MotcuaBot:
    """A bot calling ``<api_url>/bot<token>/<method>`` (files: ``<api_url>/file/bot<token>``)."""
    root = api_url.rstrip("/")
    request = AiohttpRequest(
        connection_pool_size=pool_size,
        read_timeout=read_timeout,
        write_timeout=read_timeout,
        connect_timeout=connect_timeout,
        media_write_timeout=60.0,
    )
    polling = AiohttpRequest(
        connection_pool_size=2, read_timeout=read_timeout, connect_timeout=connect_timeout
    )
    return MotcuaBot(
        token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=request,
        get_updates_request=polling,
    )


async def close_bot(bot: Bot) -> None:
    """Shut the bot and its HTTP transports, whether or not it was ever initialised.

    ``Bot.shutdown`` does nothing for a bot that was never initialised, yet a bot used
    straight away (the CLI) has opened connections that must be closed.
    """
    await bot.shutdown()
    for request in (bot.request, bot._request[0]):  # the sending and polling transports
        await request.shutdown()


def bot_key(token: str) -> str:
    """The bot's id (the token's public half), to key limits and logs without the secret."""
    return token.split(":", 1)[0]
