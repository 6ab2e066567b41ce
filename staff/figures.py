"""The dashboard's figures for one commune and the province's side-by-side table.

Satisfaction comes from the surveys index (rate, Wilson interval, answers, target,
verdict), complaints from the complaint service's on-time replay, questions from the
question log. Each block is read in its own query so one slow part cannot hide the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Question
from complaints import service as complaint_service
from complaints.models import IN_PROGRESS, OPEN_STATUSES, RECEIVED, Ticket
from surveys import index as satisfaction
from surveys.periods import Period, local_date, parse_period
from surveys.stats import Figure


def default_period(now: datetime) -> Period:
    return parse_period(str(local_date(now).year))


def period_choices(now: datetime) -> list[tuple[str, str]]:
    today: date = local_date(now)
    quarter = (today.month - 1) // 3 + 1
    labels = [
        f"{today.year}-{today.month:02d}",
        f"{today.year}-Q{quarter}",
        str(today.year),
        str(today.year - 1),
    ]
    return [(label, parse_period(label).title) for label in labels]


def read_period(text: str | None, now: datetime) -> Period:
    if text:
        try:
            return parse_period(text)
        except ValueError:
            pass
    return default_period(now)


@dataclass
class QuestionFigures:
    asked: int = 0
    unanswered: int = 0
    waiting: int = 0  # unanswered and not yet linked by staff


@dataclass
class ComplaintFigures:
    received: int = 0
    on_time: int = 0
    overdue: int = 0
    pending: int = 0
    rate: float | None = None
    open_now: int = 0
    overdue_now: int = 0


@dataclass
class Dashboard:
    period: Period
    indicators: list[tuple[str, str, Figure]]  # key, label, figure
    months: list[tuple[str, Figure]]
    answers: int
    complaints: ComplaintFigures
    questions: QuestionFigures
    elements: dict[str, Figure] = field(default_factory=dict)


async def question_figures(
    session: AsyncSession, commune_id: int, start: datetime, end: datetime
) -> QuestionFigures:
    row = (
        await session.execute(
            select(
                func.count(Question.id),
                func.count(Question.id).filter(Question.answered.is_(False)),
                func.count(Question.id).filter(
                    Question.answered.is_(False), Question.resolved_at.is_(None)
                ),
            ).where(
                Question.commune_id == commune_id,
                Question.created_at >= start,
                Question.created_at < end,
            )
        )
    ).one()
    return QuestionFigures(int(row[0]), int(row[1]), int(row[2]))


async def complaint_figures(
    session: AsyncSession, commune_id: int, start: datetime, end: datetime, now: datetime
) -> ComplaintFigures:
    rates: dict[str, Any] = await complaint_service.on_time_rate(
        session, commune_id, start, end, now=now
    )
    overall = rates["overall"]
    open_now = (
        await session.execute(
            select(func.count(Ticket.id)).where(
                Ticket.commune_id == commune_id, Ticket.status.in_(OPEN_STATUSES)
            )
        )
    ).scalar_one()
    overdue_now = (
        await session.execute(
            select(func.count(Ticket.id)).where(
                Ticket.commune_id == commune_id,
                Ticket.status.in_((RECEIVED, IN_PROGRESS)),
                Ticket.first_response_at.is_(None),
                Ticket.due_at < now,
            )
        )
    ).scalar_one()
    return ComplaintFigures(
        received=overall["received"],
        on_time=overall["on_time"],
        overdue=overall["overdue"],
        pending=overall["pending"],
        rate=overall["rate"],
        open_now=int(open_now),
        overdue_now=int(overdue_now),
    )


async def dashboard(
    session: AsyncSession, commune_id: int, period: Period, now: datetime
) -> Dashboard:
    index = await satisfaction.commune_index(session, commune_id, period)
    start, end = period.utc_bounds()
    indicators = [
        (key, label, index.indicators[key])
        for key, label in satisfaction.INDICATORS.items()
        if key in index.indicators
    ]
    return Dashboard(
        period=period,
        indicators=indicators,
        months=list(index.months.items()),
        answers=index.answers,
        complaints=await complaint_figures(session, commune_id, start, end, now),
        questions=await question_figures(session, commune_id, start, end),
        elements=index.elements,
    )


@dataclass
class ProvinceRow:
    commune_id: int
    name: str
    sipas: Figure
    indicators: dict[str, Figure]
    complaints: ComplaintFigures
    questions: QuestionFigures


async def province(
    session: AsyncSession, communes: list[tuple[int, str]], period: Period, now: datetime
) -> list[ProvinceRow]:
    figures = await satisfaction.all_communes(session, period)
    start, end = period.utc_bounds()
    rows = []
    for commune_id, name in communes:
        targets = await satisfaction.targets_for(session, commune_id, period.year)
        mine = figures.get(commune_id) or satisfaction.indicator_figures([], targets)
        rows.append(
            ProvinceRow(
                commune_id=commune_id,
                name=name,
                sipas=mine["sipas"],
                indicators=mine,
                complaints=await complaint_figures(session, commune_id, start, end, now),
                questions=await question_figures(session, commune_id, start, end),
            )
        )
    return rows
