"""``motcua work``: a worker process, handling updates without a web server.

Started by ``motcua serve --workers N`` (see bot/workers.py), or on its own beside a
``motcua serve --workers`` elsewhere sharing a PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys

from bot.app import Role, Runtime, build_runtime
from bot.cli import CommandError
from bot.config import Settings
from bot.event_loop import loop_factory
from bot.workers import WAKE_WORKER, parent_of_worker, parent_waker

log = logging.getLogger(__name__)

# An idle worker looks for stored updates this often. One started by ``serve --workers``
# is woken by its web process (bot/workers.py) and polls only for what no signal
# announces; one started by hand has no such web process.
POLL_SECONDS = 0.02
WOKEN_POLL_SECONDS = 0.5
# On SQLite a worker's batch ends early when the web process waits to store a webhook's
# update (Processor._run_batch), so it can be longer than in a single process: fewer
# commits for the same work.
BATCH_SECONDS = 0.01
PARENT_CHECK_SECONDS = 0.5


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "work",
        help="handle updates without a web server (started by serve --workers)",
    )
    p.set_defaults(func=run, log_level=logging.INFO)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    logging.getLogger().setLevel(settings.log_level.upper())
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    yield_cpu_to_webhooks(settings.worker_niceness)
    runtime = worker_runtime(settings)
    if runtime.db.is_sqlite:
        sys.setswitchinterval(0.0002)  # see bot/cli/serve.py
    with asyncio.Runner(loop_factory=loop_factory(settings.event_loop)) as runner:
        runner.run(_work(runtime))
    return 0


def yield_cpu_to_webhooks(niceness: int) -> None:
    """Lower this process's CPU priority, so a busy machine serves the webhooks first.

    Acknowledging an update is a single insert; handling it costs ten times that. With
    every process at one priority, a backlog of handling made webhooks wait for the CPU
    (acknowledgement p99 over a second at 500 updates/s on two cores); with the workers
    below the web process they stay near their unloaded time and the handling catches
    up when the burst is over.
    """
    if niceness <= 0:
        return
    try:
        os.nice(niceness)
    except OSError as exc:  # a sandbox that forbids it: run at the usual priority
        log.warning("could not lower the worker's CPU priority: %s", exc)


def worker_runtime(settings: Settings) -> Runtime:
    runtime = build_runtime(settings)
    runtime.role = Role.WORKER
    runtime.db.share_writes(urgent=False)
    runtime.processor.pulls = True
    parent = parent_of_worker()
    runtime.processor.poll_seconds = POLL_SECONDS if parent is None else WOKEN_POLL_SECONDS
    if parent is not None:
        runtime.relay.wake_sender = parent_waker(parent)
    runtime.processor.batch_seconds = BATCH_SECONDS
    return runtime


def check_workers(settings: Settings, workers: int) -> None:
    """SQLite has one writer, which one worker keeps busy; a second would mostly wait,
    and the sweeps would run in both (they take no lock on SQLite)."""
    if workers < 0:
        raise CommandError("--workers must be 0 or more")
    if workers > 1 and settings.resolved_database_url.startswith("sqlite"):
        raise CommandError(
            "with SQLite use at most one worker process (--workers 1); "
            "more need PostgreSQL (MOTCUA_DATABASE_URL)"
        )


async def _work(runtime: Runtime) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    loop.add_signal_handler(WAKE_WORKER, runtime.processor.wake)
    watch = asyncio.create_task(_watch_parent(stopping))
    await runtime.start()
    gc.freeze()  # see bot/cli/serve.py
    log.info("worker ready: handling the inbox")
    try:
        await stopping.wait()
    finally:
        watch.cancel()
        await runtime.stop()


async def _watch_parent(stopping: asyncio.Event) -> None:
    """Stop when the web process that started this worker is gone (see bot/workers.py)."""
    parent = parent_of_worker()
    if parent is None:
        return  # started by hand
    while True:  # no event to wait for: a parent's death only shows in getppid()
        await asyncio.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            break
    log.error("the web process %s is gone: stopping", parent)
    stopping.set()
