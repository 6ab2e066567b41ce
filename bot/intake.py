"""Group commit of accepted updates: the webhooks' one write.

Every channel acknowledges an update only once it is stored. Under load each update in
a transaction of its own spent more on the transaction (a connection, BEGIN, COMMIT,
SQLite's write lock) than on the row. Here, updates that arrive while one batch is
being written go together in the next: one transaction and one multi-row insert for
all, taken ahead of handler transactions. Each caller still returns only after its own
update is committed.

A batch that fails is written again one update per transaction, so one update the
database refuses fails alone and its neighbours are stored. The batch writer hands the
new rows to processing itself: a webhook request that goes away after the commit
cannot leave its update unprocessed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError

from bot import inbox
from bot.db.engine import Database
from bot.db.outage import unreachable

log = logging.getLogger(__name__)

# Rows per insert. SQLAlchemy sends up to 1,000 rows as one statement, and a batch must be
# one statement: it runs without a transaction around it (Database.statement).
MAX_BATCH = 500

# Called with each new row's id and conversation once it is committed.
OnStored = Callable[[int, str], None]


@dataclass
class _Waiting:
    commune_id: int
    channel: str
    key: str
    payload: dict[str, Any]
    conversation: str | None
    queue: bool
    done: asyncio.Future[int | None]

    @property
    def row(self) -> tuple[int, str, str, dict[str, Any], str | None]:
        return (self.commune_id, self.channel, self.key, self.payload, self.conversation)


class Intake:
    def __init__(
        self,
        db: Database,
        on_stored: OnStored,
        clock: Callable[[], datetime],
        *,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.db = db
        self.on_stored = on_stored
        self.clock = clock
        self.max_batch = max_batch
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(
        self,
        commune_id: int,
        channel: str,
        key: str,
        payload: dict[str, Any],
        conversation: str | None,
        *,
        queue: bool = True,
    ) -> int | None:
        """The new inbox id once committed, or None for a repeated delivery.

        ``queue``: hand the row to processing (``on_stored``) after the commit.
        """
        done: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(commune_id, channel, key, payload, conversation, queue, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        # Shielded: a caller that goes away does not cancel the batch others wait on.
        return await asyncio.shield(done)

    async def _write(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            try:
                ids = await self._insert(batch)
            except Exception as exc:
                if len(batch) > 1 and _refused(exc):
                    log.warning("storing %d updates together failed: one at a time", len(batch))
                    await self._write_each(batch)
                elif unreachable(exc):  # all fail alike; the web answers 503 and logs it
                    _fail(batch, exc)
                else:
                    log.exception("storing %d update(s) failed", len(batch))
                    _fail(batch, exc)
                continue
            self._settle(batch, ids)

    async def _write_each(self, batch: list[_Waiting]) -> None:
        for waiting in batch:
            try:
                ids = await self._insert([waiting])
            except Exception as exc:
                log.warning("storing a %s update failed: %s", waiting.channel, type(exc).__name__)
                _fail([waiting], exc)
                continue
            self._settle([waiting], ids)

    async def _insert(self, batch: list[_Waiting]) -> dict[tuple[int, str, str], int]:
        # One statement, atomic by itself: no transaction around it (Database.statement).
        async with self.db.statement(urgent=True) as session:
            return await inbox.store_many(session, [w.row for w in batch], self.clock())

    def _settle(self, batch: list[_Waiting], ids: dict[tuple[int, str, str], int]) -> None:
        stored: list[tuple[int, str]] = []
        for waiting in batch:
            # A repeat within the batch finds its id taken by the first: a duplicate.
            inbox_id = ids.pop((waiting.commune_id, waiting.channel, waiting.key), None)
            if inbox_id is not None and waiting.queue:
                stored.append((inbox_id, waiting.conversation or ""))
            if not waiting.done.done():
                waiting.done.set_result(inbox_id)
        for inbox_id, conversation in stored:  # every caller has its answer first
            self.on_stored(inbox_id, conversation)


def _refused(exc: Exception) -> bool:
    """Whether the database refused the statement for what it holds (a value too long,
    a constraint), rather than being unreachable or busy: then one row is to blame."""
    return isinstance(exc, DBAPIError) and not unreachable(exc)


def _fail(batch: list[_Waiting], exc: Exception) -> None:
    for waiting in batch:
        if not waiting.done.done():
            waiting.done.set_exception(exc)
