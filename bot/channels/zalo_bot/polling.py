"""``getUpdates`` polling, for running the bot where Zalo cannot reach a webhook.

Used when a commune has a Zalo Bot token but no webhook secret. ``getUpdates`` answers
one update per call (verify; a list is accepted too) or error 408 when nothing came
before its timeout. Polled updates go through the same inbox as webhook ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.zalo_bot.api import PollTimeout, ZaloBotApi
from bot.channels.zalo_bot.parse import BadUpdate, unwrap
from bot.delivery import DeliveryError, RetryAfter

log = logging.getLogger(__name__)

Deliver = Callable[[dict[str, Any]], Awaitable[object]]


class Poller:
    def __init__(
        self,
        api: ZaloBotApi,
        deliver: Deliver,
        *,
        timeout: int = 30,
        error_pause: float = 5.0,
    ) -> None:
        self.api = api
        self.deliver = deliver
        self.timeout = timeout
        self.error_pause = error_pause
        self._stopping = False

    def stop(self) -> None:
        self._stopping = True

    async def poll_once(self) -> int:
        """One ``getUpdates`` call; returns how many updates were delivered."""
        try:
            result = await self.api.call(
                "getUpdates", {"timeout": str(self.timeout)}, seconds=self.timeout + 10
            )
        except PollTimeout:
            return 0
        updates = result if isinstance(result, list) else [result] if result else []
        delivered = 0
        for raw in updates:
            try:
                update = unwrap(raw)
            except BadUpdate:
                log.warning("zalo bot getUpdates returned something that is not an update")
                continue
            await self.deliver(update)
            delivered += 1
        return delivered

    async def run(self) -> None:
        while not self._stopping:
            try:
                await self.poll_once()
            except RetryAfter as exc:
                await asyncio.sleep(exc.seconds)
            except DeliveryError as exc:
                log.warning("zalo bot polling failed: %s", exc)
                await asyncio.sleep(self.error_pause)
            except Exception as exc:
                # Only the type: messages of HTTP errors may carry the URL, which holds the token.
                log.error("zalo bot polling failed: %s", type(exc).__name__)
                await asyncio.sleep(self.error_pause)
