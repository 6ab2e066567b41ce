"""Each commune's effective catalogue and the matcher built over it.

The effective catalogue is the shipped one, merged with the commune's imported and
edited entries from the database, minus the procedures the commune switched off.
Building a matcher costs a fraction of a second, so it is cached per commune and rebuilt
only when the commune's entries change (checked at most every few seconds, so an import
run from the CLI reaches a running server without a restart).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.communes import DISABLED_PROCEDURES, CommuneProfile
from bot.db.engine import Database
from bot.db.models import CatalogueEntry, Commune
from knowledge.catalogue import shipped_procedures
from knowledge.merge import merge, override
from knowledge.models import Catalogue, Procedure
from knowledge.search import Matcher, Synonyms, load_synonyms

CHECK_EVERY = 5.0  # seconds between checks for catalogue changes
MAX_SHARED_MATCHERS = 16
_MATCHERS: OrderedDict[str, Matcher] = OrderedDict()


def fingerprint(catalogue: Catalogue, synonyms_id: int) -> str:
    """A digest of the catalogue's content: equal digests, interchangeable matchers."""
    digest = hashlib.blake2b(str(synonyms_id).encode(), digest_size=16)
    for procedure in catalogue:
        digest.update(procedure.model_dump_json().encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class CommuneKnowledge:
    catalogue: Catalogue
    matcher: Matcher
    version: str


async def catalogue_version(session: AsyncSession, commune_id: int) -> str:
    return (await catalogue_versions(session, [commune_id]))[commune_id]


async def catalogue_versions(session: AsyncSession, commune_ids: Sequence[int]) -> dict[int, str]:
    """A version string per commune that changes whenever its effective catalogue may.

    Two statements for any number of communes: a province's processor checks all of its
    communes every few seconds, and a hundred communes at two statements each stalled a
    batch of residents' messages meanwhile.
    """
    entries = {
        row.commune_id: (row.count, row.latest)
        for row in await session.execute(
            select(
                CatalogueEntry.commune_id,
                func.count(CatalogueEntry.id).label("count"),
                func.max(CatalogueEntry.updated_at).label("latest"),
            )
            .where(CatalogueEntry.commune_id.in_(commune_ids))
            .group_by(CatalogueEntry.commune_id)
        )
    }
    settings: dict[int, dict[str, Any] | None] = {
        row.id: row.settings
        for row in await session.execute(
            select(Commune.id, Commune.settings).where(Commune.id.in_(commune_ids))
        )
    }
    versions = {}
    for commune_id in commune_ids:
        count, latest = entries.get(commune_id, (0, None))
        disabled = ",".join(sorted((settings.get(commune_id) or {}).get(DISABLED_PROCEDURES, ())))
        versions[commune_id] = f"{count}:{latest}:{disabled}"
    return versions


async def effective_catalogue(
    session: AsyncSession, commune: CommuneProfile, base: Catalogue | None = None
) -> Catalogue:
    """Shipped catalogue + the commune's entries (in the order they were saved) - disabled.

    The records are shared with ``base`` and between communes, never copied: nothing
    edits a record in place (an override or a merge builds a new one), and a province's
    hundred communes then hold one copy of the shipped list, built in milliseconds.
    """
    base = base if base is not None else Catalogue(shipped_procedures())
    rows = (
        await session.execute(
            select(CatalogueEntry)
            .where(CatalogueEntry.commune_id == commune.id)
            .order_by(CatalogueEntry.id)
        )
    ).scalars()
    entries = list(rows)
    imported = [Procedure.model_validate(row.data) for row in entries if row.data]
    catalogue = merge(base, imported).catalogue if imported else Catalogue(base)
    for row in entries:
        current = catalogue.get(row.code)
        if row.overrides and current is not None:
            catalogue.put(override(current, row.overrides))
    settings = (
        await session.execute(select(Commune.settings).where(Commune.id == commune.id))
    ).scalar_one()
    for code in (settings or {}).get(DISABLED_PROCEDURES, ()):
        catalogue.remove(code)
    return catalogue


class KnowledgeRegistry:
    def __init__(
        self,
        db: Database,
        synonyms: Synonyms | None = None,
        base_catalogue: Catalogue | None = None,
    ) -> None:
        self.db = db
        self.synonyms = synonyms or load_synonyms()
        self.base_catalogue = base_catalogue  # None: the shipped catalogue
        self._cache: dict[int, tuple[CommuneKnowledge, float]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def for_commune(self, commune: CommuneProfile) -> CommuneKnowledge:
        cached = self._cache.get(commune.id)
        if cached and time.monotonic() - cached[1] < CHECK_EVERY:
            return cached[0]
        return (await self.for_communes([commune]))[commune.id]

    async def for_communes(self, communes: Sequence[CommuneProfile]) -> dict[int, CommuneKnowledge]:
        """Each commune's knowledge by id: the processor's view of all it serves.

        Communes checked less than ``CHECK_EVERY`` seconds ago come from the cache; the
        others are checked together (two statements) and rebuilt only if they changed.
        """
        now = time.monotonic()
        found: dict[int, CommuneKnowledge] = {}
        stale: list[CommuneProfile] = []
        for commune in communes:
            cached = self._cache.get(commune.id)
            if cached and now - cached[1] < CHECK_EVERY:
                found[commune.id] = cached[0]
            else:
                stale.append(commune)
        if not stale:
            return found
        async with self.db.read() as session:
            versions = await catalogue_versions(session, [c.id for c in stale])
        for commune in stale:
            found[commune.id] = await self._current(commune, versions[commune.id])
        return found

    async def _current(self, commune: CommuneProfile, version: str) -> CommuneKnowledge:
        """The commune's knowledge at ``version``: the cached one, or rebuilt (once, even
        when several tasks ask at the same time)."""
        lock = self._locks.setdefault(commune.id, asyncio.Lock())
        async with lock:
            cached = self._cache.get(commune.id)
            if cached is None or cached[0].version != version:
                async with self.db.read() as session:
                    catalogue = await effective_catalogue(session, commune, self.base_catalogue)
                matcher = await self._matcher(catalogue)
                cached = (CommuneKnowledge(catalogue, matcher, version), 0.0)
            self._cache[commune.id] = (cached[0], time.monotonic())
            return cached[0]

    async def _matcher(self, catalogue: Catalogue) -> Matcher:
        """A matcher for this catalogue, shared with every commune whose catalogue is the
        same: a province's communes mostly run the same list, and an index is costly."""
        key = await asyncio.to_thread(fingerprint, catalogue, id(self.synonyms))
        matcher = _MATCHERS.get(key)
        if matcher is None:
            # Index building is CPU work: keep the event loop responsive meanwhile.
            matcher = await asyncio.to_thread(Matcher, catalogue, self.synonyms)
            _MATCHERS[key] = matcher
            while len(_MATCHERS) > MAX_SHARED_MATCHERS:
                _MATCHERS.popitem(last=False)
        else:
            _MATCHERS.move_to_end(key)
        return matcher

    def loaded(self, commune_id: int) -> bool:
        return commune_id in self._cache

    def invalidate(self, commune_id: int | None = None) -> None:
        if commune_id is None:
            self._cache.clear()
        else:
            self._cache.pop(commune_id, None)
