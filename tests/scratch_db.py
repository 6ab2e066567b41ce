"""Empty, never-migrated databases for tests that need a schema of their own.

The shared PostgreSQL test database is migrated and truncated between tests; a test that
walks migrations down to nothing, or restores into an empty database, must not pull the
schema from under the others. It gets a database of its own on the same server.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url


@contextmanager
def empty_database(
    backend: str, server_url: str | None, directory: Path, *, encoding: str = "UTF8"
) -> Iterator[str]:
    """An async SQLAlchemy URL of an empty database; PostgreSQL ones are dropped after."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / f'scratch-{secrets.token_hex(4)}.db'}"
        return
    assert server_url is not None
    url = make_url(server_url)
    name = f"scratch_{secrets.token_hex(6)}"
    asyncio.run(_admin(url, f"CREATE DATABASE \"{name}\" ENCODING '{encoding}' TEMPLATE template0"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(url, f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _admin(url: URL, statement: str) -> None:
    conn = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database="postgres"
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
