"""Per-commune privacy settings, stored under ``settings["privacy"]`` of the commune.

Retention periods say how long each kind of data is kept after it stopped being
needed; request deadlines follow Decree 356/2025/NĐ-CP as CONTEXT.md reads it (verify
with the commune's legal officer): acknowledge within 2 working days, complete within
15 days. The 15 are taken as calendar days, ending on the last working day on or before
the 15th so the office is open when the deadline falls. Contact details of closed
tickets keep their own setting (``complaints.contact_retention_days``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

SETTINGS_KEY = "privacy"


class PrivacySettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # A dialogue left untouched this long is erased, whatever its own time-out.
    draft_hours: int = Field(default=72, ge=1, le=24 * 90)
    # Conversation rows (last choices offered, failure count) of people idle this long.
    conversation_days: int = Field(default=90, ge=1, le=3650)
    # Raw updates received (they hold message text), once processed. Telegram retries a
    # delivery for up to 24 h, so the duplicate check needs at least two days.
    inbox_days: int = Field(default=30, ge=2, le=3650)
    # Messages sent (they hold the text), once sent or given up. The undelivered-answer
    # sweep looks back 7 days.
    outbox_days: int = Field(default=30, ge=8, le=3650)
    # The question log (what residents asked, linked to their account).
    question_log_days: int = Field(default=365, ge=1, le=3650)
    # Settled requests keep their record; the correction's new value goes at once.
    request_days: int = Field(default=1095, ge=30, le=3650)
    ack_working_days: int = Field(default=2, ge=0, le=30)
    complete_days: int = Field(default=15, ge=1, le=90)


def parse(raw: Any) -> PrivacySettings:
    try:
        return PrivacySettings.model_validate(raw or {})
    except ValidationError as exc:
        raise ValueError(str(exc)) from exc


def for_commune(settings: Mapping[str, Any]) -> PrivacySettings:
    """The privacy settings of a commune's ``settings`` dict, defaults where unset."""
    try:
        return parse(settings.get(SETTINGS_KEY))
    except ValueError:
        log.warning("invalid privacy settings; using the defaults")
        return PrivacySettings()
