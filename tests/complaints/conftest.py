"""Complaint tests run with a staff group and three staff members configured; staff
member 503 may see formal complaints and denunciations."""

from __future__ import annotations

import json

import pytest

from bot.app import Runtime
from bot.config import Settings
from bot.db.models import Commune
from tests.complaints.drivers import CONFIDENTIAL_OFFICER, STAFF_GROUP, STAFF_IDS


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.staff_telegram_chat = STAFF_GROUP
    settings.staff_telegram_users = ",".join(STAFF_IDS)
    return settings


async def configure(runtime: Runtime, **complaints: object) -> None:
    """Store complaint settings on the default commune and reload the profiles."""
    async with runtime.db.transaction() as session:
        from sqlalchemy import select

        row = (await session.execute(select(Commune).where(Commune.slug == "default"))).scalar_one()
        merged = dict(row.settings or {})
        merged["complaints"] = json.loads(json.dumps(complaints))
        row.settings = merged
    await runtime.communes.refresh()


@pytest.fixture
async def desk(runtime: Runtime) -> Runtime:
    """The runtime with a confidential officer designated."""
    await configure(runtime, confidential_viewers=[f"telegram:{CONFIDENTIAL_OFFICER}"])
    return runtime
