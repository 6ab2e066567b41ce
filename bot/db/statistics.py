"""The planner's statistics of the queue tables, kept current during a burst.

PostgreSQL plans each query from statistics that autovacuum refreshes about once a
minute (and never, until the table has seen enough changes). A burst fills the inbox and
the outbox well before that. Planned for a table with nothing waiting, the inbox's claim
sorted or scanned every pending row (50-80 ms of the database's CPU per claim with
13,000 waiting, instead of under one), and the relay's looks combined the wrong indexes.
So whoever finds a full batch to take (a backlog) refreshes the table's statistics
itself, at most every ``EVERY`` seconds per process. SQLite plans without them.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.db.engine import Database

log = logging.getLogger(__name__)

EVERY = 5.0  # seconds between refreshes by one process: one ANALYZE costs tens of ms
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's error code for a lock_timeout
QUEUE_TABLES = ("inbox", "outbox")


async def refresh(db: Database, table: str) -> bool:
    """``ANALYZE`` one queue table now. Returns False when another process (an instance,
    autovacuum) is analysing or vacuuming it right now: its figures will do."""
    if table not in QUEUE_TABLES:
        raise ValueError(f"not a queue table: {table!r}")
    try:
        async with db.transaction() as session:
            connection = await session.connection()
            await connection.execute(text("SET LOCAL lock_timeout = '100ms'"))
            await connection.execute(text(f"ANALYZE {table}"))
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        return False
    return True


class StatisticsKeeper:
    """One table's statistics, refreshed when its user sees a backlog: never too often,
    and never failing the work that saw it."""

    def __init__(
        self,
        db: Database,
        table: str,
        *,
        every: float = EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.table = table
        self.every = every
        self.clock = clock
        self._refreshed_at = -math.inf

    async def backlog_seen(self) -> None:
        if self.db.is_sqlite:
            return
        now = self.clock()
        if now - self._refreshed_at < self.every:
            return
        self._refreshed_at = now
        try:
            await refresh(self.db, self.table)
        except Exception:
            # Only the queries' speed depends on it: the batch is handled and committed.
            log.warning("could not refresh the statistics of %s", self.table, exc_info=True)
