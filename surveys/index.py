"""The satisfaction index: figures per target, element, field group, counter, officer
and month, each with its sample size, Wilson interval, gap to target and the answers
still needed.

One SQL query per period groups the answers into cells (evidence x field group x mode
x counter x officer) with, for every element, the number of answers and of 4-5
ratings; every figure is then a sum over cells. The database does the row work, so a
commune's quarter reads one index range and all communes' quarter one scan of it.

What each target counts (answers from dossier visits; counter-QR answers are lower
evidence and reported on their own line; burst-flagged answers are left out):

- ``sipas``: the overall question, all dossier visits;
- ``procedure_handling``: the overall question, visits in person at the one-stop shop;
- ``online``: the overall question, dossiers submitted online;
- ``land_construction_investment``, ``health_education``: the overall question, visits
  for procedures in those field groups (from the procedure's field in the catalogue).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from surveys.instrument import ELEMENTS, IN_PERSON, ONLINE, SATISFIED_FROM
from surveys.models import EVIDENCE_COUNTER, EVIDENCE_VISIT, Response, Target
from surveys.periods import Period
from surveys.stats import DEFAULT_MARGIN, MIN_CELL, Figure

# Indicators and their default targets (CONTEXT.md section 2); configurable per commune
# and year in survey_targets.
INDICATORS: dict[str, str] = {
    "sipas": "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)",
    "procedure_handling": "Hài lòng với việc tiếp nhận, giải quyết TTHC",
    "online": "Hài lòng với dịch vụ công trực tuyến",
    "land_construction_investment": "Hài lòng với TTHC đất đai, xây dựng, đầu tư",
    "health_education": "Hài lòng với dịch vụ y tế, giáo dục công lập",
}
DEFAULT_TARGETS: dict[str, float] = {
    "sipas": 0.95,
    "procedure_handling": 0.95,
    "online": 0.95,
    "land_construction_investment": 0.90,
    "health_education": 0.90,
}


@dataclass(frozen=True)
class Cell:
    evidence: str
    field_group: str
    mode: str
    counter: str | None
    officer: str | None
    answers: int
    # element -> (rated, satisfied)
    elements: dict[str, tuple[int, int]]


def _sums(cells: Iterable[Cell], element: str) -> tuple[int, int]:
    n = s = 0
    for cell in cells:
        rated, satisfied = cell.elements[element]
        n += rated
        s += satisfied
    return n, s


@dataclass
class CommuneIndex:
    commune_id: int
    period: Period
    targets: dict[str, float]
    indicators: dict[str, Figure] = field(default_factory=dict)
    elements: dict[str, Figure] = field(default_factory=dict)
    field_groups: dict[str, Figure] = field(default_factory=dict)
    modes: dict[str, Figure] = field(default_factory=dict)
    counters: dict[str, Figure] = field(default_factory=dict)
    officers: dict[str, Figure] = field(default_factory=dict)
    months: dict[str, Figure] = field(default_factory=dict)
    counter_qr: Figure | None = None
    flagged: int = 0
    answers: int = 0

    def to_json(self) -> dict[str, Any]:
        def block(figures: dict[str, Figure]) -> dict[str, Any]:
            return {k: v.to_json() for k, v in figures.items()}

        return {
            "commune_id": self.commune_id,
            "period": self.period.label,
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "answers": self.answers,
            "targets": block(self.indicators),
            "elements": block(self.elements),
            "field_groups": block(self.field_groups),
            "modes": block(self.modes),
            "counters": block(self.counters),
            "officers": block(self.officers),
            "months": block(self.months),
            "counter_qr": self.counter_qr.to_json() if self.counter_qr else None,
            "flagged_bursts": self.flagged,
        }


def _satisfied(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.sum(case((column >= SATISFIED_FROM, 1), else_=0))


def _rated(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.count(column)


async def cells(
    session: AsyncSession,
    period: Period,
    commune_ids: Sequence[int] | None = None,
    *,
    detail: bool = True,
) -> dict[int, list[Cell]]:
    """Answers of the period grouped into cells, per commune (burst-flagged left out)."""
    start, end = period.utc_bounds()
    keys: list[Any] = [Response.commune_id, Response.evidence, Response.field_group, Response.mode]
    if detail:
        keys += [Response.counter, Response.officer]
    columns: list[Any] = [*keys, func.count(Response.id)]
    for element in ELEMENTS:
        column = getattr(Response, element)
        columns += [_rated(column), _satisfied(column)]
    query = (
        select(*columns)
        .where(Response.answered_at >= start, Response.answered_at < end, Response.flag.is_(None))
        .group_by(*keys)
    )
    if commune_ids is not None:
        query = query.where(Response.commune_id.in_(list(commune_ids)))
    result: dict[int, list[Cell]] = defaultdict(list)
    width = len(keys)
    for row in (await session.execute(query)).all():
        values = [int(v or 0) for v in row[width:]]
        elements = {
            element: (values[1 + 2 * i], values[2 + 2 * i]) for i, element in enumerate(ELEMENTS)
        }
        result[int(row[0])].append(
            Cell(
                evidence=row[1],
                field_group=row[2],
                mode=row[3],
                counter=row[4] if detail else None,
                officer=row[5] if detail else None,
                answers=values[0],
                elements=elements,
            )
        )
    return result


async def flagged_count(session: AsyncSession, period: Period, commune_id: int) -> int:
    start, end = period.utc_bounds()
    query = select(func.count(Response.id)).where(
        Response.commune_id == commune_id,
        Response.answered_at >= start,
        Response.answered_at < end,
        Response.flag.is_not(None),
    )
    return int((await session.execute(query)).scalar_one())


async def targets_for(session: AsyncSession, commune_id: int | None, year: int) -> dict[str, float]:
    """Defaults, overridden by province-wide rows, overridden by the commune's rows."""
    rows = (
        await session.execute(
            select(Target).where(
                Target.year == year,
                (Target.commune_id.is_(None)) | (Target.commune_id == commune_id),
            )
        )
    ).scalars()
    targets = dict(DEFAULT_TARGETS)
    ordered = sorted(rows, key=lambda t: t.commune_id is not None)
    for row in ordered:
        targets[row.indicator] = row.target
    return targets


