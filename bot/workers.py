"""Worker processes: handling and sending on other cores than the web server's.

One Python process uses one core. ``motcua serve --workers N`` keeps the web server
(webhooks, web chat, staff pages) and the outbox relay in its own process and starts N
``motcua work`` processes that pull updates from the inbox, run the handlers and the
scheduled sweeps. A webhook then answers as soon as its update is stored, without
queueing behind handler work on the same event loop, and the handlers get a core of
their own. The relay stays with the web server: sending is network waiting, and one
relay per database keeps SQLite's per-chat order simple.

The processes wake each other with signals: the web process its workers when it stored
updates (``WAKE_WORKER``), a worker its web process when it wrote replies for the relay
(``WAKE_WEB``). Each then looks at once instead of polling the database every few
milliseconds, which kept an idle province instance at a quarter of a core. Slow polls
remain for what no signal announces (rows of other instances, rows left by a worker that
died). Both are signals whose default action is to do nothing: a wake that reaches a
worker still starting up, or a process already shutting down, is dropped, where
SIGUSR1's default would end it. Inheriting an ignored SIGUSR1 was not enough: uvloop
(bot/event_loop.py) starts children through libuv, which resets every signal to its
default in the child.

The pool restarts a worker that exits unexpectedly (what it held stays pending in the
inbox and outbox and is picked up again) and stops the workers with SIGTERM on
shutdown, waiting for them to finish what they hold. A worker whose web process died
without stopping it (SIGKILL) notices that its parent is gone and stops too
(``PARENT_ENV``), so a restarted server never finds an old worker still running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable

log = logging.getLogger(__name__)

PARENT_ENV = "MOTCUA_WORKER_PARENT"  # the web process's pid, given to its workers
# Default action: ignore (see above). Nothing else here sends them: SIGURG comes only to
# a socket's owner (F_SETOWN), SIGWINCH to a terminal's foreground group when it is
# resized, which at most wakes a relay for nothing.
WAKE_WORKER = signal.SIGURG  # to a worker: updates were stored
WAKE_WEB = signal.SIGWINCH  # to the web process: replies were written

STOP_WAIT_SECONDS = 30.0  # a worker finishing what it claimed
RESTART_DELAY_SECONDS = 1.0
MAX_RESTART_DELAY_SECONDS = 60.0


class WorkerPool:
    def __init__(self, count: int, command: list[str] | None = None) -> None:
        self.count = count
        self.command = command or [sys.executable, "-m", "bot", "work"]
        self._processes: dict[int, asyncio.subprocess.Process] = {}
        self._supervisors: list[asyncio.Task[None]] = []
        self._stopping = False
        self._wake_due = False

    async def start(self) -> None:
        for index in range(self.count):
            await self._spawn(index)
            self._supervisors.append(asyncio.create_task(self._supervise(index)))

    async def stop(self) -> None:
        self._stopping = True
        for process in self._processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for index, process in self._processes.items():
            try:
                await asyncio.wait_for(process.wait(), STOP_WAIT_SECONDS)
            except TimeoutError:
                log.error("worker %d did not stop in %.0f s: killed", index, STOP_WAIT_SECONDS)
                process.kill()
                await process.wait()
        for task in self._supervisors:
            task.cancel()
        await asyncio.gather(*self._supervisors, return_exceptions=True)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes.values() if p.returncode is None]

    def wake(self) -> None:
        """Tell the workers updates were stored; one signal per event-loop turn at most."""
        if self._wake_due:
            return
        self._wake_due = True
        asyncio.get_running_loop().call_soon(self._send_wake)

    def _send_wake(self) -> None:
        self._wake_due = False
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):  # it just exited: restarted soon
                os.kill(pid, WAKE_WORKER)

    async def _spawn(self, index: int) -> None:
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        self._processes[index] = await asyncio.create_subprocess_exec(*self.command, env=env)
        log.info("worker %d started (pid %d)", index, self._processes[index].pid)

    async def _supervise(self, index: int) -> None:
        delay = RESTART_DELAY_SECONDS
        while True:
            process = self._processes[index]
            started = asyncio.get_running_loop().time()
            code = await process.wait()
            if self._stopping:
                return
            log.error("worker %d exited with %s: restarting in %.0f s", index, code, delay)
            await asyncio.sleep(delay)
            if self._stopping:
                return
            with contextlib.suppress(OSError):
                await self._spawn(index)
            # A worker that ran a while before dying starts the backoff again.
            ran = asyncio.get_running_loop().time() - started
            delay = RESTART_DELAY_SECONDS if ran > 60 else min(2 * delay, MAX_RESTART_DELAY_SECONDS)


def parent_of_worker() -> int | None:
    """The web process that started this worker (``serve --workers``); None when it was
    started by hand."""
    parent = os.environ.get(PARENT_ENV)
    return int(parent) if parent else None


def parent_waker(parent: int) -> Callable[[], None]:
    """From a worker: a call that tells its web process replies are waiting. Made once;
    it runs after every batch that wrote replies."""

    def wake() -> None:
        if os.getppid() == parent:  # not a web process that died, its pid reused
            with contextlib.suppress(ProcessLookupError):
                os.kill(parent, WAKE_WEB)

    return wake
