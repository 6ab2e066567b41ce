"""Shared fixtures: the database on every backend, a runtime, and the shared data path.

Database tests run on SQLite and on a real PostgreSQL server started for the session.
Where PostgreSQL cannot start, its tests are skipped when pytest runs alone but fail
under ``scripts/test`` (which installs it) and CI, so a green run means both backends passed.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings, async_url
from bot.event_loop import loop_factory
from tests import pg_server

# Every log record of the session is checked for the test residents' personal data.
from tests.log_canary import (  # noqa: F401
    pytest_configure,
    pytest_runtest_setup,
    pytest_sessionfinish,
    pytest_terminal_summary,
)

if TYPE_CHECKING:
    from bot.app import Runtime


@functools.cache
def _server_loop() -> Callable[[], asyncio.AbstractEventLoop]:
    return loop_factory(Settings().event_loop)


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Async tests run on the event loop the servers run on (bot/event_loop.py)."""
    return {"loop": _server_loop()}


# Property tests (tests/properties) run the same examples on every machine: derandomized,
# no example database, and few enough examples that the whole suite of properties stays
# under 40 s on a 2-core machine. A property needing more sets max_examples itself.
# ``HYPOTHESIS_PROFILE=dev`` explores further with random examples when hunting bugs.
hypothesis_settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=30,
    print_blob=True,
    # Runtime fixtures are shared by a property's examples on purpose (each example uses
    # its own resident); slow data generation is expected for 100k-character texts.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
hypothesis_settings.register_profile(
    "dev", parent=hypothesis_settings.get_profile("ci"), derandomize=False, max_examples=300
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHARED = Path(os.environ.get("MOTCUA_SHARED_DIR", "/work/shared"))
BACKENDS = ("sqlite", "postgresql")


def shared_file(relative: str) -> Path:
    """A file of the shared portal data or evaluation set; skips the test when absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


def require_test_deps() -> bool:
    """Whether PostgreSQL and Chromium must be there: ``scripts/test`` installs them and
    says so (a missing one is then a failure, not a skip); CI=true says the same."""
    return (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("MOTCUA_REQUIRE_TEST_DEPS") == "1"
    )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    configured = os.environ.get("MOTCUA_TEST_DATABASE_URL")
    if configured:
        yield async_url(configured)
        return
    try:
        server = pg_server.start()
    except pg_server.PostgresUnavailable as exc:
        if require_test_deps():
            pytest.fail(f"PostgreSQL is required in CI but could not start: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server.url
    finally:
        server.stop()


async def _truncate_all(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            tables = (
                (
                    await conn.execute(
                        text(
                            "SELECT tablename FROM pg_tables"
                            " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                        )
                    )
                )
                .scalars()
                .all()
            )
            if tables:
                names = ", ".join(f'"{t}"' for t in tables)
                await conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating every time."""
    from bot.db.engine import Database
    from bot.db.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "motcua.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await upgrade(db)
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean database on each backend (the test runs once per backend)."""
    if request.param == "sqlite":
        target = tmp_path / "motcua.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_truncate_all(url))
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in list(os.environ):
        if key.startswith("MOTCUA_") and key not in (
            "MOTCUA_SHARED_DIR",
            "MOTCUA_TEST_DATABASE_URL",
        ):
            monkeypatch.delenv(key)
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        commune_name="Xã An Bình",
        commune_address="Số 1 đường Trần Phú, xã An Bình",
        commune_phone="0203 3888 123",
        commune_province="Tỉnh Lạng Sơn",
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    from bot.app import build_runtime

    rt = build_runtime(settings)
    await rt.start(workers=False)
    try:
        yield rt
    finally:
        await rt.stop()
