"""The satisfaction index against figures computed by hand on a small fixture."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from bot.app import Runtime
from surveys import index
from surveys.models import Response
from surveys.periods import parse_period
from surveys.stats import Figure, sample_needed, wilson

pytestmark = pytest.mark.db

Q3 = parse_period("2026-Q3")
JULY = datetime(2026, 7, 10, 3, 0, tzinfo=UTC)
AUGUST = datetime(2026, 8, 20, 3, 0, tzinfo=UTC)


def test_wilson_interval_matches_the_formula_worked_by_hand() -> None:
    # 11 satisfied out of 14: p = 0.785714, z = 1.959964, z² = 3.841459
    # centre = (p + z²/28) / (1 + z²/14) = 0.922909 / 1.274390 = 0.724197
    # half = z·sqrt(p(1-p)/14 + z²/784) / 1.274390 = 0.200089
    low, high = wilson(11, 14)
    assert low == pytest.approx(0.5241, abs=1e-4)
    assert high == pytest.approx(0.9243, abs=1e-4)
    # At 100% the interval does not collapse: 20/20 is [83.9%, 100%].
    low, high = wilson(20, 20)
    assert low == pytest.approx(0.8389, abs=1e-4) and high == 1.0


def test_answers_needed_for_a_five_point_margin() -> None:
    # h(1, n) = z²/(2n + 2z²) <= 0.05  =>  n >= z²/0.1 - z² = 34.57  =>  35
    assert sample_needed(1.0) == 35
    assert sample_needed(0.5) == 381
    assert Figure(answers=20, satisfied=20, target=0.95).answers_needed == 15
    assert Figure(answers=500, satisfied=450, target=0.9).answers_needed == 0


def test_verdict_respects_the_interval() -> None:
    assert Figure(400, 396, 0.95).verdict == "met"  # [97.4%, 99.6%]
    assert Figure(100, 80, 0.95).verdict == "missed"  # [71.1%, 86.7%]
    assert Figure(20, 19, 0.95).verdict == "uncertain"  # 95% of 20 proves nothing
    assert Figure(0, 0, 0.95).verdict == "none"


def _answer(
    commune_id: int,
    when: datetime,
    overall: int,
    n: list[int],
    *,
    evidence: str = "visit",
    mode: str = "in_person",
    group: str = "other",
    counter: str | None = "Quầy 1",
    officer: str | None = "An",
    civil_servant: int | None = None,
    flag: str | None = None,
) -> Response:
    n[0] += 1
    return Response(
        commune_id=commune_id,
        instrument="sipas-2026@1",
        evidence=evidence,
        procedure_code="1.001193",
        field="",
        field_group=group,
        counter=counter,
        officer=officer,
        mode=mode,
        visit_date=when.date(),
        answered_at=when,
        overall=overall,
        access=overall,
        procedure=overall,
        civil_servant=civil_servant,
        result=overall,
        feedback=overall,
        flag=flag,
        receipt=f"r{n[0]:063d}",
    )


@pytest.fixture
async def fixture(runtime: Runtime) -> int:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    c, n = commune.id, [0]
    rows = [
        # In person, field "other", counter 1, officer An: 10 answers, 7 satisfied.
        *[_answer(c, JULY, s, n) for s in (5, 5, 4, 3, 2)],
        *[_answer(c, AUGUST, s, n) for s in (5, 4, 5, 1, 4)],
        # Online, land: 4 of 4, officer Bình at counter 2.
        *[
            _answer(
                c,
                AUGUST,
                s,
                n,
                mode="online",
                group="land_construction_investment",
                counter="Quầy 2",
                officer="Bình",
                civil_servant=s,
            )
            for s in (5, 4, 4, 5)
        ],
        # Counter QR (lower evidence): 2 of 3, reported apart.
        *[_answer(c, JULY, s, n, evidence="counter", officer=None) for s in (5, 5, 1)],
        # Burst-flagged answers and an answer of the previous quarter are left out.
        *[_answer(c, JULY, 1, n, evidence="counter", officer=None, flag="burst") for _ in (1, 2)],
        _answer(c, datetime(2026, 6, 30, 16, 59, tzinfo=UTC), 1, n),  # 23:59 on 30 June local
    ]
    async with runtime.db.transaction() as session:
        session.add_all(rows)
    return c


async def test_index_per_target_against_hand_computed_figures(
    runtime: Runtime, fixture: int
) -> None:
    async with runtime.db.transaction() as session:
        await index.set_target(session, fixture, 2026, "online", 0.9)
    async with runtime.db.read() as session:
        result = await index.commune_index(session, fixture, Q3)
    figures = result.indicators
    assert (figures["sipas"].answers, figures["sipas"].satisfied) == (14, 11)
    assert figures["sipas"].rate == pytest.approx(11 / 14)
    assert figures["sipas"].interval == pytest.approx((0.5241, 0.9243), abs=1e-4)
    assert figures["sipas"].gap == pytest.approx(11 / 14 - 0.95)
    assert figures["sipas"].verdict == "missed"  # whole interval below 95%: 92.4% < 95%
    assert (figures["procedure_handling"].answers, figures["procedure_handling"].satisfied) == (
        10,
        7,
    )
    online = figures["online"]
    assert (online.answers, online.satisfied, online.target) == (4, 4, 0.9)  # commune's own
    assert online.answers_needed == 31  # 35 needed at 100%, 4 given
    assert figures["land_construction_investment"].answers == 4
    health = figures["health_education"]
    assert health.answers == 0 and health.rate is None and health.verdict == "none"
    assert result.answers == 14
    assert result.flagged == 2
    assert result.counter_qr is not None
    assert (result.counter_qr.answers, result.counter_qr.satisfied) == (3, 2)
    # Elements count only the answers that rated them (NULL is not "unsatisfied").
    assert result.elements["civil_servant"].answers == 4
    assert result.elements["access"].answers == 14
    # Months of the quarter: July 5 answers (3 satisfied), August 9 (8), September none.
    assert {k: (f.answers, f.satisfied) for k, f in result.months.items()} == {
        "2026-07": (5, 3),
        "2026-08": (9, 8),
        "2026-09": (0, 0),
    }


async def test_officer_cells_under_five_answers_are_suppressed(
    runtime: Runtime, fixture: int
) -> None:
    async with runtime.db.read() as session:
        result = await index.commune_index(session, fixture, Q3)
    an, binh = result.officers["An"], result.officers["Bình"]
    assert not an.suppressed and an.rate == pytest.approx(0.7)
    assert binh.suppressed and binh.rate is None and binh.interval is None
    shown = binh.to_json()
    assert shown["rate"] is None and shown["satisfied"] is None and shown["answers"] == 4
    assert result.counters["Quầy 2"].suppressed


async def test_all_communes_side_by_side(runtime: Runtime, fixture: int) -> None:
    async with runtime.db.read() as session:
        figures = await index.all_communes(session, Q3)
    assert figures[fixture]["sipas"].answers == 14
    assert math.isclose(figures[fixture]["sipas"].target or 0, 0.95)


def test_periods_cover_the_reporting_calendar() -> None:
    assert (Q3.start, Q3.end) == (date(2026, 7, 1), date(2026, 10, 1))
    assert parse_period("2026-9M").end == date(2026, 10, 1)
    assert parse_period("2026-6M").end == date(2026, 7, 1)
    assert parse_period("2026-H2").start == date(2026, 7, 1)
    assert parse_period("2026").title == "Năm 2026"
    assert Q3.title == "Quý III năm 2026"
    # Boundaries are local midnight (UTC+7).
    assert Q3.utc_bounds()[0] == datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_period("2026-Q5")
