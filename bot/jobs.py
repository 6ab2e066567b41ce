"""Scheduled sweeps on APScheduler 3 (wiring only).

Everything that happens later (survey invitations, reminders, deadline warnings, token
refresh, retention) is a row with a due time; a sweep is a short, idempotent function
that handles what is due. Sweeps run in the commune time zone with explicit ids,
``replace_existing``, ``coalesce`` and a bounded ``misfire_grace_time``, so a restart or
a slow pass never runs a sweep twice at once or replays a backlog of missed runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import TIMEZONE

log = logging.getLogger(__name__)

Sweep = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    id: str
    func: Sweep
    seconds: float | None = None  # run every N seconds...
    cron: str | None = None  # ...or on a crontab schedule ("0 8 * * mon-fri")


class Jobs:
    def __init__(self) -> None:
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
                _logged(job),
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


def _logged(job: Job) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job.func()
        except Exception:
            log.exception("job %s failed", job.id)

    return run
