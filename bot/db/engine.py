"""Engine, sessions and transactions for SQLite and PostgreSQL.

SQLite allows one writer at a time. Rather than letting concurrent transactions collide
and spin on ``database is locked``, every write transaction in this process takes one
asyncio lock, then a lock file shared with other processes (bot/db/file_lock.py), and
starts with ``BEGIN IMMEDIATE``. On PostgreSQL transactions run freely
and row locks (``FOR UPDATE``) serialise what must be serialised.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from bot.db import inline_sqlite
from bot.db.file_lock import FileWriteLock
from bot.db.liveness import replace_dead_connections

_WRITE = "motcua_write"


class Database:
    """Owns the engine; hands out sessions inside transactions."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        # Statement parameters hold residents' messages, names and phones: keep them out
        # of error messages (which end up in logs) and of echoed SQL.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            database = self.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if not self.is_sqlite:
            replace_dead_connections(self.engine.sync_engine)  # instead of pool_pre_ping
        self.write_engine = self.engine
        if self.is_sqlite:
            # Writes are short and serialised anyway: run them without a thread hop
            # (bot/db/inline_sqlite.py). One connection is all a single writer needs.
            self.write_engine = create_async_engine(
                self.url,
                echo=echo,
                hide_parameters=True,
                async_creator=inline_sqlite.connector(self.url.database or ":memory:", 30),
                pool_size=1,
                max_overflow=0,
            )
            for engine in (self.engine, self.write_engine):
                event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
                event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL: one statement without a transaction around it (``statement``).
        self._statement_sessions = async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._write_lock = WriteLock()
        database = self.url.database
        self._file_lock = (
            FileWriteLock(Path(database))
            if self.is_sqlite and database and database != ":memory:"
            else None
        )

    @asynccontextmanager
    async def transaction(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error.

        ``urgent`` transactions (storing a webhook's update before answering it) go ahead
        of others waiting for SQLite's single writer; on PostgreSQL it changes nothing.
        """
        if self.is_sqlite:
            await self._write_lock.acquire(urgent=urgent)
            try:
                async with contextlib.AsyncExitStack() as held:
                    if self._file_lock is not None:  # other processes (bot/db/file_lock.py)
                        await held.enter_async_context(self._file_lock.held(urgent=urgent))
                    async with self._write_sessions() as session, session.begin():
                        await session.connection(execution_options={_WRITE: True})
                        yield session
            finally:
                self._write_lock.release()
        else:
            async with self.sessions() as session, session.begin():
                yield session

    @asynccontextmanager
    async def statement(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """A session for one write statement that is atomic by itself (a multi-row insert).

        On PostgreSQL it runs without BEGIN and COMMIT: a webhook's insert took three round
        trips, now one. The caller runs exactly one statement; several would each commit
        on their own. On SQLite it is an ordinary (urgent) write transaction.
        """
        if self.is_sqlite:
            async with self.transaction(urgent=urgent) as session:
                yield session
        else:
            async with self._statement_sessions() as session:
                yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only. On SQLite (WAL) readers never wait for the writer."""
        async with self.sessions() as session:
            yield session

    def writer_waiting(self) -> bool:
        """Whether another process waits to write (SQLite; see bot/db/file_lock.py)."""
        return self._file_lock is not None and self._file_lock.others_waiting()

    def share_writes(self, *, urgent: bool) -> None:
        """How this process shares SQLite's write lock with another (bot/db/file_lock.py).

        ``urgent``: the web process beside a worker, every write first. Otherwise a
        worker: nothing else to do while it waits, so it blocks for the lock.
        """
        if self._file_lock is not None:
            self._file_lock.urgent = urgent
            self._file_lock.blocking = not urgent

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()
        if self._file_lock is not None:
            self._file_lock.close()


class WriteLock:
    """An asyncio lock that is FIFO except that urgent waiters are served first.

    A webhook must answer within Telegram's patience and should not queue behind handler
    transactions; callers that are urgent keep their transactions short (one insert).
    """

    def __init__(self) -> None:
        self._locked = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    async def acquire(self, *, urgent: bool = False) -> None:
        if not self._locked and not self._urgent and not self._normal:
            self._locked = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._normal
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed over just as we were cancelled: pass it on
            else:
                queue.remove(waiter)
            raise

    def release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # ownership passes; the lock stays taken
                    return
        self._locked = False


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_on_begin); pysqlite's implicit
    # transactions would otherwise start a deferred one behind our back.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # Writers take the lock up front: a deferred transaction that later upgrades to a
    # write can fail with SQLITE_BUSY without waiting. Readers stay deferred.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def null_pool_engine(url: str) -> AsyncEngine:
    """A throwaway engine for one-off commands (migrations from the CLI)."""
    return create_async_engine(url, poolclass=NullPool, hide_parameters=True)
