"""Published versions of a commune's privacy notice.

The notice is rendered from the commune's profile and settings (handlers/privacy.py has
the wording), so it changes when the commune's phone or a retention period changes.
Each distinct text gets a version, ``<template>-<6 hex of its hash>``, stored the first
time it is shown; a consent record keeps that version, and this table gives back the
exact text the resident agreed to.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.privacy import NOTICE_VERSION
from privacy.models import PrivacyNotice

# The wording's version (bumped with the templates' text); the hash names the commune's
# rendering of it.
TEMPLATE_VERSION = NOTICE_VERSION


def version_of(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
    return f"{TEMPLATE_VERSION}-{digest}"


async def publish(session: AsyncSession, commune_id: int, text: str, now: datetime) -> str:
    """The version of this notice text, recorded if it is new (two residents reading a
    new version at once on two instances both succeed)."""
    version = version_of(text)
    known = (
        await session.execute(
            select(PrivacyNotice.id).where(
                PrivacyNotice.commune_id == commune_id, PrivacyNotice.version == version
            )
        )
    ).first()
    if known is None:
        dialect = session.bind.dialect.name if session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        await session.execute(
            insert(PrivacyNotice)
            .values(commune_id=commune_id, version=version, text=text, published_at=now)
            .on_conflict_do_nothing()
        )
    return version


async def text_of(session: AsyncSession, commune_id: int, version: str) -> str | None:
    return (
        await session.execute(
            select(PrivacyNotice.text).where(
                PrivacyNotice.commune_id == commune_id, PrivacyNotice.version == version
            )
        )
    ).scalar_one_or_none()
