"""Wires the privacy sweeps into the runtime (listed in bot.app.PLUGIN_MODULES).

Retention runs once a day at night; the late-request check every 15 minutes (it is one
indexed query per commune when nothing is late, and it keeps quiet outside working hours).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Settings
from bot.jobs import Job
from bot.plugins import Plugin
from privacy.sweeps import PrivacySweeps

if TYPE_CHECKING:
    from bot.app import Runtime


class PrivacyPlugin(Plugin):
    name = "privacy"

    def build(self, runtime: Runtime) -> PrivacySweeps:
        from handlers.privacy import MESSAGES

        return PrivacySweeps(
            db=runtime.db,
            communes=runtime.communes,
            messages=MESSAGES,
            on_outbox=runtime.relay.wake,
        )

    def jobs(self, runtime: Runtime) -> list[Job]:
        sweeps = self.build(runtime)
        return [
            Job("privacy.retention", sweeps.retention, cron="23 2 * * *"),
            Job("privacy.overdue", sweeps.overdue, seconds=900),
        ]


def plugin(settings: Settings) -> Plugin:
    return PrivacyPlugin()
