"""Sending replies as Zalo OA consultation messages, inside the reply window only.

Before sending, the sender checks that every message of the reply fits in the
resident's window (8 messages within 48 hours of their last message); if not, the whole
reply is refused as ``Undeliverable`` so the relay marks the row "undeliverable" and
callers can choose another route. Each message sent is counted at once, so a crash
halfway cannot make the count too low.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.channels.zalo_bot.sender import Progress
from bot.channels.zalo_oa import window
from bot.channels.zalo_oa.api import AccessTokenRejected, ZaloOAApi
from bot.channels.zalo_oa.render import render
from bot.channels.zalo_oa.tokens import NotAuthorized, TokenStore
from bot.communes import CommuneDirectory
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.delivery import Undeliverable
from bot.types import Reply


class ZaloOASender:
    def __init__(
        self,
        db: Database,
        communes: CommuneDirectory,
        apis: Mapping[str, ZaloOAApi],
        tokens: Mapping[str, TokenStore],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.communes = communes
        self.apis = dict(apis)
        self.tokens = dict(tokens)
        self.clock = clock
        self.progress = Progress()

    async def send(self, commune_slug: str, chat_id: str, reply: Reply) -> None:
        api, store = self.apis.get(commune_slug), self.tokens.get(commune_slug)
        commune = self.communes.by_slug(commune_slug)
        if api is None or store is None or commune is None:
            raise Undeliverable(f"no Zalo OA configured for commune {commune_slug}")
        key = self.progress.key(commune_slug, chat_id, reply)
        todo = render(chat_id, reply)[self.progress.sent(key) :]
        if not todo:
            self.progress.finish(key)
            return
        async with self.db.read() as session:
            current = await window.state(session, commune.id, chat_id, self.clock())
        if current.remaining < len(todo) or current.opened_at is None:
            raise Undeliverable(
                f"outside the Zalo OA reply window: {len(todo)} message(s) needed, "
                f"{current.remaining} left ({current.used} sent since the resident's last "
                f"message of {current.opened_at.isoformat() if current.opened_at else 'never'})"
            )
        for body in todo:
            await self._send_one(api, store, body)
            async with self.db.transaction() as session:
                await window.record_sent(session, commune.id, chat_id, current.opened_at)
            self.progress.advance(key)
        self.progress.finish(key)

    async def _send_one(self, api: ZaloOAApi, store: TokenStore, body: dict[str, Any]) -> None:
        try:
            token = await store.access_token()
        except NotAuthorized as exc:
            raise Undeliverable(f"{exc}: run `motcua zalo authorize`") from None
        try:
            await api.send_cs(token, body)
        except AccessTokenRejected:
            await api.send_cs(await store.after_rejection(token), body)
