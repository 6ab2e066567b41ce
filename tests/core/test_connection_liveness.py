"""A pooled PostgreSQL connection that died is replaced before a statement meets it, and
a connection in steady use costs no ping (bot/db/liveness.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from bot.db import liveness
from bot.db.engine import Database

pytestmark = pytest.mark.db


@pytest.fixture
async def db(postgres_url: str) -> AsyncIterator[Database]:
    database = Database(postgres_url)
    yield database
    await database.dispose()


async def backend_pid(db: Database) -> int:
    async with db.read() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


def count_pings(db: Database, monkeypatch: pytest.MonkeyPatch, *, answer: bool = True) -> list[int]:
    pings: list[int] = []
    dialect = db.engine.sync_engine.dialect
    real = dialect.do_ping

    def ping(dbapi_connection: Any) -> bool:
        pings.append(1)
        if not answer:
            raise ConnectionResetError("dropped by a firewall")
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", ping)
    return pings


async def test_a_connection_the_server_closed_is_replaced_without_an_error(
    db: Database, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = count_pings(db, monkeypatch)
    first = await backend_pid(db)
    admin = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    try:  # as a restart or an administrator does
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
    finally:
        await admin.close()
    await asyncio.sleep(0.2)  # the pooled connection's socket ends
    assert await backend_pid(db) != first
    assert pings == []  # known closed without asking the server


async def test_only_a_connection_idle_for_a_while_is_pinged(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(liveness, "IDLE_PING_SECONDS", 0.3)
    pings = count_pings(db, monkeypatch)
    pid = await backend_pid(db)
    for _ in range(5):  # in steady use: no round trip before each statement
        assert await backend_pid(db) == pid
    assert pings == []
    await asyncio.sleep(0.4)
    assert await backend_pid(db) == pid
    assert pings == [1]


async def test_an_idle_connection_that_does_not_answer_is_replaced(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(liveness, "IDLE_PING_SECONDS", 0.1)
    pings = count_pings(db, monkeypatch, answer=False)
    first = await backend_pid(db)
    await asyncio.sleep(0.2)
    assert await backend_pid(db) != first  # a new connection, and no error
    assert pings == [1]
