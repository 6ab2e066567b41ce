"""One bot serving several communes: which commune an update belongs to.

Communes configured with the same token share a bot (and its one webhook). A resident's
updates go to the commune they chose last; someone who has not chosen yet, or who sends
a plain ``/start``, is answered with a chooser (a button per commune) instead of being
handled. Pressing a choice is handled by that commune as ``/start``, so its welcome and
menu follow. The choice is remembered in memory and, across restarts, found again from
the commune where the resident last wrote (``channel_users.last_seen_at``).

Deep links (``/start <payload>``) from someone who never chose go to the first commune of
the bot; messages in a staff group go to the commune whose staff group it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.channels.base import parse_command
from bot.channels.telegram import NAME, texts
from bot.channels.telegram.parse import CHOOSE_PREFIX, GROUP_TYPES, sender_and_chat
from bot.communes import CommuneProfile
from bot.db.engine import Database
from bot.db.models import ChannelUser
from bot.types import Button, Reply

log = logging.getLogger(__name__)


class SharedBot:
    def __init__(
        self,
        slugs: list[str],
        db: Database,
        commune: Callable[[str], CommuneProfile | None],
    ) -> None:
        self.slugs = slugs
        self.db = db
        self.commune = commune
        self._choices: dict[str, str] = {}  # Telegram user id -> commune slug

    def communes(self) -> list[CommuneProfile]:
        return [c for c in (self.commune(s) for s in self.slugs) if c is not None]

    def chooser(self) -> Reply:
        buttons = tuple(Button(c.name, f"{CHOOSE_PREFIX}{c.id}") for c in self.communes())
        return Reply(texts.CHOOSE_COMMUNE, buttons)

    async def route(self, update: dict[str, Any]) -> CommuneProfile | None:
        """The commune for this update, or None when the resident should choose first."""
        communes = self.communes()
        first = communes[0]
        origin = sender_and_chat(update)
        if origin is None:
            return first  # unreadable: recorded as failed under the first commune
        sender, chat, chat_type = origin
        if chat_type in GROUP_TYPES:
            owner = next((c for c in communes if (NAME, chat) in c.staff_chats), None)
            return owner or first
        query = update.get("callback_query")
        data = query.get("data") if isinstance(query, dict) else None
        if isinstance(data, str) and data.startswith(CHOOSE_PREFIX):
            chosen = next((c for c in communes if f"{CHOOSE_PREFIX}{c.id}" == data), None)
            if chosen is None:
                return None  # a commune that left this bot: choose again
            self._choices[sender] = chosen.slug
            return chosen
        message = update.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        command, argument = parse_command(text) if isinstance(text, str) else (None, None)
        if command == "start" and argument is None:
            return None  # a fresh start: let them pick (or switch) the commune
        slug = self._choices.get(sender) or await self._last_used(sender, communes)
        if slug is not None:
            chosen = next((c for c in communes if c.slug == slug), None)
            if chosen is not None:
                return chosen
        return first if command == "start" else None

    async def _last_used(self, user_id: str, communes: list[CommuneProfile]) -> str | None:
        by_id = {c.id: c.slug for c in communes}
        async with self.db.read() as session:
            commune_id = (
                await session.execute(
                    select(ChannelUser.commune_id)
                    .where(
                        ChannelUser.channel == NAME,
                        ChannelUser.user_id == user_id,
                        ChannelUser.commune_id.in_(by_id),
                    )
                    .order_by(ChannelUser.last_seen_at.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
        slug = by_id.get(commune_id) if commune_id is not None else None
        if slug is not None:
            self._choices[user_id] = slug
        return slug
