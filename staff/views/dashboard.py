"""The dashboard (one commune) and the province's side-by-side view."""

from __future__ import annotations

from aiohttp import web

from bot.db.base import utcnow
from staff import charts, figures
from staff.roles import Perm
from staff.web import Staff, page, render, runtime_of
from surveys import index as satisfaction
from surveys.instrument import ELEMENT_LABELS


@page(Perm.DASHBOARD)
async def dashboard(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    now = utcnow()
    period = figures.read_period(request.query.get("period"), now)
    async with runtime.db.read() as session:
        data = await figures.dashboard(session, staff.commune.id, period, now)
    sipas = next((f for key, _label, f in data.indicators if key == "sipas"), None)
    return render(
        request,
        "dashboard.html",
        section="dashboard",
        data=data,
        periods=figures.period_choices(now),
        element_labels=ELEMENT_LABELS,
        targets_chart=charts.target_bars(
            [(label, f) for _key, label, f in data.indicators], "Tỷ lệ hài lòng theo mục tiêu"
        ),
        trend_chart=(
            charts.month_trend(
                data.months,
                sipas.target if sipas else None,
                "Tỷ lệ hài lòng (SIPAS) theo tháng",
            )
            if data.months
            else None
        ),
    )


@page(Perm.PROVINCE)
async def province(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    now = utcnow()
    period = figures.read_period(request.query.get("period"), now)
    communes = [(c.id, c.name) for c in staff.communes]
    async with runtime.db.read() as session:
        rows = await figures.province(session, communes, period, now)
    return render(
        request,
        "province.html",
        section="province",
        rows=rows,
        period=period,
        periods=figures.period_choices(now),
        indicators=satisfaction.INDICATORS,
        chart=charts.target_bars([(r.name, r.sipas) for r in rows], "SIPAS theo xã, phường"),
    )
