"""Bring a database to the latest schema with Alembic, from code.

On PostgreSQL several instances may start together: a transaction-level advisory lock
makes them upgrade one after another instead of racing on the same DDL.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.db.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_ID = 0x6D6F7463  # "motc"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


async def upgrade(db: Database, revision: str = "head") -> None:
    async with db.engine.begin() as conn:
        if not db.is_sqlite:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        await conn.run_sync(_upgrade, revision)


async def downgrade(db: Database, revision: str) -> None:
    """Step the schema back (``"base"`` drops every table); for tests and rollbacks."""
    async with db.engine.begin() as conn:
        if not db.is_sqlite:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        await conn.run_sync(_downgrade, revision)


async def current_revision(db: Database) -> str | None:
    """The revision the database is at (``None``: never migrated)."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current)


def _downgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    if revision == "head" and _current(connection) == head():
        return  # nothing to do: skip loading Alembic's environment on every start
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


@functools.cache
def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
