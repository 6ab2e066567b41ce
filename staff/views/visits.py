"""Visits and QR codes: record a visit, print its receipt slip with the invitation's QR
code, print a counter's poster."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import select

from bot.db.base import utcnow
from staff import audit, posters
from staff.roles import Perm
from staff.web import (
    Staff,
    client_ip,
    form,
    not_found,
    page,
    redirect,
    render,
    runtime_of,
    text_field,
)
from surveys import links, service, tokens
from surveys.instrument import IN_PERSON, ONLINE, default_book
from surveys.models import PENDING, Invitation, Visit
from surveys.periods import LOCAL


def services(request: web.Request) -> service.Services:
    runtime = runtime_of(request)
    found = runtime.processor.services.get(service.SERVICE_KEY)
    if isinstance(found, service.Services):
        return found
    secret = runtime.settings.secret_key
    assert secret is not None
    usernames = {
        c.slug: c.telegram.bot_username
        for c in runtime.settings.communes()
        if c.telegram.bot_username
    }
    return service.Services(secret.get_secret_value(), default_book(), usernames)


def qr_target(deps: service.Services, slug: str, invitation: Invitation) -> str:
    return deps.link(slug, invitation) or service.token_for(deps.secret, invitation)


@page(Perm.VISITS)
async def visits_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    knowledge = await runtime.knowledge.for_commune(staff.commune)
    async with runtime.db.read() as session:
        recent = list(
            (
                await session.execute(
                    select(Visit)
                    .where(Visit.commune_id == staff.commune.id, Visit.kind == "dossier")
                    .order_by(Visit.id.desc())
                    .limit(20)
                )
            ).scalars()
        )
    return render(
        request,
        "visits.html",
        section="visits",
        procedures=sorted(knowledge.catalogue, key=lambda p: p.display_name),
        counters=staff.commune.counters,
        recent=recent,
    )


@page(Perm.VISITS)
async def record_visit(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    code = text_field(data, "procedure", 20)
    runtime = runtime_of(request)
    knowledge = await runtime.knowledge.for_commune(staff.commune)
    procedure = knowledge.catalogue.get(code)
    if procedure is None:
        raise redirect("/staff/visits", err="invalid")
    deps = services(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        visit, _invitation, _created = await service.record_visit(
            session,
            commune_id=staff.commune.id,
            now=now,
            options=service.SurveySettings.from_commune(staff.commune.settings),
            procedure_code=procedure.code,
            field_name=procedure.field,
            field_group=deps.book.field_group(procedure.field),
            dossier_code=text_field(data, "dossier", 100) or None,
            counter=text_field(data, "counter", 100) or None,
            officer=staff.label,
            officer_chat=staff.ref,
            mode=ONLINE if data.get("mode") == "online" else IN_PERSON,
            source="admin",
        )
        visit_id = visit.id
    raise redirect(f"/staff/visits/{visit_id}/slip")


@page(Perm.VISITS)
async def slip(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    try:
        visit_id = int(request.match_info["visit"])
    except ValueError:
        return not_found(request)
    async with runtime.db.read() as session:
        found = (
            await session.execute(
                select(Visit, Invitation)
                .join(Invitation, Invitation.visit_id == Visit.id)
                .where(Visit.id == visit_id, Visit.commune_id == staff.commune.id)
            )
        ).first()
    if found is None:
        return not_found(request)
    visit, invitation = found
    knowledge = await runtime.knowledge.for_commune(staff.commune)
    procedure = knowledge.catalogue.get(visit.procedure_code or "")
    deps = services(request)
    usable = invitation.status == PENDING
    return render(
        request,
        "slip.html",
        section="visits",
        visit=visit,
        procedure=procedure,
        code=tokens.format_code(invitation.code),
        qr=links.qr_svg(qr_target(deps, staff.commune.slug, invitation)) if usable else None,
        until=invitation.expires_at.astimezone(LOCAL).strftime("%d/%m/%Y"),
        usable=usable,
    )


@page(Perm.VISITS)
async def poster(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    counter = text_field(data, "counter", 100)
    if not counter:
        raise redirect("/staff/visits", err="empty")
    runtime = runtime_of(request)
    deps = services(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        invitation = await service.counter_invitation(
            session,
            commune_id=staff.commune.id,
            counter=counter,
            now=now,
            options=service.SurveySettings.from_commune(staff.commune.settings),
        )
        target = qr_target(deps, staff.commune.slug, invitation)
        code = tokens.format_code(invitation.code)
        audit.record(
            session,
            action="poster",
            username=staff.account.username,
            account_id=staff.account.id,
            commune_id=staff.commune.id,
            now=now,
            target=counter,
            ip=client_ip(request),
        )
    pdf = await asyncio.to_thread(
        posters.counter_poster,
        commune=staff.commune.name,
        counter=counter,
        qr_data=target,
        code=code,
    )
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="ap-phich-qr.pdf"'},
    )
