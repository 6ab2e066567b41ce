"""Communes: the configured profile of each one-stop shop, kept in the database.

Configuration (env vars, the communes file) seeds and updates the profile at start-up;
staff edit the rest later. Handlers read a frozen ``CommuneProfile`` snapshot so a
profile edit mid-update cannot change an answer halfway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import CommuneSettings
from bot.db.models import Commune

# Official working hours of state agencies; most one-stop shops keep them.
DEFAULT_HOURS = "Sáng 7h30 - 11h30, chiều 13h30 - 17h00, từ thứ Hai đến thứ Sáu (trừ ngày lễ)"


@dataclass(frozen=True)
class CommuneProfile:
    id: int
    slug: str
    name: str
    kind: str = "xã"
    province: str | None = None
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    email: str | None = None
    map_url: str | None = None
    counters: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def one_stop_shop(self) -> str:
        """How residents should name the place to go."""
        return f"Bộ phận Một cửa {self.name}"

    @property
    def disabled_procedures(self) -> frozenset[str]:
        return frozenset(self.settings.get("disabled_procedures", ()))

    @classmethod
    def from_row(cls, row: Commune) -> CommuneProfile:
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            kind=row.kind,
            province=row.province,
            address=row.address,
            hours=row.hours or DEFAULT_HOURS,
            phone=row.phone,
            email=row.email,
            map_url=row.map_url,
            counters=tuple(row.counters or ()),
            settings=dict(row.settings or {}),
        )


def default_name(slug: str) -> str:
    return "Xã của bạn" if slug == "default" else slug.replace("-", " ").title()


async def sync_communes(session: AsyncSession, configured: list[CommuneSettings]) -> list[Commune]:
    """Create configured communes that are missing and apply the profile fields they set."""
    rows: list[Commune] = []
    for commune in configured:
        row = (await session.execute(select(Commune).where(Commune.slug == commune.slug))).scalar_one_or_none()
        profile = commune.profile()
        if row is None:
            row = Commune(slug=commune.slug, name=profile.pop("name", default_name(commune.slug)), counters=[], settings={})
            session.add(row)
        for key, value in profile.items():
            setattr(row, key, value)
        rows.append(row)
    await session.flush()
    return rows


async def all_profiles(session: AsyncSession) -> list[CommuneProfile]:
    rows = (await session.execute(select(Commune).order_by(Commune.id))).scalars()
    return [CommuneProfile.from_row(r) for r in rows]
