"""Privacy tests run with the complaint tests' staff group and staff members."""

from __future__ import annotations

import pytest

from bot.config import Settings
from tests.complaints.drivers import STAFF_GROUP, STAFF_IDS


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.staff_telegram_chat = STAFF_GROUP
    settings.staff_telegram_users = ",".join(STAFF_IDS)
    return settings
