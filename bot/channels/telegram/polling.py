"""Polling with ``getUpdates``: for running locally with no public URL.

The webhook is deleted first (Telegram refuses getUpdates while one is set). Each
update is stored through the same ingress as the webhook before the offset moves past
it; the next ``getUpdates`` call confirms it to Telegram. If storing fails, the offset
stays and Telegram hands the same updates over again, which the inbox deduplicates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram import error as tg

from bot.channels.telegram.bots import MotcuaBot
from bot.channels.telegram.chooser import SharedBot
from bot.channels.telegram.ingress import ALLOWED_UPDATES, Ingress, callback_query_id
from bot.channels.telegram.sender import retry_seconds
from bot.communes import CommuneProfile

log = logging.getLogger(__name__)


class Poller:
    def __init__(
        self,
        bot: MotcuaBot,
        commune: Callable[[], CommuneProfile | None],
        ingress: Ingress,
        answer_callback: Callable[[str], object],
        *,
        timeout: float = 25.0,
        shared: SharedBot | None = None,
    ) -> None:
        self.bot = bot
        self.commune = commune
        self.ingress = ingress
        self.answer_callback = answer_callback
        self.timeout = timeout
        self.shared = shared
        self.offset: int | None = None

    async def run(self) -> None:
        delay = 1.0
        while True:
            try:
                await self.bot.delete_webhook(drop_pending_updates=False)
                break
            except tg.InvalidToken:
                log.error("Telegram rejected the bot token; polling stopped")
                return
            except tg.TelegramError as exc:
                log.warning("deleteWebhook failed (%s); retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
        delay = 1.0
        while True:
            try:
                await self.poll_once()
                delay = 1.0
            except tg.RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
            except tg.InvalidToken:
                log.error("Telegram rejected the bot token; polling stopped")
                return
            except tg.Conflict as exc:
                log.error("getUpdates conflict (another instance, or a webhook): %s", exc)
                await asyncio.sleep(5.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "polling failed (%s: %s); retrying in %.0fs", type(exc).__name__, exc, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def poll_once(self) -> int:
        """One getUpdates round; returns how many updates were taken."""
        updates = await self.bot.raw_updates(
            offset=self.offset, poll_seconds=self.timeout, allowed_updates=ALLOWED_UPDATES
        )
        for update in updates:
            commune = self.commune()
            if commune is None:
                raise RuntimeError("commune not loaded yet")
            await self.ingress.take(commune, update, self.shared)
            query_id = callback_query_id(update)
            if query_id is not None:
                self.answer_callback(query_id)
            update_id = update.get("update_id")
            if isinstance(update_id, int):
                self.offset = update_id + 1
        return len(updates)
