"""Sending replies through the Zalo Bot API, one bot per commune.

A long reply goes out in several parts. If a later part fails, the relay retries the
whole outbox row; ``Progress`` remembers (in this process) how many parts already went
out, so the retry resumes where it stopped instead of repeating the first parts.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping

from bot.channels.zalo_bot.api import ZaloBotApi
from bot.channels.zalo_bot.render import render
from bot.delivery import Undeliverable
from bot.types import Reply


class Progress:
    """Parts already sent per (commune, chat, reply), bounded in size."""

    def __init__(self, size: int = 2000) -> None:
        self._size = size
        self._sent: OrderedDict[str, int] = OrderedDict()

    @staticmethod
    def key(commune_slug: str, chat_id: str, reply: Reply) -> str:
        data = json.dumps([commune_slug, chat_id, reply.to_json()], sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()

    def sent(self, key: str) -> int:
        return self._sent.get(key, 0)

    def advance(self, key: str) -> None:
        self._sent[key] = self._sent.get(key, 0) + 1
        self._sent.move_to_end(key)
        while len(self._sent) > self._size:
            self._sent.popitem(last=False)

    def finish(self, key: str) -> None:
        self._sent.pop(key, None)


class ZaloBotSender:
    def __init__(self, bots: Mapping[str, ZaloBotApi]) -> None:
        self.bots = dict(bots)
        self.progress = Progress()

    async def send(self, commune_slug: str, chat_id: str, reply: Reply) -> None:
        api = self.bots.get(commune_slug)
        if api is None:
            raise Undeliverable(f"no Zalo Bot configured for commune {commune_slug}")
        calls = render(chat_id, reply)
        if len(calls) == 1:  # nothing to resume: no key to compute
            await api.call(calls[0].method, calls[0].body)
            return
        key = self.progress.key(commune_slug, chat_id, reply)
        for call in calls[self.progress.sent(key) :]:
            await api.call(call.method, call.body)
            self.progress.advance(key)
        self.progress.finish(key)

    async def typing(self, commune_slug: str, chat_id: str) -> None:
        """Show "typing..." while the answer is prepared (best effort)."""
        api = self.bots.get(commune_slug)
        if api is not None:
            await api.call("sendChatAction", {"chat_id": chat_id, "action": "typing"})
