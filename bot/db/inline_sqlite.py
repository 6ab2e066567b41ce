"""An aiosqlite connection that runs statements in the event loop's own thread.

aiosqlite hands every statement to a worker thread and waits for the answer. For the
short statements of a write transaction (an insert, an update by key) that round trip,
and the GIL hand-over around it, costs more than SQLite itself, and a transaction that
holds SQLite's single write lock pays it once per statement. Write transactions run on
this connection: each statement blocks the loop for the few microseconds SQLite needs.
Reads, including long report queries, keep aiosqlite's thread so they never stall the
loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite


class _InlineQueue:
    """Stands in for aiosqlite's queue to its worker thread: runs each job at once.

    SQLAlchemy's adapter puts some jobs (setting the isolation level) straight on the
    queue rather than calling ``_execute``.
    """

    def put_nowait(self, job: tuple[Any, Callable[[], Any]]) -> None:
        future, function = job
        try:
            result = function()
        except BaseException as exc:
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._tx = _InlineQueue()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()  # no worker thread to start

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def connector(database: str, timeout: float) -> Callable[[], Any]:
    """An ``async_creator`` for SQLAlchemy's aiosqlite dialect."""

    async def connect() -> InlineConnection:
        def make() -> sqlite3.Connection:
            return sqlite3.connect(database, timeout=timeout, check_same_thread=False)

        return await InlineConnection(make, iter_chunk_size=64)

    return connect
