"""``motcua serve``: the web chat, health checks and channel webhooks.

By default one process also handles the updates. With ``--workers N`` the handling
moves to N worker processes (bot/workers.py); this one receives and sends.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot.app import Role, Runtime, build_runtime
from bot.cli.work import check_workers
from bot.config import Settings
from bot.event_loop import loop_factory
from bot.web import create_app
from bot.workers import WAKE_WEB, WorkerPool


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the bot: web chat at /, webhooks, health checks")
    p.add_argument("--host", help="address to listen on (default MOTCUA_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default MOTCUA_PORT or 8080)")
    p.add_argument(
        "--telegram-polling",
        action="store_true",
        help="fetch Telegram updates with getUpdates instead of the webhook (local use)",
    )
    p.add_argument(
        "--workers",
        type=int,
        help="handle updates in N separate processes (motcua work), each on its own core; "
        "0: all in this process (default MOTCUA_WORKERS or 0). SQLite allows 1",
    )
    p.set_defaults(func=run, log_level=logging.INFO)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    logging.getLogger().setLevel(settings.log_level.upper())
    # A line per sweep every few seconds drowns what matters; warnings still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    host = args.host or settings.host
    port = args.port or settings.port
    if args.telegram_polling:
        settings.telegram_polling = True
    workers = settings.workers if args.workers is None else args.workers
    check_workers(settings, workers)
    runtime = build_runtime(settings)
    if runtime.db.is_sqlite:
        # aiosqlite runs each statement in its own thread; with Python's default 5 ms GIL
        # switch interval a busy event loop makes every statement wait up to 5 ms for the
        # result, and a transaction holding SQLite's one write lock waits that many times.
        sys.setswitchinterval(0.0002)
    app = create_app(runtime)
    app.cleanup_ctx.append(_freeze_start_up_objects)
    if workers:
        runtime.role = Role.WEB
        runtime.db.share_writes(urgent=True)
        runtime.processor.elsewhere = True
        # After the runtime's own start-up (which migrates the database), before its stop.
        pool = WorkerPool(workers)
        runtime.processor.wake_workers = pool.wake
        app.cleanup_ctx.append(_workers(pool, runtime))
    print(
        f"motcua: web chat at http://{host}:{port}/  (data in {settings.data_dir.resolve()})",
        flush=True,
    )
    web.run_app(
        app,
        host=host,
        port=port,
        print=None,
        access_log=None,
        loop=loop_factory(settings.event_loop)(),
    )
    return 0


async def _freeze_start_up_objects(app: web.Application) -> AsyncIterator[None]:
    """Once started, the catalogues, matcher indexes and modules live as long as the
    process: take them out of the cyclic garbage collector's sweeps. A full sweep over
    them took about 100 ms, a pause every webhook waiting at that moment paid."""
    gc.freeze()
    yield


def _workers(
    pool: WorkerPool, runtime: Runtime
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        # A worker that wrote replies wakes the relay (bot/workers.py).
        asyncio.get_running_loop().add_signal_handler(WAKE_WEB, runtime.relay.wake)
        await pool.start()
        yield
        await pool.stop()

    return lifecycle
