"""The "typing..." indicator, for a resident whose answer is slow to come.

Most answers reach the resident within a fraction of a second of the update; showing
"typing..." first costs Zalo an API call per message (counted against the bot's rate
limit) and the server as much CPU as sending the answer, for nothing the resident can
see. So an accepted update is watched, and only one still unhandled after
``SHOW_AFTER`` (the workers are busy: a flood warning, a restart) gets the indicator,
once per chat, for at most ``MAX_SHOWN`` chats per look. Whether it is handled is read
from the inbox, which every instance shares: the instance that accepted an update need
not be the one that answers it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import inbox
from bot.db.engine import Database
from bot.delivery import DeliveryError

log = logging.getLogger(__name__)

SHOW_AFTER = 1.0  # seconds an answer may take before "typing..." is shown
CHECK_EVERY = 0.5  # seconds between looks at the watched updates (one query each)
MAX_WATCHED = 10_000  # beyond this many unchecked updates, new ones go without
# Chats shown "typing..." per look, the longest waiting first. In a flood nearly every
# answer is slow, and an indicator per chat costs as much as the answer it announces.
MAX_SHOWN = 50

Show = Callable[[str, str], Awaitable[None]]  # (commune slug, chat id)


@dataclass
class _Watched:
    slug: str
    chat_id: str
    accepted: float


class TypingIndicator:
    def __init__(
        self,
        db: Database,
        show: Show,
        *,
        show_after: float = SHOW_AFTER,
        check_every: float = CHECK_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.show = show
        self.show_after = show_after
        self.check_every = check_every
        self.clock = clock
        self._watched: dict[int, _Watched] = {}

    def watch(self, inbox_id: int, slug: str, chat_id: str) -> None:
        """Show "typing..." in this chat if update ``inbox_id`` is still unhandled later."""
        if len(self._watched) < MAX_WATCHED:
            self._watched[inbox_id] = _Watched(slug, chat_id, self.clock())

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            try:
                await self.check()
            except Exception:  # the database may be restarting: the indicator can wait
                log.warning("could not check which answers are slow", exc_info=True)

    async def check(self) -> None:
        """Show "typing..." where an update has waited ``show_after``; forget the rest."""
        since = self.clock() - self.show_after
        due = [inbox_id for inbox_id, w in self._watched.items() if w.accepted <= since]
        if not due:
            return
        async with self.db.read() as session:
            waiting = await inbox.still_pending(session, due)
        chats: dict[tuple[str, str], None] = {}  # in the order they were accepted
        for inbox_id in due:
            if inbox_id in waiting and len(chats) < MAX_SHOWN:
                chats[self._watched[inbox_id].slug, self._watched[inbox_id].chat_id] = None
        for inbox_id in due:
            del self._watched[inbox_id]
        await asyncio.gather(*(self._show(slug, chat_id) for slug, chat_id in chats))

    async def _show(self, slug: str, chat_id: str) -> None:
        try:
            await self.show(slug, chat_id)
        except DeliveryError as exc:  # best effort: the answer itself is what matters
            log.debug("zalo bot typing indicator failed: %s", exc)
