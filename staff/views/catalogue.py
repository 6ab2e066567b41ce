"""The catalogue: list and search, edit one procedure, its history, import with preview."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.catalogue_store import apply_import, preview_import
from bot.db.base import utcnow
from knowledge import render as answer_text
from knowledge.importers import CatalogueImportError, load_file
from knowledge.models import Catalogue
from staff import audit, catalogue
from staff.models import CatalogueEdit
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

PAGE_SIZE = 50


async def _catalogue(request: web.Request, staff: Staff) -> Catalogue:
    runtime = runtime_of(request)
    return (await runtime.knowledge.for_commune(staff.commune)).catalogue


@page(Perm.CATALOGUE_VIEW)
async def catalogue_list(request: web.Request, staff: Staff) -> web.StreamResponse:
    current = await _catalogue(request, staff)
    query = request.query.get("q", "")[:100]
    field = request.query.get("field", "")[:200]
    found = [p for p in current if catalogue.matches(p, query) and (not field or p.field == field)]
    runtime = runtime_of(request)
    async with runtime.db.read() as session:
        recent = await catalogue.history(session, staff.commune.id, limit=10)
    return render(
        request,
        "catalogue_list.html",
        section="catalogue",
        procedures=found[:500],
        total=len(found),
        fields=current.fields(),
        q=query,
        field=field,
        recent=recent,
        fee=answer_text.fee_summary,
        time=answer_text.time_summary,
    )


@page(Perm.CATALOGUE_VIEW)
async def procedure_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    current = await _catalogue(request, staff)
    p = current.get(request.match_info["procedure"])
    if p is None:
        return not_found(request)
    runtime = runtime_of(request)
    async with runtime.db.read() as session:
        edits = await catalogue.history(session, staff.commune.id, p.code)
    return render(
        request,
        "catalogue_edit.html",
        section="catalogue",
        p=p,
        values=catalogue.form_values(p),
        edits=edits,
        error="",
        card=answer_text.card(p),
        field_labels=catalogue.FIELD_LABELS,
        show=catalogue.show_value,
    )


@page(Perm.CATALOGUE_EDIT)
async def procedure_save(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    current = await _catalogue(request, staff)
    before = current.get(request.match_info["procedure"])
    if before is None:
        return not_found(request)
    data = await form(request)
    values = {k: v for k, v in data.items() if isinstance(v, str) and k != "csrf"}
    try:
        after = catalogue.from_form(before, values)
    except catalogue.EditError as exc:
        return render(
            request,
            "catalogue_edit.html",
            status=400,
            section="catalogue",
            p=before,
            values=catalogue.form_values(before),
            edits=[],
            error=str(exc),
            card=answer_text.card(before),
            field_labels=catalogue.FIELD_LABELS,
            show=catalogue.show_value,
        )
    async with runtime.db.transaction() as session:
        await catalogue.save_edit(
            session,
            commune_id=staff.commune.id,
            before=before,
            after=after,
            kind="edit",
            account_id=staff.account.id,
            username=staff.account.username,
            now=utcnow(),
        )
    runtime.knowledge.invalidate(staff.commune.id)
    raise redirect(f"/staff/catalogue/{before.code}", ok="saved")


@page(Perm.CATALOGUE_VIEW)
async def history_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    async with runtime.db.read() as session:
        edits = await catalogue.history(session, staff.commune.id, limit=300)
    return render(
        request,
        "catalogue_history.html",
        section="catalogue",
        edits=edits,
        field_labels=catalogue.FIELD_LABELS,
        show=catalogue.show_value,
    )


@page(Perm.CATALOGUE_IMPORT)
async def import_form(request: web.Request, staff: Staff) -> web.StreamResponse:
    return render(request, "catalogue_import.html", section="catalogue", error="", preview=None)


@page(Perm.CATALOGUE_IMPORT)
async def import_preview(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    upload = data.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        return render(
            request,
            "catalogue_import.html",
            status=400,
            section="catalogue",
            error="Bạn chưa chọn tệp.",
            preview=None,
        )
    runtime = runtime_of(request)
    content = upload.file.read()
    stored = catalogue.store_upload(
        runtime.settings.data_dir,
        upload.filename,
        content,
        commune_id=staff.commune.id,
        account_id=staff.account.id,
        all_levels=bool(data.get("all_levels")),
    )
    try:
        result = await asyncio.to_thread(load_file, stored.path, all_levels=stored.all_levels)
    except CatalogueImportError as exc:
        catalogue.discard_upload(stored)
        return render(
            request,
            "catalogue_import.html",
            status=400,
            section="catalogue",
            error=f"Không đọc được tệp, chưa thay đổi gì: {exc}",
            preview=None,
        )
    async with runtime.db.read() as session:
        report = await preview_import(session, staff.commune, result.procedures)
    names = {p.code: p.display_name for p in report.catalogue}
    return render(
        request,
        "catalogue_import.html",
        section="catalogue",
        error="",
        preview={
            "token": stored.token,
            "filename": upload.filename,
            "read": len(result.procedures),
            "added": [(code, names.get(code, "")) for code in report.added],
            "changed": [(code, names.get(code, ""), f) for code, f in report.changed.items()],
            "unchanged": len(report.unchanged),
            "skipped": [str(s) for s in result.skipped][:200],
            "warnings": [str(w) for w in result.warnings][:200],
        },
        field_labels=catalogue.FIELD_LABELS,
    )


@page(Perm.CATALOGUE_IMPORT)
async def import_confirm(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    runtime = runtime_of(request)
    upload = catalogue.find_upload(runtime.settings.data_dir, text_field(data, "token", 64))
    if upload is None or upload.commune_id != staff.commune.id:
        raise redirect("/staff/catalogue/import", err="expired")
    try:
        result = await asyncio.to_thread(load_file, upload.path, all_levels=upload.all_levels)
    except CatalogueImportError:
        catalogue.discard_upload(upload)
        raise redirect("/staff/catalogue/import", err="invalid") from None
    now = utcnow()
    async with runtime.db.transaction() as session:
        before = (await runtime.knowledge.for_commune(staff.commune)).catalogue
        report = await apply_import(session, staff.commune, result.procedures, now=now)
        touched = [*report.added, *report.changed]
        for code in touched:
            after = report.catalogue.get(code)
            if after is None:
                continue
            old = before.get(code)
            session.add(
                CatalogueEdit(
                    commune_id=staff.commune.id,
                    code=code,
                    kind="import",
                    account_id=staff.account.id,
                    username=staff.account.username,
                    at=now,
                    fields=report.changed.get(code, ["name"]),
                    before=old.model_dump(mode="json") if old else None,
                    after=after.model_dump(mode="json"),
                )
            )
        audit.record(
            session,
            action="catalogue_import",
            username=staff.account.username,
            account_id=staff.account.id,
            commune_id=staff.commune.id,
            now=now,
            target=upload.path.name,
            detail={"added": len(report.added), "changed": len(report.changed)},
            ip=client_ip(request),
        )
    catalogue.discard_upload(upload)
    runtime.knowledge.invalidate(staff.commune.id)
    raise redirect("/staff/catalogue", ok="imported")
