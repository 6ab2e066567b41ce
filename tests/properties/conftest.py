"""Property tests run on SQLite only (PostgreSQL-specific characters have their own
test on both backends), with a staff group configured so staff commands can be fed too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from tests.complaints.drivers import STAFF_GROUP, STAFF_IDS


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "motcua.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.staff_telegram_chat = STAFF_GROUP
    settings.staff_telegram_users = ",".join(STAFF_IDS)
    return settings
