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
from bot.db.engine import Database
from bot.db.models import Commune

EXTRA_STAFF_CHATS = "staff_chats"  # settings key: [[channel, chat_id], ...]
DISABLED_PROCEDURES = "disabled_procedures"  # settings key: codes the commune does not handle

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
    # Where staff alerts go, as (channel, chat_id), and who may use staff commands, as
    # "channel:user_id". Both come from configuration, not from the database.
    staff_chats: tuple[tuple[str, str], ...] = ()
    staff_users: frozenset[str] = frozenset()

    def is_staff(self, channel: str, user_id: str) -> bool:
        return f"{channel}:{user_id}" in self.staff_users

    @property
    def one_stop_shop(self) -> str:
        """How residents should name the place to go."""
        return f"Bộ phận Một cửa {self.name}"

    @property
    def disabled_procedures(self) -> frozenset[str]:
        return frozenset(self.settings.get(DISABLED_PROCEDURES, ()))

    @classmethod
    def from_row(cls, row: Commune, config: CommuneSettings | None = None) -> CommuneProfile:
        staff_chats: tuple[tuple[str, str], ...] = ()
        staff_users: frozenset[str] = frozenset()
        if config is not None and config.telegram.staff_chat:
            staff_chats = (("telegram", config.telegram.staff_chat),)
        # Chats of units (the reform office...) that features configured for the commune:
        # staff act from them too, so channels admit their staff's commands and buttons.
        for channel, chat in (row.settings or {}).get(EXTRA_STAFF_CHATS, ()):
            if (channel, chat) not in staff_chats:
                staff_chats += ((str(channel), str(chat)),)
        if config is not None:
            staff_users = frozenset(f"telegram:{u}" for u in config.telegram.staff_users)
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
            staff_chats=staff_chats,
            staff_users=staff_users,
        )


def default_name(slug: str) -> str:
    return "xã, phường" if slug == "default" else slug.replace("-", " ").title()


async def sync_communes(session: AsyncSession, configured: list[CommuneSettings]) -> list[Commune]:
    """Create configured communes that are missing and apply the profile fields they set."""
    rows: list[Commune] = []
    for commune in configured:
        row = (
            await session.execute(select(Commune).where(Commune.slug == commune.slug))
        ).scalar_one_or_none()
        profile = commune.profile()
        if row is None:
            row = Commune(
                slug=commune.slug,
                name=profile.pop("name", default_name(commune.slug)),
                counters=[],
                settings={},
            )
            session.add(row)
        for key, value in profile.items():
            setattr(row, key, value)
        rows.append(row)
    await session.flush()
    return rows


async def all_profiles(
    session: AsyncSession, configured: list[CommuneSettings] | None = None
) -> list[CommuneProfile]:
    config = {c.slug: c for c in configured or []}
    rows = (await session.execute(select(Commune).order_by(Commune.id))).scalars()
    return [CommuneProfile.from_row(r, config.get(r.slug)) for r in rows]


class CommuneDirectory:
    """Commune profiles by id and slug, read once and refreshed on demand."""

    def __init__(self, db: Database, configured: list[CommuneSettings] | None = None) -> None:
        self.db = db
        self.configured = configured or []
        self._by_id: dict[int, CommuneProfile] = {}
        self._by_slug: dict[str, CommuneProfile] = {}

    async def refresh(self) -> None:
        async with self.db.read() as session:
            profiles = await all_profiles(session, self.configured)
        self._by_id = {p.id: p for p in profiles}
        self._by_slug = {p.slug: p for p in profiles}

    def by_slug(self, slug: str) -> CommuneProfile | None:
        return self._by_slug.get(slug)

    def by_id(self, commune_id: int) -> CommuneProfile:
        return self._by_id[commune_id]

    def all(self) -> list[CommuneProfile]:
        return list(self._by_id.values())
