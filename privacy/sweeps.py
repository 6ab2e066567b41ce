"""Privacy sweeps: the daily retention run and warnings about requests running late.

Warnings go to the one-stop shop's staff chats (the complaint routing), only in working
hours, once per request and stage (not acknowledged in time; not completed in time),
marked on the row in the same transaction as the message they queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import or_, select

from bot.communes import CommuneDirectory
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.outbox import Envelope, enqueue
from bot.types import Reply
from complaints import routing, service
from complaints.categories import ONE_STOP
from privacy import retention
from privacy.models import OPEN_STATUSES, RECEIVED, PrivacyRequest

log = logging.getLogger(__name__)

ALERT_KIND = "staff_alert"


class RequestMessages(Protocol):
    """What staff read about requests (rendered by handlers.privacy)."""

    def new_request(self, request: PrivacyRequest) -> Reply: ...

    def ack_overdue(self, request: PrivacyRequest) -> Reply: ...

    def overdue(self, request: PrivacyRequest) -> Reply: ...


@dataclass
class PrivacySweeps:
    db: Database
    communes: CommuneDirectory
    messages: RequestMessages
    on_outbox: Callable[[], None] = lambda: None
    clock: Callable[[], datetime] = utcnow

    def _claim(self, query: Any) -> Any:
        return query if self.db.is_sqlite else query.with_for_update(skip_locked=True)

    async def retention(self) -> dict[str, dict[str, int]]:
        report = await retention.run(self.db, self.communes.all(), now=self.clock(), dry_run=False)
        for slug, counts in report.items():
            changed = {k: v for k, v in counts.items() if v}
            if changed:
                log.info("retention for %s: %s", slug, changed)
        return report

    async def overdue(self) -> int:
        """Warn staff about requests past their acknowledgement or completion deadline."""
        now = self.clock()
        warned = 0
        for commune in self.communes.all():
            async with self.db.transaction() as session:
                rules = await service.rules_for(session, commune.id, commune.settings)
                if not rules.calendar.is_working_time(now):
                    continue
                late = (
                    await session.execute(
                        self._claim(
                            select(PrivacyRequest)
                            .where(
                                PrivacyRequest.commune_id == commune.id,
                                PrivacyRequest.status.in_(OPEN_STATUSES),
                                or_(
                                    (PrivacyRequest.status == RECEIVED)
                                    & (PrivacyRequest.ack_due_at <= now)
                                    & PrivacyRequest.ack_warned_at.is_(None),
                                    (PrivacyRequest.due_at <= now)
                                    & PrivacyRequest.overdue_warned_at.is_(None),
                                ),
                            )
                            .order_by(PrivacyRequest.due_at)
                        )
                    )
                ).scalars()
                chats = routing.unit_chats(ONE_STOP, rules.settings, commune.staff_chats)
                envelopes = []
                for request in late:
                    if request.due_at <= now and request.overdue_warned_at is None:
                        reply = self.messages.overdue(request)
                        request.overdue_warned_at = now
                        request.ack_warned_at = request.ack_warned_at or now
                    else:
                        reply = self.messages.ack_overdue(request)
                        request.ack_warned_at = now
                    envelopes += [Envelope(ch, chat, reply, kind=ALERT_KIND) for ch, chat in chats]
                    warned += 1
                if envelopes:
                    enqueue(session, commune.id, envelopes, now=now)
        if warned:
            log.info("warned staff about %d late privacy requests", warned)
            self.on_outbox()
        return warned
