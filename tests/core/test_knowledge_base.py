"""The processor's view of every commune's catalogue: cached, and checked for changes made
by another process (an import from the CLI, another instance's staff page) every few
seconds, all communes together."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import knowledge_base
from bot.app import Runtime
from bot.catalogue_store import save_overrides
from bot.config import Settings
from knowledge.catalogue import shipped_procedures
from tests.statements import Statements

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
KHAI_SINH = "1.001193"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    config = tmp_path / "communes.yaml"
    lines = ["communes:"]
    for n in range(1, 6):
        lines += [f"  - slug: xa-{n}", f"    name: Xã Số {n}"]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings.config = config
    return settings


@pytest.fixture
def checks_every_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(knowledge_base, "CHECK_EVERY", 0.0)
    yield


async def test_every_commune_is_checked_for_changes_in_two_queries(
    runtime: Runtime, checks_every_time: None
) -> None:
    communes = runtime.communes.all()
    assert len(communes) == 6  # the default commune and five from the file
    before = await runtime.knowledge.for_communes(communes)
    with Statements(runtime.db, "SELECT") as statements:
        after = await runtime.knowledge.for_communes(communes)
    assert statements.count == 2
    assert all(after[c.id] is before[c.id] for c in communes)  # nothing changed: kept


async def test_a_change_made_elsewhere_reaches_only_its_commune(
    runtime: Runtime, checks_every_time: None
) -> None:
    communes = runtime.communes.all()
    before = await runtime.knowledge.for_communes(communes)
    edited = communes[2]
    async with runtime.db.transaction() as session:  # as `motcua catalogue` would, elsewhere
        await save_overrides(
            session, edited.id, KHAI_SINH, {"summary": "Sửa từ dòng lệnh"}, source="cli", now=NOW
        )
    after = await runtime.knowledge.for_communes(communes)
    assert after[edited.id] is not before[edited.id]
    assert after[edited.id].catalogue[KHAI_SINH].summary == "Sửa từ dòng lệnh"
    assert [c.id for c in communes if after[c.id] is not before[c.id]] == [edited.id]


async def test_communes_share_the_shipped_records_and_an_edit_stays_in_its_commune(
    runtime: Runtime, checks_every_time: None
) -> None:
    # A province's hundred communes hold one copy of the shipped list, not a hundred.
    communes = runtime.communes.all()
    before = await runtime.knowledge.for_communes(communes)
    shipped = shipped_procedures()
    khai_sinh = next(p for p in shipped if p.code == KHAI_SINH)
    assert all(before[c.id].catalogue[KHAI_SINH] is khai_sinh for c in communes)
    edited, other = communes[1], communes[2]
    async with runtime.db.transaction() as session:
        await save_overrides(
            session, edited.id, KHAI_SINH, {"summary": "Chỉ của xã này"}, source="cli", now=NOW
        )
    after = await runtime.knowledge.for_communes(communes)
    assert after[edited.id].catalogue[KHAI_SINH].summary == "Chỉ của xã này"
    assert after[other.id].catalogue[KHAI_SINH] is khai_sinh
    assert khai_sinh.summary != "Chỉ của xã này"


async def test_between_checks_the_cache_answers_without_the_database(runtime: Runtime) -> None:
    communes = runtime.communes.all()
    await runtime.knowledge.for_communes(communes)
    with Statements(runtime.db, "SELECT") as statements:
        await runtime.knowledge.for_communes(communes)
        await runtime.knowledge.for_commune(communes[0])
    assert statements.count == 0
