"""Several instances on one PostgreSQL database: each update handled once, in order per
resident, by whichever instance claims it; a dead instance's claims go to the others;
a sweep runs in one instance at a time."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from bot import inbox
from bot.app import Runtime, build_runtime
from bot.channels import webchat
from bot.config import Settings
from bot.context import Context
from bot.db import statistics
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Commune, InboxItem, OutboxItem
from bot.jobs import Job, Jobs
from bot.router import Router
from bot.router import text as any_text
from bot.types import Incoming, Reply
from tests.scratch_db import empty_database
from tests.statements import Statements

on_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

Instances = Callable[[int], Awaitable[list[Runtime]]]


def counting_echo(instance: str, handled: list[str]) -> Router:
    """Echoes each message with the number of messages this conversation has had.

    The count lives in the conversation state: two instances handling one resident at
    once, or out of order, would show as a repeated or wrong number.
    """
    router = Router("echo")

    @router.route(any_text())
    async def echo(ctx: Context, msg: Incoming) -> Reply:
        count = int(ctx.conversation.data.get("count", 0)) + 1
        ctx.conversation.data["count"] = count
        handled.append(instance)
        await asyncio.sleep(0)  # let the other instance run in between
        return Reply(f"{msg.text} #{count}")

    return router


@pytest.fixture
async def instances(settings: Settings) -> AsyncIterator[Instances]:
    started: list[Runtime] = []

    async def start(count: int) -> list[Runtime]:
        for _ in range(count):
            runtime = build_runtime(settings)
            await runtime.start(workers=False)
            started.append(runtime)
        return started[-count:]

    yield start
    for runtime in reversed(started):
        await runtime.stop()


async def _accept(runtime: Runtime, session: str, message: str) -> int | None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    payload = webchat.validate({"session": session, "text": message, "id": message})
    key = runtime.channels[webchat.NAME].update_key(payload)
    return await runtime.processor.accept(commune, webchat.NAME, key, payload)


async def _replies_by_session(db: Database) -> dict[str, list[str]]:
    async with db.read() as session:
        rows = await session.execute(
            select(OutboxItem.chat_id, OutboxItem.reply).order_by(OutboxItem.id)
        )
        replies: dict[str, list[str]] = defaultdict(list)
        for chat, reply in rows.all():
            replies[chat].append(reply["text"])
        return replies


async def _pending(db: Database) -> int:
    async with db.read() as session:
        query = select(func.count()).where(InboxItem.status == inbox.PENDING)
        return int((await session.execute(query)).scalar_one())


@on_postgresql
async def test_two_instances_handle_each_update_once_and_each_resident_in_order(
    instances: Instances,
) -> None:
    first, second = await instances(2)
    handled: list[str] = []
    for name, runtime in (("first", first), ("second", second)):
        runtime.processor.router = counting_echo(name, handled)
        # Batches smaller than the residents: one instance cannot claim every resident's
        # next message at once, so both get a share.
        runtime.processor.batch_size = 8
        await runtime.processor.start()
    residents = [f"resident-{n:04d}" for n in range(30)]
    rng = random.Random(8)

    async def resident(session: str) -> None:
        # Each message goes to either instance, sometimes to both (a retried delivery).
        for n in range(1, 9):
            targets = rng.sample([first, second], rng.choice((1, 1, 1, 2)))
            for runtime in targets:
                await _accept(runtime, session, f"{session}:{n}")

    await asyncio.gather(*(resident(s) for s in residents))
    for _ in range(200):
        if await _pending(first.db) == 0:
            break
        await asyncio.sleep(0.05)

    replies = await _replies_by_session(first.db)
    assert set(replies) == set(residents)
    for session in residents:
        assert replies[session] == [f"{session}:{n} #{n}" for n in range(1, 9)]
    assert len(handled) == 8 * len(residents)
    assert {"first", "second"} <= set(handled)  # both did a share of the work


@on_postgresql
async def test_what_a_dead_instance_was_handling_goes_to_another_in_order(
    instances: Instances,
) -> None:
    dying, survivor = await instances(2)
    survivor.processor.router = counting_echo("survivor", [])
    for n in (1, 2, 3):
        await _accept(dying, "resident-0001", f"m{n}")
    await _accept(dying, "resident-0002", "m1")

    async with dying.db.sessions() as held:
        # The dying instance has claimed the first message of each resident...
        claimed = await held.execute(inbox.claimable(select(InboxItem.id)))
        assert len(claimed.all()) == 2
        pid = (await held.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        # ...so the other instance leaves both residents alone, later messages included.
        assert await survivor.processor.recover() == 0
        async with survivor.db.transaction() as admin:  # the instance dies
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError):  # its connection is gone, its claims with it
            await held.execute(text("SELECT 1"))

    assert await survivor.processor.recover() == 4
    replies = await _replies_by_session(survivor.db)
    assert replies["resident-0001"] == ["m1 #1", "m2 #2", "m3 #3"]
    assert replies["resident-0002"] == ["m1 #1"]


@pytest.fixture
def empty_postgres(postgres_url: str, tmp_path: Path) -> Iterator[str]:
    with empty_database("postgresql", postgres_url, tmp_path) as url:
        yield url


@pytest.fixture
async def fresh_database(empty_postgres: str) -> AsyncIterator[Database]:
    """A newly migrated database: its statistics say the inbox is empty."""
    db = Database(empty_postgres)
    await upgrade(db)
    yield db
    await db.dispose()


async def test_with_fresh_statistics_a_claim_reads_only_what_it_takes(
    fresh_database: Database,
) -> None:
    """A burst fills the inbox long before autovacuum refreshes the statistics (once a
    minute). Planned for an empty inbox, a claim read every pending row, again and again
    (thousands of rows for 8 here); refreshed, it reads the few oldest."""
    db = fresh_database
    backlog = 3000
    async with db.transaction() as session:
        commune = Commune(slug="default", name="Xã An Bình", counters=[], settings={})
        session.add(commune)
        await session.flush()
        connection = await session.connection()
        await connection.execute(text("ALTER TABLE inbox SET (autovacuum_enabled = false)"))
        await connection.execute(
            text(
                "INSERT INTO inbox (commune_id, channel, update_key, conversation,"
                " payload, status, attempts, received_at)"
                " SELECT :commune, 'web', 'u' || n, 'c' || (n % 300), '{}',"
                " 'pending', 0, now() FROM generate_series(1, :backlog) AS n"
            ),
            {"commune": commune.id, "backlog": backlog},
        )
    assert await statistics.refresh(db, "inbox")
    async with db.transaction() as session:
        connection = await session.connection()
        query = inbox.claimable(select(InboxItem.id)).limit(8)
        claimed = [row.id for row in (await connection.execute(query)).all()]
        read = await connection.execute(
            text(
                "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0)"
                " FROM pg_stat_xact_user_tables WHERE relname = 'inbox'"
            )
        )
        rows_read = read.scalar_one()
    assert claimed == list(range(1, 9))  # the oldest, each first of its conversation
    assert rows_read < 100, f"read {rows_read} of {backlog} pending rows to claim 8"


@on_postgresql
async def test_an_instance_finding_a_backlog_refreshes_the_statistics(
    instances: Instances,
) -> None:
    [runtime] = await instances(1)
    await runtime.processor.stop()
    runtime.processor.batch_size = 4
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    for n in range(10):
        payload = webchat.validate({"session": f"resident-{n:04}", "text": "hi", "id": f"m{n}"})
        key = runtime.channels[webchat.NAME].update_key(payload)
        await runtime.processor.accept(commune, webchat.NAME, key, payload, queue=False)

    async def analysed() -> float:
        async with runtime.db.read() as session:
            found = await session.execute(
                text("SELECT reltuples FROM pg_class WHERE relname = 'inbox'")
            )
            return float(found.scalar_one())

    before = await analysed()
    with Statements(runtime.db, "ANALYZE") as analyses:
        assert await runtime.processor.pull() == 4  # a full batch: more are waiting
        assert (before, await analysed()) == (-1, 10)
        assert await runtime.processor.pull() == 4  # refreshed a moment ago: not again
        assert await runtime.processor.pull() == 2
    assert analyses.count == 1


async def test_a_table_being_analysed_elsewhere_is_left_to_it(
    fresh_database: Database,
) -> None:
    async with fresh_database.transaction() as other:
        await other.execute(text("LOCK TABLE inbox IN SHARE UPDATE EXCLUSIVE MODE"))
        assert not await statistics.refresh(fresh_database, "inbox")
    assert await statistics.refresh(fresh_database, "inbox")


async def test_a_refresh_that_fails_is_logged_and_the_work_goes_on(
    fresh_database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ValueError, match="not a queue table"):
        await statistics.refresh(fresh_database, "users")  # a name goes into the SQL

    async def unreachable(db: Database, table: str) -> bool:
        raise ConnectionResetError("the database went away")

    monkeypatch.setattr(statistics, "refresh", unreachable)
    await statistics.StatisticsKeeper(fresh_database, "inbox").backlog_seen()
    assert "could not refresh the statistics of inbox" in caplog.text


# --- single-runner sweeps ---------------------------------------------------------------


class Sweep:
    """A sweep that holds on until released, counting how many run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most_at_once = 0
        self.runs = 0
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def __call__(self) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self.started.set()
        try:
            await self.release.wait()
            self.runs += 1
        finally:
            self.running -= 1


