"""The audit log page: who exported, revealed, changed what, and when."""

from __future__ import annotations

from aiohttp import web

from staff import audit
from staff.roles import Perm
from staff.web import Staff, page, render, runtime_of

PAGE_SIZE = 100


@page(Perm.AUDIT)
async def audit_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    action = request.query.get("action", "")
    action = action if action in audit.ACTION_LABELS else ""
    try:
        page_no = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page_no = 1
    runtime = runtime_of(request)
    async with runtime.db.read() as session:
        entries = await audit.entries(
            session,
            staff.commune.id,
            action=action or None,
            limit=PAGE_SIZE,
            offset=(page_no - 1) * PAGE_SIZE,
        )
    return render(
        request,
        "audit.html",
        section="audit",
        entries=entries,
        actions=audit.ACTION_LABELS,
        action=action,
        page_no=page_no,
        more=len(entries) == PAGE_SIZE,
    )
