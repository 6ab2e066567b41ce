"""OA tokens: refreshed before expiry, by one process at a time, never lost to a crash."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.channels.zalo_oa.models import ZaloOAToken
from bot.channels.zalo_oa.oauth import OAuthClient
from bot.channels.zalo_oa.tokens import NotAuthorized, RefreshFailed, TokenStore, TokenUnavailable
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Commune
from tests.fakes.zalo_api import FakeZaloOA


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await upgrade(database)
    async with database.transaction() as session:
        session.add(Commune(slug="default", name="Xã An Bình", counters=[], settings={}))
    yield database
    await database.dispose()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def fake_oa() -> AsyncIterator[FakeZaloOA]:
    server = FakeZaloOA()
    await server.start()
    yield server
    await server.close()


class Alerts:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, datetime | None]] = []

    async def __call__(self, slug: str, reason: str, valid_until: datetime | None) -> None:
        self.sent.append((slug, reason, valid_until))


def make_store(
    db: Database,
    session: aiohttp.ClientSession,
    fake: FakeZaloOA,
    journal: Path,
    clock: Clock,
    alerts: Alerts | None = None,
) -> TokenStore:
    oauth = OAuthClient(session, fake.url, fake.app_id, fake.app_secret)
    return TokenStore(
        db, 1, "default", oauth, journal, clock=clock, alert=alerts, lease=timedelta(seconds=5)
    )


async def stored(db: Database) -> ZaloOAToken:
    async with db.read() as s:
        return (await s.execute(select(ZaloOAToken))).scalar_one()


async def test_the_configured_refresh_token_gives_the_first_access_token(
    db: Database, session: aiohttp.ClientSession, fake_oa: FakeZaloOA, tmp_path: Path
) -> None:
    clock = Clock()
    store = make_store(db, session, fake_oa, tmp_path, clock)
    granted = fake_oa.grant()
    assert await store.seed(granted)
    token = await store.access_token()
    assert fake_oa.access_tokens[token] is True
    assert fake_oa.refresh_requests == [granted]
    row = await stored(db)
    assert row.refresh_token != granted and fake_oa.refresh_tokens[row.refresh_token]
    assert row.access_expires_at == clock.now + timedelta(seconds=90000)
    # The configured value is single use: seeding again must not overwrite the new one.
    assert not await store.seed(granted)
    assert (await stored(db)).refresh_token == row.refresh_token


async def test_the_token_is_refreshed_within_the_margin_before_it_expires(
    db: Database, session: aiohttp.ClientSession, fake_oa: FakeZaloOA, tmp_path: Path
) -> None:
    clock = Clock()
    store = make_store(db, session, fake_oa, tmp_path, clock)
    await store.seed(fake_oa.grant())
    first = await store.access_token()
    expires = (await stored(db)).access_expires_at
    assert expires is not None
    clock.now = expires - timedelta(hours=4)
    assert await store.refresh() is False  # still far enough from expiry
    clock.now = expires - timedelta(hours=2)
    old_refresh = (await stored(db)).refresh_token
    assert await store.refresh() is True
    row = await stored(db)
    assert row.access_token != first and row.refresh_token != old_refresh
    assert fake_oa.refresh_tokens[old_refresh] is False  # used, as Zalo allows only once
    assert await store.access_token() == row.access_token


async def test_two_workers_refreshing_together_use_the_refresh_token_once(
    database_url: str,
    db: Database,
    session: aiohttp.ClientSession,
    fake_oa: FakeZaloOA,
    tmp_path: Path,
) -> None:
    clock = Clock()
    await make_store(db, session, fake_oa, tmp_path, clock).seed(fake_oa.grant())
    await make_store(db, session, fake_oa, tmp_path, clock).access_token()
    expires = (await stored(db)).access_expires_at
    assert expires is not None
    clock.now = expires - timedelta(minutes=30)
    fake_oa.refresh_delay = 0.3  # both workers ask while the first refresh is in flight
    requests_before = len(fake_oa.refresh_requests)
    other_db = Database(database_url)  # a second process has its own connections
    try:
        one = make_store(db, session, fake_oa, tmp_path / "one", clock)
        two = make_store(other_db, session, fake_oa, tmp_path / "two", clock)
        results = await asyncio.gather(one.refresh(), two.refresh())
    finally:
        await other_db.dispose()
    assert sorted(results) == [False, True]
    assert len(fake_oa.refresh_requests) == requests_before + 1
    assert await one.access_token() == await two.access_token() == (await stored(db)).access_token


async def test_a_crash_between_receiving_and_storing_new_tokens_loses_nothing(
    db: Database, session: aiohttp.ClientSession, fake_oa: FakeZaloOA, tmp_path: Path
) -> None:
    clock = Clock()
    store = make_store(db, session, fake_oa, tmp_path, clock)
    await store.seed(fake_oa.grant())
    await store.access_token()
    before = await stored(db)

    class Killed(Exception):
        """The process died here."""

    async def killed() -> None:
        raise Killed

    store.crash_point = killed
    with pytest.raises(Killed):
        await store.refresh(force=True)
    # Zalo burned the stored refresh token; the database still holds it.
    assert (await stored(db)).refresh_token == before.refresh_token
    assert fake_oa.refresh_tokens[before.refresh_token] is False
    journal = tmp_path / "default.refresh.json"
    assert journal.exists() and journal.stat().st_mode & 0o077 == 0

    restarted = make_store(db, session, fake_oa, tmp_path, clock)
    assert await restarted.recover() is True
    assert not journal.exists()
    row = await stored(db)
    assert row.refresh_token != before.refresh_token and fake_oa.refresh_tokens[row.refresh_token]
    assert row.lease_owner is None
    # ...and the recovered refresh token works.
    assert await restarted.refresh(force=True) is True
    assert await restarted.recover() is False


async def test_a_failed_refresh_keeps_the_old_token_and_alerts_staff_once(
    db: Database, session: aiohttp.ClientSession, fake_oa: FakeZaloOA, tmp_path: Path
) -> None:
    clock, alerts = Clock(), Alerts()
    store = make_store(db, session, fake_oa, tmp_path, clock, alerts)
    await store.seed(fake_oa.grant())
    token = await store.access_token()
    expires = (await stored(db)).access_expires_at
    assert expires is not None
    clock.now = expires - timedelta(hours=1)
    fake_oa.fail_refresh(times=2)
    for _ in range(2):
        with pytest.raises(RefreshFailed):
            await store.refresh()
    assert await store.access_token() == token  # still valid for an hour: still used
    assert [(slug, until) for slug, _reason, until in alerts.sent] == [("default", expires)]
    row = await stored(db)
    assert row.failures == 2 and row.last_error and "try later" in row.last_error
    assert row.lease_owner is None
    assert await store.refresh() is True  # the next sweep succeeds
    row = await stored(db)
    assert row.failures == 0 and row.last_error is None


async def test_an_expired_token_without_a_working_refresh_is_a_transient_failure(
    db: Database, session: aiohttp.ClientSession, fake_oa: FakeZaloOA, tmp_path: Path
) -> None:
    clock = Clock()
    store = make_store(db, session, fake_oa, tmp_path, clock)
    await store.seed(fake_oa.grant())
    await store.access_token()
    clock.now += timedelta(hours=26)
    fake_oa.fail_refresh(status=503)
    with pytest.raises(TokenUnavailable):
        await store.access_token()


async def test_a_rejected_token_is_replaced_unless_another_worker_already_did(
    db: Database, session: aiohttp.ClientSession, fake_oa: FakeZaloOA, tmp_path: Path
) -> None:
    clock = Clock()
    store = make_store(db, session, fake_oa, tmp_path, clock)
    await store.seed(fake_oa.grant())
    rejected = await store.access_token()
    renewed = await store.after_rejection(rejected)
    assert renewed != rejected
    requests = len(fake_oa.refresh_requests)
    # A second sender that also saw the old token rejected finds the new one stored.
    assert (
        await make_store(db, session, fake_oa, tmp_path, clock).after_rejection(rejected) == renewed
    )
    assert len(fake_oa.refresh_requests) == requests


async def test_without_tokens_the_oa_is_not_authorized(
    db: Database, session: aiohttp.ClientSession, fake_oa: FakeZaloOA, tmp_path: Path
) -> None:
    store = make_store(db, session, fake_oa, tmp_path, Clock())
    with pytest.raises(NotAuthorized):
        await store.access_token()
    assert await store.status() is None
