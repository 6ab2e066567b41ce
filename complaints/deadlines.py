"""Deadlines replayed from a ticket's event history.

The history is the record: a ticket's due times, whether it was answered on time and the
on-time rate of a period are all computed by replaying its events over the working
calendar, so a day off added later (a compensatory day announced in the year) corrects
the figures instead of leaving stale ones behind. The ticket row caches the result.

Event kinds that matter here:
- ``received``: the clock starts; ``data`` holds the ack and answer days in force then.
- ``taken``: a staff member took the ticket (acknowledges it).
- ``info_requested``: staff asked the resident for more: acknowledges, stops the clock.
- ``resident_message``: the resident wrote; restarts a stopped clock.
- ``replied``, ``closed``, ``rejected``: the resident got a response (the first one
  counts for the on-time rate); each also acknowledges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from complaints.calendar import WorkingCalendar

RECEIVED = "received"
TAKEN = "taken"
INFO_REQUESTED = "info_requested"
RESIDENT_MESSAGE = "resident_message"
REPLIED = "replied"
CLOSED = "closed"
REJECTED = "rejected"
RESPONSES = frozenset({REPLIED, CLOSED, REJECTED})
ACKNOWLEDGING = RESPONSES | {TAKEN, INFO_REQUESTED}


class EventLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def at(self) -> datetime: ...

    @property
    def data(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Timeline:
    received_at: datetime
    ack_due_at: datetime
    due_at: datetime  # the answer deadline, pushed by every completed pause
    acknowledged_at: datetime | None
    first_response_at: datetime | None
    waiting_since: datetime | None  # a pause still running

    def due_as_of(self, calendar: WorkingCalendar, now: datetime) -> datetime:
        """The deadline counting a running pause up to ``now`` (the clock is stopped)."""
        if self.waiting_since is None:
            return self.due_at
        return calendar.add_working_seconds(
            self.due_at, calendar.working_seconds(self.waiting_since, now)
        )

    def on_time(self) -> bool | None:
        """Whether the first response came by the deadline; None while there is none."""
        if self.first_response_at is None:
            return None
        return self.first_response_at <= self.due_at


def replay(events: Iterable[EventLike], calendar: WorkingCalendar) -> Timeline:
    ordered = sorted(events, key=lambda e: e.at)
    if not ordered or ordered[0].kind != RECEIVED:
        raise ValueError("a ticket's history starts with its 'received' event")
    first = ordered[0]
    received_at = first.at
    ack_due = calendar.deadline(received_at, int(first.data.get("ack_days", 1)))
    due = calendar.deadline(received_at, int(first.data.get("answer_days", 10)))
    acknowledged: datetime | None = None
    responded: datetime | None = None
    waiting: datetime | None = None
    for event in ordered[1:]:
        if event.kind in ACKNOWLEDGING and acknowledged is None:
            acknowledged = event.at
        if event.kind in RESPONSES and responded is None:
            responded = event.at
        if event.kind == INFO_REQUESTED and waiting is None and responded is None:
            waiting = event.at
        elif waiting is not None and event.kind in {RESIDENT_MESSAGE} | RESPONSES:
            # The resident answered (or staff went ahead without them): the clock runs
            # again, later by exactly the working time it was stopped.
            due = calendar.add_working_seconds(due, calendar.working_seconds(waiting, event.at))
            waiting = None
    return Timeline(received_at, ack_due, due, acknowledged, responded, waiting)
