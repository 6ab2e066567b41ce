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

How to wait depends on the process. One that serves requests (``blocking`` False)
polls, so its event loop goes on and a cancelled waiter leaves nothing behind: first
with short sleeps that hold the loop (``SPIN_SECONDS`` in all: the lock is usually
free again within a transaction or two, and the event loop's own timers cannot sleep
under a millisecond), then with the loop's sleeps. A worker process has nothing else
to do meanwhile and blocks in ``flock``: the kernel wakes it the moment the lock is
free. Within a process the database's asyncio lock already orders transactions, so a
process never waits for itself here.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

POLL_SECONDS = 0.001
SPIN_SECONDS = 0.003
SPIN_STEP_SECONDS = 0.0002


class FileWriteLock:
    def __init__(self, database: Path, *, blocking: bool = False, urgent: bool = False) -> None:
        self._paths = (Path(f"{database}-write.lock"), Path(f"{database}-intent.lock"))
        self._fds: tuple[int, int] | None = None
        self.blocking = blocking
        # Every write of this process is urgent (the web process beside a worker: its
        # relay's writes too, or a webhook would queue behind a relay write that itself
        # waits for the worker).
        self.urgent = urgent

    def _open(self) -> tuple[int, int]:
        if self._fds is None:
            write, intent = (os.open(p, os.O_RDWR | os.O_CREAT, 0o600) for p in self._paths)
            self._fds = (write, intent)
        return self._fds

    @asynccontextmanager
    async def held(self, *, urgent: bool = False) -> AsyncIterator[None]:
        write, intent = self._open()
        take = _block if self.blocking else _poll
        urgent = urgent or self.urgent
        if urgent:
            await take(intent, fcntl.LOCK_EX)
        else:
            await take(intent, fcntl.LOCK_SH)  # waits while an urgent writer is queued
            fcntl.flock(intent, fcntl.LOCK_UN)
        try:
            await take(write, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(write, fcntl.LOCK_UN)
        finally:
            if urgent:
                fcntl.flock(intent, fcntl.LOCK_UN)

    def others_waiting(self) -> bool:
        """Whether an urgent writer of another process is queued (for a holder that can
        end its transaction early, between two pieces of work)."""
        if self._fds is None:
            return False
        intent = self._fds[1]
        try:
            fcntl.flock(intent, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(intent, fcntl.LOCK_UN)
        return False

    def close(self) -> None:
        if self._fds is not None:
            for fd in self._fds:
                os.close(fd)
            self._fds = None


async def _poll(fd: int, operation: int) -> None:
    spun = 0.0
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if spun < SPIN_SECONDS:
                time.sleep(SPIN_STEP_SECONDS)  # noqa: ASYNC251 - deliberate, see above
                spun += SPIN_STEP_SECONDS
            else:
                await asyncio.sleep(POLL_SECONDS)


async def _block(fd: int, operation: int) -> None:
    fcntl.flock(fd, operation)
