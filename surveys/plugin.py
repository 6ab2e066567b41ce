"""The surveys feature in the runtime: its services for the handlers and its sweep
(push invitations after the visit, one reminder, expiry), every minute."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.communes import CommuneProfile
from bot.config import Settings
from bot.db.base import utcnow
from bot.jobs import Job
from bot.plugins import Plugin
from bot.types import Reply
from surveys import push, service
from surveys.instrument import default_book
from surveys.models import Invitation

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60


class SurveysPlugin(Plugin):
    name = "surveys"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime: Runtime | None = None
        self.services: service.Services | None = None

    async def start(self, runtime: Runtime) -> None:
        secret = runtime.settings.secret_key
        if secret is None:  # pragma: no cover - build_runtime always sets one
            raise RuntimeError("surveys need MOTCUA_SECRET_KEY to sign invitations")
        book = default_book()
        usernames = {}
        for commune in self.settings.communes():
            if commune.telegram.bot_username:
                usernames[commune.slug] = commune.telegram.bot_username
        self.services = service.Services(secret.get_secret_value(), book, usernames)
        runtime.processor.services[service.SERVICE_KEY] = self.services
        self.runtime = runtime
        # A published questionnaire edited in place would change old answers' meaning:
        # refuse to start rather than collect answers under it.
        async with runtime.db.transaction() as session:
            for instrument in book.instruments.values():
                await service.ensure_instrument(session, instrument)

    def jobs(self, runtime: Runtime) -> list[Job]:
        return [Job("surveys.sweep", self.sweep, seconds=SWEEP_SECONDS)]

    async def sweep(self) -> push.SweepReport:
        runtime, services = self.runtime, self.services
        assert runtime is not None and services is not None

        def render(commune: CommuneProfile, invitation: Invitation, reminder: bool) -> Reply:
            from handlers.surveys import invitation_reply

            return invitation_reply(commune, invitation, reminder, services)

        async with runtime.db.transaction() as session:
            report = await push.sweep(
                session, now=utcnow(), profile=runtime.communes.by_id, render=render
            )
        if report.pushed or report.reminded:
            runtime.relay.wake()
            log.info("survey invitations: %d pushed, %d reminded", report.pushed, report.reminded)
        return report


def plugin(settings: Settings) -> Plugin:
    return SurveysPlugin(settings)
