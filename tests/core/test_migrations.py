"""Every migration goes up and comes back down, on SQLite and PostgreSQL, and the schema
the migrations build is the one the models describe.

A downgrade nobody ran is a downgrade that fails the night it is needed; a model changed
without its migration is a column production never gets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

import bot.db.models  # noqa: F401  (registers the core tables)
from bot.db.base import Base
from bot.db.engine import Database
from bot.db.migrate import alembic_config, current_revision, downgrade, head, upgrade
from bot.db.models_registry import import_domain_models
from tests.conftest import BACKENDS
from tests.scratch_db import empty_database

pytestmark = pytest.mark.db

import_domain_models()


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    server = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    with empty_database(request.param, server, tmp_path) as url:
        yield url


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def test_every_migration_goes_down_and_up_again_and_matches_the_models(empty_url: str) -> None:
    async def walk() -> None:
        db = Database(empty_url)
        try:
            previous = "base"
            for revision in revisions():  # each step up, back down, and up again
                await upgrade(db, revision)
                await downgrade(db, previous)
                assert await current_revision(db) == (None if previous == "base" else previous)
                await upgrade(db, revision)
                previous = revision
            assert await current_revision(db) == head()

            await downgrade(db, "base")
            async with db.engine.connect() as conn:
                assert await conn.run_sync(tables) == set(), "base must leave no table behind"
            assert await current_revision(db) is None

            await upgrade(db)
            async with db.engine.connect() as conn:
                assert await conn.run_sync(tables) == set(Base.metadata.tables)
                assert await conn.run_sync(differences) == []
        finally:
            await db.dispose()

    asyncio.run(walk())
