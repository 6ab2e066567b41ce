"""Alembic environment. Migrations are the only way the schema changes.

Run programmatically by ``bot.db.migrate.upgrade`` (which hands over a live connection)
or from the command line with ``alembic`` and ``MOTCUA_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import bot.db.models  # noqa: F401  (registers the core tables)
from bot.db.base import Base
from bot.db.models_registry import import_domain_models

import_domain_models()
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER support
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from bot.config import Settings
    from bot.db.engine import null_pool_engine

    async def run_async() -> None:
        engine = null_pool_engine(Settings().resolved_database_url)
        async with engine.begin() as conn:
            await conn.run_sync(_run)
        await engine.dispose()

    asyncio.run(run_async())


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")
_run_online()
