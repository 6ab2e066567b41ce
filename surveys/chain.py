"""The hash chain over answers: each commune's answers, in the order they were stored,
linked by ``hash = sha256(previous hash + canonical JSON of the answer)``.

Editing, deleting or reordering a stored answer, or cutting the log short, breaks a
link that ``verify`` finds and names. The chain proves the figures come from the
answers as given; it cannot prove an answer was not invented before it was appended
(single-use invitations and the staff rules are there for that).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.instrument import ELEMENTS
from surveys.models import ChainHead, LogEntry, Response

GENESIS = "0" * 64


def canonical(response: Response) -> str:
    """The answer as hashed: every stored field except the derived ``flag``."""
    answered = response.answered_at.astimezone(UTC).replace(tzinfo=None)
    data: dict[str, Any] = {
        "id": response.id,
        "commune_id": response.commune_id,
        "instrument": response.instrument,
        "evidence": response.evidence,
        "procedure_code": response.procedure_code,
        "field": response.field,
        "field_group": response.field_group,
        "counter": response.counter,
        "officer": response.officer,
        "mode": response.mode,
        "visit_date": response.visit_date.isoformat() if response.visit_date else None,
        "answered_at": answered.isoformat(timespec="seconds") + "Z",
        "scores": {e: getattr(response, e) for e in ELEMENTS},
        "comment": response.comment,
        "receipt": response.receipt,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def link(prev_hash: str, response: Response) -> str:
    return hashlib.sha256((prev_hash + canonical(response)).encode()).hexdigest()


async def append(session: AsyncSession, response: Response) -> LogEntry:
    """Add a stored (flushed) answer to its commune's chain, holding the head's lock."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert(ChainHead)
        .values(commune_id=response.commune_id, position=0, hash=GENESIS)
        .on_conflict_do_nothing()
    )
    head = (
        await session.execute(
            select(ChainHead)
            .where(ChainHead.commune_id == response.commune_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    entry = LogEntry(
        commune_id=response.commune_id,
        position=head.position + 1,
        response_id=response.id,
        prev_hash=head.hash,
        hash=link(head.hash, response),
        created_at=response.answered_at,
    )
    session.add(entry)
    head.position, head.hash = entry.position, entry.hash
    await session.flush()
    return entry


@dataclass(frozen=True)
class Break:
    commune_id: int
    position: int | None
    response_id: int | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "commune_id": self.commune_id,
            "position": self.position,
            "response_id": self.response_id,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Verification:
    checked: int
    breaks: Sequence[Break]

    @property
    def ok(self) -> bool:
        return not self.breaks


async def verify(session: AsyncSession, commune_ids: Sequence[int] | None = None) -> Verification:
    """Walk each commune's chain; report the first broken link of each."""
    if commune_ids is None:
        commune_ids = []
        for column in (LogEntry.commune_id, ChainHead.commune_id, Response.commune_id):
            commune_ids += list((await session.execute(select(column).distinct())).scalars())
    checked, breaks = 0, []
    for commune_id in sorted(set(commune_ids)):
        count, problem = await _verify_commune(session, commune_id)
        checked += count
        if problem is not None:
            breaks.append(problem)
    return Verification(checked, breaks)


async def _verify_commune(session: AsyncSession, commune_id: int) -> tuple[int, Break | None]:
    rows = await session.stream(
        select(LogEntry, Response)
        .outerjoin(Response, Response.id == LogEntry.response_id)
        .where(LogEntry.commune_id == commune_id)
        .order_by(LogEntry.position)
        .execution_options(yield_per=2000)
    )
    expected_prev, position, checked = GENESIS, 0, 0
    async for entry, response in rows:
        position += 1
        where = (commune_id, entry.position, entry.response_id)
        if entry.position != position:
            return checked, Break(*where, f"link {position} is missing")
        if entry.prev_hash != expected_prev:
            return checked, Break(*where, "does not follow the previous link")
        if response is None:
            return checked, Break(*where, "the answer was deleted")
        if response.commune_id != commune_id:
            return checked, Break(*where, "the answer was moved to another commune")
        if link(expected_prev, response) != entry.hash:
            return checked, Break(*where, "the answer was changed after it was stored")
        expected_prev = entry.hash
        checked += 1
    head = await session.get(ChainHead, commune_id)
    if head is not None and (head.position != position or head.hash != expected_prev):
        return checked, Break(commune_id, head.position, None, "the log was cut short")
    unchained = (
        await session.execute(
            select(func.min(Response.id), func.count(Response.id))
            .outerjoin(LogEntry, LogEntry.response_id == Response.id)
            .where(Response.commune_id == commune_id, LogEntry.id.is_(None))
        )
    ).one()
    if unchained[1]:
        return checked, Break(
            commune_id, None, unchained[0], f"{unchained[1]} answer(s) are not in the chain"
        )
    return checked, None