@pytest.fixture
async def two_databases(database_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two instances' connection pools on one database."""
    first, second = Database(database_url), Database(database_url)
    yield first, second
    await first.dispose()
    await second.dispose()


@on_postgresql
async def test_a_sweep_runs_in_one_instance_at_a_time(
    two_databases: tuple[Database, Database],
) -> None:
    sweep = Sweep()
    job = Job("surveys.sweep", sweep, seconds=60)
    here, there = (Jobs(db).runner(job) for db in two_databases)
    running_here = asyncio.create_task(here())
    await sweep.started.wait()
    assert await there() is False  # skipped: the other instance is on it
    sweep.release.set()
    assert await running_here is True
    assert await there() is True  # the lock went with the first run
    assert sweep.most_at_once == 1 and sweep.runs == 2


@on_postgresql
async def test_a_sweep_cut_short_leaves_no_lock_behind(
    two_databases: tuple[Database, Database],
) -> None:
    sweep = Sweep()
    job = Job("complaints.retention", sweep, cron="17 2 * * *")
    here, there = (Jobs(db).runner(job) for db in two_databases)
    running_here = asyncio.create_task(here())
    await sweep.started.wait()
    running_here.cancel()  # the scheduler shut down mid-sweep
    await asyncio.gather(running_here, return_exceptions=True)
    sweep.release.set()
    assert await there() is True


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_on_sqlite_a_sweep_just_runs(two_databases: tuple[Database, Database]) -> None:
    sweep = Sweep()
    sweep.release.set()
    job = Job("surveys.sweep", sweep, seconds=60)
    assert await Jobs(two_databases[0]).runner(job)() is True
    assert sweep.runs == 1


async def test_a_sweep_that_fails_is_logged_and_reported_as_not_run(
    two_databases: tuple[Database, Database], caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> None:
        raise RuntimeError("token endpoint down")

    job = Job("zalo-oa-token-refresh", broken, seconds=60)
    assert await Jobs(two_databases[0]).runner(job)() is False
    assert "job zalo-oa-token-refresh failed" in caplog.text
    assert await Jobs(two_databases[1]).runner(job)() is False  # not stuck behind a lock
