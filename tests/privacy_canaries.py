"""Personal data used by the tests: every name, phone number and address a test resident
gives. Test dialogues and fixtures take their values from here, and the log watcher
(tests/log_canary.py) fails the test session if any of them shows up in a log record.

A canary must be distinctive enough that it never occurs by chance in a log line (no
short first names, no phone number the bot itself prints as an example).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    name: str
    phone: str  # as the resident types it, normalised form
    address: str

    @property
    def phone_forms(self) -> tuple[str, ...]:
        """The phone as residents write it: plain, spaced, dotted, +84, without the 0."""
        p = self.phone
        spaced = f"{p[:4]} {p[4:7]} {p[7:]}"
        dotted = f"{p[:4]}.{p[4:7]}.{p[7:]}"
        return (p, spaced, dotted, "+84" + p[1:], "84" + p[1:])


# The complaint canary (tests/dialogues/complaints.py and the privacy tests).
CANARY = Person("Phùng Thị Canary", "0987654321", "Số 27 ngõ Hoa Sữa, thôn Đông")
# A second resident, for corrections and for "never another person's data".
SECOND = Person("Lò Văn Sẻ Canary", "0976543210", "Số 8 bản Nà Sliểm")
# Who the captured Telegram and Zalo fixtures write as (tests/fixtures/*).
FIXTURE_NAMES = ("Nguyễn Thị Lan", "Lan Nguyễn Thị", "lan_nguyen", "Trần Văn Hùng", "Hùng Trần Văn")
FIXTURE_PHONES = ("+84912345678",)

PEOPLE = (CANARY, SECOND)


def canaries() -> tuple[str, ...]:
    """Every value that must never appear in a log record, lower-cased."""
    values: list[str] = [*FIXTURE_NAMES, *FIXTURE_PHONES]
    for person in PEOPLE:
        values += [person.name, person.address, *person.phone_forms]
    return tuple(dict.fromkeys(v.lower() for v in values))


def found_in(text: str, needles: tuple[str, ...] | None = None) -> list[str]:
    lowered = text.lower()
    return [needle for needle in needles or canaries() if needle in lowered]
