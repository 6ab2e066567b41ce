"""Exports and reports: ask for one, watch it being written, download it."""

from __future__ import annotations

from datetime import date

from aiohttp import web
from sqlalchemy import select

from bot.db.base import utcnow
from staff import audit, exports, figures
from staff.models import ExportJob
from staff.roles import Perm
from staff.web import (
    Staff,
    client_ip,
    forbidden,
    form,
    not_found,
    page,
    redirect,
    render,
    runtime_of,
    text_field,
)
from surveys.periods import Period, between, parse_period

RUNNER: web.AppKey[exports.ExportRunner] = web.AppKey("staff_exports", exports.ExportRunner)


def _period(data: dict[str, str], now_year: int) -> Period | None:
    label = data.get("period", "")
    if label == "custom":
        try:
            start = date.fromisoformat(data.get("from", ""))
            end = date.fromisoformat(data.get("to", ""))
        except ValueError:
            return None
        return between(start, end) if start <= end else None
    try:
        return parse_period(label or str(now_year))
    except ValueError:
        return None


@page(Perm.EXPORT)
async def exports_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.read() as session:
        jobs = list(
            (
                await session.execute(
                    select(ExportJob)
                    .where(ExportJob.account_id == staff.account.id)
                    .order_by(ExportJob.created_at.desc())
                    .limit(20)
                )
            ).scalars()
        )
    return render(
        request,
        "exports.html",
        section="exports",
        kinds=exports.KINDS,
        periods=figures.period_choices(now),
        jobs=jobs,
        labels=exports.STATUS_LABELS,
        status_json=exports.status_json,
    )


@page(Perm.EXPORT)
async def create_export(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = {k: v for k, v in (await form(request)).items() if isinstance(v, str)}
    kind, fmt = data.get("kind", ""), data.get("format", "")
    now = utcnow()
    period = _period(data, now.year)
    spec = exports.KINDS.get(kind)
    if spec is None or fmt not in spec.formats or period is None:
        raise redirect("/staff/exports", err="invalid")
    reveal = data.get("reveal") == "1" and kind == "complaints"
    if reveal and not staff.can(Perm.REVEAL):
        return forbidden(request)
    every = data.get("scope") == "all" and staff.province and kind == "answers"
    runtime = runtime_of(request)
    job = exports.new_job(
        kind=kind,
        fmt=fmt,
        period=period,
        commune_id=None if every else staff.commune.id,
        commune_slug="toan-tinh" if every else staff.commune.slug,
        account_id=staff.account.id,
        params={"reveal": reveal, "comments": data.get("comments") == "1"},
        now=now,
    )
    async with runtime.db.transaction() as session:
        session.add(job)
        audit.record(
            session,
            action="export",
            username=staff.account.username,
            account_id=staff.account.id,
            commune_id=staff.commune.id,
            now=now,
            target=job.filename,
            detail={"kind": kind, "format": fmt, "period": period.label, **job.params},
            ip=client_ip(request),
        )
    request.config_dict[RUNNER].start(runtime, job.id)
    raise redirect(f"/staff/exports/{job.id}")


async def _job(request: web.Request, staff: Staff) -> ExportJob | None:
    runtime = runtime_of(request)
    async with runtime.db.read() as session:
        job = await session.get(ExportJob, request.match_info["job"][:32])
    if job is None:
        return None
    mine = job.account_id == staff.account.id
    same_place = job.commune_id == staff.commune.id or (job.commune_id is None and staff.province)
    if not mine and not (same_place and staff.can(Perm.SETTINGS)):
        return None
    return job


@page(Perm.EXPORT)
async def export_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    job = await _job(request, staff)
    if job is None:
        return not_found(request)
    return render(
        request,
        "export.html",
        section="exports",
        job=job,
        kind=exports.KINDS[job.kind],
        state=exports.status_json(job),
    )


@page(Perm.EXPORT)
async def export_status(request: web.Request, staff: Staff) -> web.StreamResponse:
    job = await _job(request, staff)
    if job is None:
        return web.json_response({"error": "not found"}, status=404)
    return web.json_response(exports.status_json(job))


@page(Perm.EXPORT)
async def export_download(request: web.Request, staff: Staff) -> web.StreamResponse:
    job = await _job(request, staff)
    if job is None or job.status != exports.DONE or not job.path:
        return not_found(request)
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        audit.record(
            session,
            action="export_download",
            username=staff.account.username,
            account_id=staff.account.id,
            commune_id=staff.commune.id,
            now=utcnow(),
            target=job.filename,
            detail={"job": job.id},
            ip=client_ip(request),
        )
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }
    from urllib.parse import quote

    return web.FileResponse(
        job.path,
        headers={
            "Content-Type": types.get(job.fmt, "application/octet-stream"),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(job.filename)}",
            "Cache-Control": "private, no-store",
        },
    )


__all__ = ["RUNNER", "text_field"]
