"""A commune's catalogue layers: shipped, then imported official data, then staff edits."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import Runtime
from bot.catalogue_store import apply_import, save_overrides
from bot.knowledge_base import effective_catalogue
from knowledge.catalogue import shipped_catalogue
from knowledge.models import Procedure, Way

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _portal_record(fee: str) -> Procedure:
    shipped = shipped_catalogue()["1.001193"]
    return Procedure(
        code="1.001193",
        name=shipped.name,
        field="Hộ tịch",
        levels=["Cấp xã"],
        ways=[Way(channel="in_person", time="1 ngày làm việc", fee=fee)],
        source="portal:tthc_cap_xa.jsonl.gz",
    )


async def _khai_sinh(runtime: Runtime) -> Procedure:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.read() as session:
        return (await effective_catalogue(session, commune))["1.001193"]


async def test_staff_can_remove_an_alias_and_clear_a_field(runtime: Runtime) -> None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    shipped = shipped_catalogue()["1.001193"]
    assert "gks" in shipped.aliases and shipped.summary
    kept = [a for a in shipped.aliases if a != "gks"]
    async with runtime.db.transaction() as session:
        await save_overrides(
            session,
            commune.id,
            "1.001193",
            {"aliases": kept, "summary": None},
            source="staff:an",
            now=NOW,
        )
    edited = await _khai_sinh(runtime)
    assert "gks" not in edited.aliases
    assert edited.summary is None
    assert edited.documents == shipped.documents  # fields staff did not touch stay


async def test_a_newer_official_fee_replaces_a_staff_fee_but_not_staff_wording(
    runtime: Runtime,
) -> None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    staff_way = {"channel": "in_person", "time": "Trong ngày", "fee": "5.000 đồng"}
    async with runtime.db.transaction() as session:
        await save_overrides(
            session,
            commune.id,
            "1.001193",
            {"ways": [staff_way], "plain_name": "Khai sinh cho bé"},
            source="staff:an",
            now=NOW,
        )
    assert (await _khai_sinh(runtime)).ways[0].fee == "5.000 đồng"
    async with runtime.db.transaction() as session:
        await apply_import(session, commune, [_portal_record("Miễn phí")], now=NOW)
    after = await _khai_sinh(runtime)
    assert after.ways[0].fee == "Miễn phí"  # the portal's newer fact
    assert after.plain_name == "Khai sinh cho bé"  # staff wording survives
    assert "gks" in after.aliases  # shipped aliases survive too


async def test_reimporting_keeps_what_an_earlier_import_brought(runtime: Runtime) -> None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    first = _portal_record("Miễn phí").model_copy(update={"decision": "163/QĐ-BTP"})
    async with runtime.db.transaction() as session:
        await apply_import(session, commune, [first], now=NOW)
    async with runtime.db.transaction() as session:
        report = await apply_import(session, commune, [_portal_record("Miễn phí")], now=NOW)
    assert report.unchanged == ["1.001193"]
    assert (await _khai_sinh(runtime)).decision == "163/QĐ-BTP"
