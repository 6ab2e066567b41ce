"""Working days and deadlines: weekends, Tết, compensatory days, and the clock that
stops while staff wait for the resident.

Public holidays come from the ``holidays`` package; the dates pinned here are what it
says for Vietnam (verify against the government's yearly announcement).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from complaints.calendar import WorkingCalendar
from complaints.config import WorkingHours
from complaints.deadlines import (
    INFO_REQUESTED,
    RECEIVED,
    REPLIED,
    RESIDENT_MESSAGE,
    replay,
)
from tests.complaints.drivers import local


@dataclass
class Event:
    kind: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)


def received(at: datetime, answer_days: int = 10, ack_days: int = 1) -> Event:
    return Event(RECEIVED, at, {"ack_days": ack_days, "answer_days": answer_days})


CAL = WorkingCalendar()
HOUR = 3600.0


def test_weekends_and_holidays_are_not_working_days() -> None:
    assert CAL.is_working_day(date(2026, 3, 6))  # a Friday
    assert not CAL.is_working_day(date(2026, 3, 7))  # Saturday
    assert not CAL.is_working_day(date(2026, 3, 8))  # Sunday
    assert not CAL.is_working_day(date(2026, 9, 2))  # National Day
    # Lunar Tết, from the maintained package rather than a hand-written list: Tết 2026
    # falls on 17 February, Tết 2030 on 2 February (Mùng ba on Monday the 4th).
    assert CAL.holiday_name(date(2026, 2, 17))
    assert not CAL.is_working_day(date(2026, 2, 16))  # Giao thừa, a Monday
    assert not CAL.is_working_day(date(2030, 2, 4))
    assert CAL.is_working_day(date(2030, 2, 7))


def test_a_deadline_counts_working_days_from_the_day_after_receipt() -> None:
    # Tuesday 10:00 + 1 working day: Wednesday, when the office closes.
    assert CAL.deadline(local(2026, 3, 10, 10), 1) == local(2026, 3, 11, 17)
    # Friday + 1: the weekend does not count.
    assert CAL.deadline(local(2026, 3, 13, 16), 1) == local(2026, 3, 16, 17)
    # Received on a Saturday: Monday is the first working day.
    assert CAL.deadline(local(2026, 3, 7, 10), 1) == local(2026, 3, 9, 17)
    # Ten working days over two weekends.
    assert CAL.deadline(local(2026, 3, 2, 9), 10) == local(2026, 3, 16, 17)


def test_tet_holidays_stop_the_count() -> None:
    # Friday 13 Feb 2026; Mon 16 (Giao thừa) to Fri 20 (Mùng bốn) are holidays, then a
    # weekend: the next working day is Monday 23 February.
    friday = local(2026, 2, 13, 10)
    assert CAL.deadline(friday, 1) == local(2026, 2, 23, 17)
    assert CAL.deadline(friday, 10) == local(2026, 3, 6, 17)
    assert CAL.working_seconds(friday, local(2026, 2, 23, 8, 30)) == 7 * HOUR + 1 * HOUR


def test_compensatory_days_off_and_working_saturdays_recorded_by_staff() -> None:
    # A bridge day off on Friday 2 January, paid back by working Saturday 10 January.
    cal = WorkingCalendar(days_off=[date(2026, 1, 2)], working_days=[date(2026, 1, 10)])
    new_years_eve = local(2025, 12, 31, 10)
    assert CAL.deadline(new_years_eve, 2) == local(2026, 1, 5, 17)  # without: Fri 2, Mon 5
    assert cal.deadline(new_years_eve, 2) == local(2026, 1, 6, 17)  # with: Mon 5, Tue 6
    assert cal.deadline(local(2026, 1, 9, 10), 1) == local(2026, 1, 10, 17)  # the Saturday
    assert cal.is_working_time(local(2026, 1, 10, 9))


def test_working_hours_are_configurable() -> None:
    assert not CAL.is_working_time(local(2026, 3, 9, 7, 29))
    assert CAL.is_working_time(local(2026, 3, 9, 7, 30))
    assert CAL.is_working_time(local(2026, 3, 9, 16, 59))
    assert not CAL.is_working_time(local(2026, 3, 9, 17))
    assert not CAL.is_working_time(local(2026, 3, 7, 10))  # Saturday
    six_days = WorkingCalendar(
        WorkingHours.model_validate(
            {"start": "08:00", "end": "11:30", "weekdays": [0, 1, 2, 3, 4, 5]}
        )
    )
    assert six_days.is_working_time(local(2026, 3, 7, 10))
    assert not six_days.is_working_time(local(2026, 3, 7, 12))
    assert six_days.deadline(local(2026, 3, 6, 9), 1) == local(2026, 3, 7, 11, 30)


def test_next_opening_skips_nights_weekends_and_holidays() -> None:
    assert CAL.next_opening(local(2026, 3, 9, 10)) == local(2026, 3, 9, 10)
    assert CAL.next_opening(local(2026, 3, 9, 6)) == local(2026, 3, 9, 7, 30)
    assert CAL.next_opening(local(2026, 3, 13, 18)) == local(2026, 3, 16, 7, 30)
    assert CAL.next_opening(local(2026, 2, 14, 9)) == local(2026, 2, 23, 7, 30)


def test_adding_working_time_rolls_over_nights_and_weekends() -> None:
    friday_four = local(2026, 3, 13, 16)
    assert CAL.add_working_seconds(friday_four, 0.5 * HOUR) == local(2026, 3, 13, 16, 30)
    assert CAL.add_working_seconds(friday_four, 2 * HOUR) == local(2026, 3, 16, 8, 30)
    # From a closing time, the next working morning.
    assert CAL.add_working_seconds(local(2026, 3, 16, 17), 3 * HOUR) == local(2026, 3, 17, 10, 30)


def test_the_clock_stops_while_waiting_for_the_resident() -> None:
    start = local(2026, 3, 2, 9)  # Monday; 10 working days: Monday 16 March, 17:00
    events = [received(start)]
    assert replay(events, CAL).due_at == local(2026, 3, 16, 17)
    # Staff ask on Wednesday 15:00; the resident answers the next Monday 08:30.
    asked, answered = local(2026, 3, 4, 15), local(2026, 3, 9, 8, 30)
    events.append(Event(INFO_REQUESTED, asked))
    waiting = replay(events, CAL)
    assert waiting.waiting_since == asked and waiting.acknowledged_at == asked
    # While it waits, the deadline it shows moves on with the working time that passes.
    assert waiting.due_as_of(CAL, local(2026, 3, 4, 16)) == local(2026, 3, 17, 8, 30)
    events.append(Event(RESIDENT_MESSAGE, answered))
    resumed = replay(events, CAL)
    # Paused: Wed 2 h + Thu 9.5 h + Fri 9.5 h + Mon 1 h = 22 working hours, so the
    # deadline moves from Mon 16 17:00 to Thu 19 10:30 (9.5 + 9.5 + 3).
    assert CAL.working_seconds(asked, answered) == 22 * HOUR
    assert resumed.waiting_since is None
    assert resumed.due_at == local(2026, 3, 19, 10, 30)
    events.append(Event(REPLIED, local(2026, 3, 18, 15)))
    assert replay(events, CAL).on_time() is True  # late without the pause, on time with it


def test_a_pause_over_tet_costs_no_working_time() -> None:
    start = local(2026, 2, 9, 9)  # Monday before Tết; 10 working days
    events = [received(start), Event(INFO_REQUESTED, local(2026, 2, 13, 17))]
    events.append(Event(RESIDENT_MESSAGE, local(2026, 2, 23, 7)))  # before opening
    assert replay(events, CAL).due_at == replay(events[:1], CAL).due_at


def test_a_second_pause_adds_up_and_a_late_answer_is_late() -> None:
    start = local(2026, 3, 2, 9)
    events = [
        received(start, answer_days=2),  # due Wed 4 March 17:00
        Event(INFO_REQUESTED, local(2026, 3, 2, 10)),
        Event(RESIDENT_MESSAGE, local(2026, 3, 2, 12)),  # 2 h
        Event(INFO_REQUESTED, local(2026, 3, 3, 9)),
        Event(RESIDENT_MESSAGE, local(2026, 3, 3, 10)),  # 1 h
    ]
    timeline = replay(events, CAL)
    assert timeline.due_at == local(2026, 3, 5, 10, 30)  # 3 working hours later
    late = replay([*events, Event(REPLIED, local(2026, 3, 5, 11))], CAL)
    assert late.on_time() is False
