"""Per-commune complaint settings, stored under ``settings["complaints"]`` of the commune.

Every target and limit must be configurable per commune; these defaults are what the
commune plans describe (acknowledge in 1 working day, answer in 10, Mon-Fri
7:30-17:00). Staff change them with ``motcua complaints settings``. A bad value is
reported when it is set, and ignored (defaults kept) if it ever reaches a running bot.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import time
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from complaints.categories import CATEGORIES, ONE_STOP, UNIT_NAMES

log = logging.getLogger(__name__)

SETTINGS_KEY = "complaints"


class Deadline(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ack_days: int = Field(default=1, ge=0, le=60)
    answer_days: int = Field(default=10, ge=1, le=120)


class WorkingHours(BaseModel):
    """When the office works, in the commune's time zone (no lunch break by default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: time = time(7, 30)
    end: time = time(17, 0)
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(not 0 <= d <= 6 for d in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _order(self) -> WorkingHours:
        if self.end <= self.start:
            raise ValueError("working hours must end after they start")
        return self

    @property
    def seconds_per_day(self) -> float:
        start = self.start.hour * 3600 + self.start.minute * 60 + self.start.second
        end = self.end.hour * 3600 + self.end.minute * 60 + self.end.second
        return float(end - start)


class Unit(BaseModel):
    """Where a unit's alerts go and who its head is ("channel:user_id")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    chats: tuple[tuple[str, str], ...] = ()  # (channel, chat_id)
    head: str | None = None


class ComplaintSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    deadlines: dict[str, Deadline] = Field(default_factory=dict)
    hours: WorkingHours = Field(default_factory=WorkingHours)
    # Remind the assignee when this many working hours are left (default: one working day).
    remind_before_hours: float = Field(default=9.5, ge=0, le=200)
    units: dict[str, Unit] = Field(default_factory=dict)
    # Who may see the content and identities of formal complaints and denunciations.
    confidential_viewers: frozenset[str] = frozenset()
    tickets_per_day: int = Field(default=3, ge=1, le=100)
    photos_per_day: int = Field(default=10, ge=0, le=100)
    photos_per_ticket: int = Field(default=3, ge=0, le=10)
    # Contact details of closed tickets are erased after this many days.
    contact_retention_days: int = Field(default=365, ge=1, le=3650)

    @field_validator("deadlines")
    @classmethod
    def _known_categories(cls, value: dict[str, Deadline]) -> dict[str, Deadline]:
        unknown = set(value) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories: {', '.join(sorted(unknown))}")
        return value

    def deadline(self, category: str) -> Deadline:
        if category in self.deadlines:
            return self.deadlines[category]
        c = CATEGORIES.get(category)
        return Deadline(ack_days=c.ack_days, answer_days=c.answer_days) if c else Deadline()

    def unit(self, key: str) -> Unit:
        unit = self.units.get(key) or Unit()
        return unit if unit.name else unit.model_copy(update={"name": UNIT_NAMES.get(key, key)})

    def head_of(self, key: str) -> str | None:
        return self.unit(key).head or self.unit(ONE_STOP).head

    def may_see_confidential(self, channel: str, user_id: str) -> bool:
        return f"{channel}:{user_id}" in self.confidential_viewers


def parse(raw: Any) -> ComplaintSettings:
    """Validate raw settings; raises ValueError with a readable message."""
    try:
        return ComplaintSettings.model_validate(raw or {})
    except ValidationError as exc:
        raise ValueError(str(exc)) from exc


def for_commune(settings: Mapping[str, Any]) -> ComplaintSettings:
    """The complaint settings of a commune's ``settings`` dict, defaults where unset."""
    try:
        return parse(settings.get(SETTINGS_KEY))
    except ValueError:
        log.warning("invalid complaint settings; using the defaults")
        return ComplaintSettings()
