"""Scheduled sweeps on APScheduler 3 (wiring only).

Everything that happens later (survey invitations, reminders, deadline warnings, token
refresh, retention) is a row with a due time; a sweep is a short, idempotent function
that handles what is due. Sweeps run in the commune time zone with explicit ids,
``replace_existing``, ``coalesce`` and a bounded ``misfire_grace_time``, so a restart or
a slow pass never runs a sweep twice at once or replays a backlog of missed runs.

Every instance schedules every sweep, but with several instances on PostgreSQL a sweep
runs in one place at a time: a run first takes a transaction-level advisory lock keyed
by the job id, and an instance that cannot get it skips that run (another instance is
doing it). Two sweeps refreshing one Zalo token, or sending one digest, would otherwise
race. The lock is held by an idle transaction on a connection of its own for as long
as the sweep runs, and dies with that connection if the instance does. On SQLite (one
instance) there is nothing to lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from bot.config import TIMEZONE
from bot.db.engine import Database

log = logging.getLogger(__name__)

Sweep = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    id: str
    func: Sweep
    seconds: float | None = None  # run every N seconds...
    cron: str | None = None  # ...or on a crontab schedule ("0 8 * * mon-fri")
    # Run in one instance at a time (an advisory lock on PostgreSQL). Only a sweep that
    # acts on its own process's memory should run everywhere.
    single_runner: bool = True


def lock_key(job_id: str) -> int:
    """A stable signed 64-bit advisory lock key for a job id (the same on every instance)."""
    digest = hashlib.blake2b(f"motcua.job:{job_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextlib.asynccontextmanager
async def single_runner(db: Database | None, job_id: str) -> AsyncIterator[bool]:
    """Yields whether this instance may run ``job_id`` now (holding the lock while it does)."""
    if db is None or db.is_sqlite:
        yield True
        return
    async with db.engine.connect() as conn:
        # The lock's transaction stays idle while the sweep runs: exempt it from any
        # idle-in-transaction limit, which would end it (and free the lock) midway.
        await conn.execute(text("SET LOCAL idle_in_transaction_session_timeout = 0"))
        taken = await conn.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key(job_id)}
        )
        try:
            yield bool(taken)
        finally:
            await conn.rollback()  # ends the transaction: the lock goes with it


class Jobs:
    def __init__(self, db: Database | None = None) -> None:
        self.db = db
        self.scheduler = AsyncIOScheduler(timezone=TIMEZONE)
        self.jobs: dict[str, Job] = {}

    def add(self, job: Job) -> None:
        self.jobs[job.id] = job

    def start(self) -> None:
        for job in self.jobs.values():
            trigger = (
                IntervalTrigger(seconds=job.seconds, timezone=TIMEZONE)
                if job.seconds is not None
                else CronTrigger.from_crontab(job.cron or "", timezone=TIMEZONE)
            )
            self.scheduler.add_job(
                self.runner(job),
                trigger,
                id=job.id,
                name=job.id,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=max(30, int(job.seconds or 60)),
            )
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def runner(self, job: Job) -> Callable[[], Coroutine[Any, Any, bool]]:
        """What the scheduler calls: the sweep, behind its lock and its error log.

        Returns whether the sweep ran here (False: another instance holds it, or it failed).
        """
        db = self.db if job.single_runner else None

        async def run() -> bool:
            try:
                async with single_runner(db, job.id) as mine:
                    if not mine:
                        log.debug("job %s is running in another instance: skipped", job.id)
                        return False
                    await job.func()
                    return True
            except Exception:
                log.exception("job %s failed", job.id)
                return False

        return run
