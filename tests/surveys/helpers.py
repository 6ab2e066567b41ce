"""Shared set-up for survey tests: record visits and read back what was stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot.app import Runtime
from surveys import service
from surveys.models import Invitation, Response

PROCEDURE = "1.001193"  # khai sinh, in the shipped catalogue
# 10:00 in Hà Nội on a weekday: pushes are allowed.
MORNING = datetime(2026, 7, 15, 3, 0, tzinfo=UTC)


def set_clock(runtime: Runtime, at: datetime) -> list[datetime]:
    """Make the processor's clock read ``at``; the test moves it by setting item 0."""
    now = [at]
    runtime.processor.clock = lambda: now[0]
    return now


def services(runtime: Runtime) -> service.Services:
    deps = runtime.processor.services[service.SERVICE_KEY]
    assert isinstance(deps, service.Services)
    return deps


async def visit(
    runtime: Runtime,
    now: datetime,
    *,
    commune: str = "default",
    **kwargs: Any,
) -> tuple[Invitation, str]:
    """A visit with its invitation; returns the invitation and its signed token."""
    profile = runtime.communes.by_slug(commune)
    assert profile is not None
    kwargs.setdefault("procedure_code", PROCEDURE)
    async with runtime.db.transaction() as session:
        _visit, invitation, _ = await service.record_visit(
            session,
            commune_id=profile.id,
            now=now,
            options=service.SurveySettings.from_commune(profile.settings),
            **kwargs,
        )
    return invitation, service.token_for(services(runtime).secret, invitation)


async def responses(runtime: Runtime) -> list[Response]:
    async with runtime.db.read() as session:
        return list((await session.execute(select(Response).order_by(Response.id))).scalars())


async def invitation(runtime: Runtime, invitation_id: int) -> Invitation:
    async with runtime.db.read() as session:
        row = await session.get(Invitation, invitation_id)
        assert row is not None
        return row


async def count(runtime: Runtime, model: type, *where: Any) -> int:
    async with runtime.db.read() as session:
        query = select(func.count()).select_from(model).where(*where)
        return int((await session.execute(query)).scalar_one())
