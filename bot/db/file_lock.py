"""SQLite's one write lock, shared fairly between processes.

SQLite lets one connection write at a time; a connection that finds the database locked
sleeps and retries (1, 2, 5, 10 ms ... between tries) with no queue. A web process
storing webhook updates beside a worker process that writes back to back would mostly
wake to find the lock taken again, and a webhook would wait hundreds of milliseconds.

So every write transaction on a SQLite file first takes an exclusive ``flock`` on a lock
file beside the database, and urgent writers (a webhook storing its update) announce
themselves first with a second lock, the intent: a normal writer does not start while
an urgent one waits. SQLite's own lock stays underneath, for writers that do not take
part (the ``sqlite3`` shell).

Waiting polls every ``POLL_SECONDS`` instead of blocking: the event loop goes on, and a
cancelled waiter leaves nothing behind. Within a process the database's asyncio lock
already orders transactions, so one process never waits for itself here.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

POLL_SECONDS = 0.0005


class FileWriteLock:
    def __init__(self, database: Path) -> None:
        self._paths = (Path(f"{database}-write.lock"), Path(f"{database}-intent.lock"))
        self._fds: tuple[int, int] | None = None

    def _open(self) -> tuple[int, int]:
        if self._fds is None:
            write, intent = (os.open(p, os.O_RDWR | os.O_CREAT, 0o600) for p in self._paths)
            self._fds = (write, intent)
        return self._fds

    @asynccontextmanager
    async def held(self, *, urgent: bool = False) -> AsyncIterator[None]:
        write, intent = self._open()
        if urgent:
            await _take(intent, fcntl.LOCK_EX)
        else:
            await _take(intent, fcntl.LOCK_SH)  # waits while an urgent writer is queued
            fcntl.flock(intent, fcntl.LOCK_UN)
        try:
            await _take(write, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(write, fcntl.LOCK_UN)
        finally:
            if urgent:
                fcntl.flock(intent, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fds is not None:
            for fd in self._fds:
                os.close(fd)
            self._fds = None


async def _take(fd: int, operation: int) -> None:
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            await asyncio.sleep(POLL_SECONDS)
