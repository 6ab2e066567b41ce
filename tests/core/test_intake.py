"""Group commit: updates that arrive together are stored in one transaction, each caller
answered once its own update is committed; what the database refuses fails alone."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from bot.app import Runtime
from bot.channels import webchat
from bot.communes import CommuneProfile
from bot.db.models import InboxItem, OutboxItem
from bot.intake import MAX_BATCH
from tests.statements import Statements

on_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _commune(runtime: Runtime) -> CommuneProfile:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    return commune


async def _accept(runtime: Runtime, session: str, message_id: str, key: str = "") -> int | None:
    payload = webchat.validate({"session": session, "text": "khai sinh", "id": message_id})
    key = key or runtime.channels[webchat.NAME].update_key(payload)
    return await runtime.processor.accept(_commune(runtime), webchat.NAME, key, payload, session)


async def _stored(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        return int((await session.execute(select(func.count(InboxItem.id)))).scalar_one())


async def test_updates_arriving_together_share_one_insert_and_one_commit(runtime: Runtime) -> None:
    with Statements(runtime.db, "INSERT INTO inbox") as inserts:
        ids = await asyncio.gather(
            *(_accept(runtime, f"resident-{n:04d}", "m1") for n in range(30))
        )
    assert inserts.count == 1
    assert len(set(ids)) == 30 and None not in ids
    assert await _stored(runtime) == 30  # committed before any caller returned


async def test_a_delivery_repeated_within_a_batch_is_stored_once(runtime: Runtime) -> None:
    first, again = await asyncio.gather(
        _accept(runtime, "resident-0001", "m1"), _accept(runtime, "resident-0001", "m1")
    )
    assert first is not None and again is None
    assert await _accept(runtime, "resident-0001", "m1") is None  # and in a later one
    assert await _stored(runtime) == 1


@on_postgresql
async def test_a_full_batch_is_one_statement_without_begin_or_commit(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One insert is atomic by itself: BEGIN and COMMIT around it were two more round
    # trips for every webhook.
    opened: list[int] = []
    begin = asyncpg.connection.Connection.transaction

    def transaction(self: asyncpg.connection.Connection, **options: Any) -> Any:
        opened.append(1)
        return begin(self, **options)

    monkeypatch.setattr(asyncpg.connection.Connection, "transaction", transaction)
    with Statements(runtime.db, "INSERT INTO inbox") as inserts:
        ids = await asyncio.gather(
            *(_accept(runtime, f"resident-{n:04d}", "m1") for n in range(MAX_BATCH))
        )
    assert inserts.count == 1 and opened == []
    assert len(set(ids)) == MAX_BATCH and None not in ids
    assert await _stored(runtime) == MAX_BATCH


@on_postgresql
async def test_an_update_the_database_refuses_fails_alone(runtime: Runtime) -> None:
    # A key longer than the column: PostgreSQL refuses the row, and with it its batch.
    results = await asyncio.gather(
        _accept(runtime, "resident-0001", "m1"),
        _accept(runtime, "resident-0002", "m1", key="x" * 300),
        _accept(runtime, "resident-0003", "m1"),
        return_exceptions=True,
    )
    assert isinstance(results[1], DBAPIError)
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert await _stored(runtime) == 2


async def test_an_update_whose_caller_went_away_is_still_answered(runtime: Runtime) -> None:
    await runtime.processor.start()
    caller = asyncio.create_task(_accept(runtime, "resident-0001", "m1"))
    await asyncio.sleep(0)  # the update is with the batch writer
    caller.cancel()  # the webhook's client hung up
    for _ in range(100):
        async with runtime.db.read() as session:
            answered = (await session.execute(select(func.count(OutboxItem.id)))).scalar_one()
        if answered:
            break
        await asyncio.sleep(0.02)
    assert answered >= 1
    assert await _stored(runtime) == 1
