"""Shared set-up for commands that work on the deployment's database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select

from bot.cli import CommandError
from bot.communes import CommuneProfile, sync_communes
from bot.config import Settings
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Commune


@asynccontextmanager
async def open_database(settings: Settings | None = None) -> AsyncIterator[Database]:
    """The configured database, migrated, with the configured communes present."""
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    try:
        await upgrade(db)
        async with db.transaction() as session:
            await sync_communes(session, settings.communes())
        yield db
    finally:
        await db.dispose()


async def commune_profile(db: Database, slug: str | None) -> CommuneProfile:
    slug = slug or Settings().commune_slug
    async with db.read() as session:
        row = (
            await session.execute(select(Commune).where(Commune.slug == slug))
        ).scalar_one_or_none()
    if row is None:
        raise CommandError(f"unknown commune {slug!r} (configure it in MOTCUA_CONFIG first)")
    return CommuneProfile.from_row(row)
