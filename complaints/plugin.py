"""Wires the complaint sweeps into the runtime (listed in bot.app.PLUGIN_MODULES).

The sweeps run on short intervals; each is cheap when there is nothing to do (one
indexed query per commune), and reminders check the working hours themselves, so the
schedule need not know the calendar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Settings
from bot.jobs import Job
from bot.plugins import Plugin
from complaints.sweeps import Sweeps

if TYPE_CHECKING:
    from bot.app import Runtime


class ComplaintsPlugin(Plugin):
    name = "complaints"

    def __init__(self) -> None:
        self.sweeps: Sweeps | None = None

    def build(self, runtime: Runtime) -> Sweeps:
        from handlers.staff import MESSAGES

        return Sweeps(
            db=runtime.db,
            communes=runtime.communes,
            messages=MESSAGES,
            uploads=runtime.settings.data_dir / "uploads",
            media=runtime.media,  # channel plugins fill it in their start()
            on_outbox=runtime.relay.wake,
        )

    def jobs(self, runtime: Runtime) -> list[Job]:
        sweeps = self.sweeps = self.build(runtime)
        return [
            Job("complaints.alerts", sweeps.alerts, seconds=30),
            Job("complaints.photos", sweeps.photos, seconds=60),
            Job("complaints.deadlines", sweeps.deadlines, seconds=300),
            Job("complaints.undelivered", sweeps.undelivered, seconds=300),
            Job("complaints.drafts", sweeps.drafts, seconds=1800),
            # Retention of contact details runs with the rest in privacy.retention.
        ]


def plugin(settings: Settings) -> Plugin:
    return ComplaintsPlugin()