async def set_target(
    session: AsyncSession, commune_id: int | None, year: int, indicator: str, value: float
) -> None:
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}: one of {', '.join(INDICATORS)}")
    if not 0 < value <= 1:
        raise ValueError("a target is a share between 0 and 1 (0.95 for 95%)")
    row = (
        await session.execute(
            select(Target).where(
                Target.year == year,
                Target.indicator == indicator,
                Target.commune_id.is_(None)
                if commune_id is None
                else Target.commune_id == commune_id,
            )
        )
    ).scalar_one_or_none()
    if row is None:
        session.add(Target(commune_id=commune_id, year=year, indicator=indicator, target=value))
    else:
        row.target = value
    await session.flush()


def indicator_figures(
    cells_: Sequence[Cell], targets: dict[str, float], margin: float = DEFAULT_MARGIN
) -> dict[str, Figure]:
    visit = [c for c in cells_ if c.evidence == EVIDENCE_VISIT]
    selections = {
        "sipas": visit,
        "procedure_handling": [c for c in visit if c.mode == IN_PERSON],
        "online": [c for c in visit if c.mode == ONLINE],
        "land_construction_investment": [
            c for c in visit if c.field_group == "land_construction_investment"
        ],
        "health_education": [c for c in visit if c.field_group == "health_education"],
    }
    figures = {}
    for indicator, chosen in selections.items():
        n, s = _sums(chosen, "overall")
        figures[indicator] = Figure(n, s, targets.get(indicator), margin)
    return figures


def build_index(
    commune_id: int,
    period: Period,
    cells_: Sequence[Cell],
    targets: dict[str, float],
    *,
    margin: float = DEFAULT_MARGIN,
    min_cell: int = MIN_CELL,
) -> CommuneIndex:
    index = CommuneIndex(commune_id, period, targets)
    index.indicators = indicator_figures(cells_, targets, margin)
    visit = [c for c in cells_ if c.evidence == EVIDENCE_VISIT]
    index.answers = sum(c.answers for c in visit)
    sipas_target = targets.get("sipas")
    for element in ELEMENTS:
        n, s = _sums(visit, element)
        index.elements[element] = Figure(n, s, sipas_target, margin)
    # Counters and officers are small cells that point at a person: below min_cell
    # answers the figure is withheld.
    for attribute, figures, suppress in (
        ("field_group", index.field_groups, False),
        ("mode", index.modes, False),
        ("counter", index.counters, True),
        ("officer", index.officers, True),
    ):
        groups: dict[str, list[Cell]] = defaultdict(list)
        for cell in visit:
            value = getattr(cell, attribute)
            if value is not None:
                groups[str(value)].append(cell)
        for value, chosen in sorted(groups.items()):
            n, s = _sums(chosen, "overall")
            target = _group_target(attribute, value, targets)
            figures[value] = Figure(n, s, target, margin, suppressed=suppress and n < min_cell)
    counter_cells = [c for c in cells_ if c.evidence == EVIDENCE_COUNTER]
    if counter_cells:
        n, s = _sums(counter_cells, "overall")
        index.counter_qr = Figure(n, s, None, margin)
    return index


def _group_target(attribute: str, value: str, targets: dict[str, float]) -> float | None:
    if attribute == "field_group":
        return targets.get(value, targets.get("sipas"))
    if attribute == "mode":
        return targets.get("online" if value == ONLINE else "procedure_handling")
    return targets.get("procedure_handling")


async def commune_index(
    session: AsyncSession,
    commune_id: int,
    period: Period,
    *,
    months: bool = True,
    margin: float = DEFAULT_MARGIN,
) -> CommuneIndex:
    """Every figure of one commune's period, including the month-by-month trend."""
    targets = await targets_for(session, commune_id, period.year)
    grouped = await cells(session, period, [commune_id])
    index = build_index(commune_id, period, grouped.get(commune_id, []), targets, margin=margin)
    index.flagged = await flagged_count(session, period, commune_id)
    month_list = period.months()
    if months and len(month_list) > 1:
        for month in month_list:
            monthly = await cells(session, month, [commune_id], detail=False)
            figures = indicator_figures(monthly.get(commune_id, []), targets, margin)
            index.months[month.label] = figures["sipas"]
    return index


async def all_communes(
    session: AsyncSession, period: Period, *, margin: float = DEFAULT_MARGIN
) -> dict[int, dict[str, Figure]]:
    """The target figures of every commune side by side (the province's view)."""
    grouped = await cells(session, period, detail=False)
    rows = (await session.execute(select(Target).where(Target.year == period.year))).scalars().all()
    defaults = dict(DEFAULT_TARGETS)
    for row in rows:
        if row.commune_id is None:
            defaults[row.indicator] = row.target
    per_commune: dict[int, dict[str, float]] = defaultdict(lambda: dict(defaults))
    for row in rows:
        if row.commune_id is not None:
            per_commune[row.commune_id][row.indicator] = row.target
    return {
        commune_id: indicator_figures(commune_cells, per_commune[commune_id], margin)
        for commune_id, commune_cells in sorted(grouped.items())
    }
