"""Writing a commune's catalogue entries: one edited procedure, or a whole import.

The CLI's ``catalogue import`` and the staff web's import and editor share this, so an
import from either keeps what staff wrote on an entry (plain text, aliases) under the
new official facts, and both report the same added / changed / unchanged codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.communes import CommuneProfile
from bot.db.models import CatalogueEntry
from bot.knowledge_base import effective_catalogue
from knowledge.merge import MergeReport, merge, superseded
from knowledge.models import Catalogue, Procedure


async def preview_import(
    session: AsyncSession,
    commune: CommuneProfile,
    procedures: Sequence[Procedure],
    base: Catalogue | None = None,
) -> MergeReport:
    """What an import would change in the commune's effective catalogue (nothing written)."""
    before = await effective_catalogue(session, commune, base)
    return merge(before, procedures)


async def apply_import(
    session: AsyncSession,
    commune: CommuneProfile,
    procedures: Sequence[Procedure],
    *,
    now: datetime,
    dry_run: bool = False,
    base: Catalogue | None = None,
) -> MergeReport:
    """Merge imported procedures into the commune's entries, in the caller's transaction."""
    report = await preview_import(session, commune, procedures, base)
    if dry_run:
        return report
    existing = {
        row.code: row
        for row in (
            await session.execute(
                select(CatalogueEntry).where(CatalogueEntry.commune_id == commune.id)
            )
        ).scalars()
    }
    for procedure in procedures:
        row = existing.get(procedure.code)
        if row is None:
            row = CatalogueEntry(
                commune_id=commune.id,
                code=procedure.code,
                data=procedure.model_dump(mode="json"),
                overrides={},
                source=procedure.source[:200],
                updated_at=now,
            )
            session.add(row)
            existing[procedure.code] = row
            continue
        if row.data:
            # The entry's earlier import, updated by the new one (plain text survives).
            previous = Catalogue([Procedure.model_validate(row.data)])
            procedure = merge(previous, [procedure]).catalogue[procedure.code]
        row.data = procedure.model_dump(mode="json")
        row.overrides = superseded(row.overrides or {}, procedure)
        row.source = procedure.source[:200]
        row.updated_at = now
    await session.flush()
    return report


async def save_overrides(
    session: AsyncSession,
    commune_id: int,
    code: str,
    fields: dict[str, Any],
    *,
    source: str,
    now: datetime,
) -> CatalogueEntry:
    """Record fields staff set in the editor; they win over shipped and imported data."""
    row = (
        await session.execute(
            select(CatalogueEntry).where(
                CatalogueEntry.commune_id == commune_id, CatalogueEntry.code == code
            )
        )
    ).scalar_one_or_none()
    if row is None:
        row = CatalogueEntry(
            commune_id=commune_id, code=code, data={}, overrides={}, source=source[:200]
        )
        session.add(row)
    row.overrides = {**(row.overrides or {}), **fields}
    row.source, row.updated_at = source[:200], now
    await session.flush()
    return row
