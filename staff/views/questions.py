"""Unanswered questions: grouped, linked to a procedure, or set aside."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from bot.db.base import utcnow
from bot.db.models import Question
from staff import catalogue, questions
from staff.roles import Perm
from staff.web import Staff, form, page, redirect, render, runtime_of, text_field


@page(Perm.QUESTIONS_VIEW)
async def questions_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.read() as session:
        rows = await questions.open_questions(session, staff.commune.id, now)
    groups = questions.group(rows)
    knowledge = await runtime.knowledge.for_commune(staff.commune)
    procedures = sorted(knowledge.catalogue, key=lambda p: p.display_name)
    return render(
        request,
        "questions.html",
        section="questions",
        groups=groups,
        total=len(rows),
        procedures=procedures,
        catalogue=knowledge.catalogue,
        linked=request.query.get("n", ""),
    )


async def _chosen(request: web.Request, staff: Staff) -> tuple[list[Question], dict[str, str]]:
    data = await form(request)
    ids = []
    for value in data.getall("question", []):
        if isinstance(value, str) and value.isdecimal():
            ids.append(int(value))
    runtime = runtime_of(request)
    async with runtime.db.read() as session:
        rows = list(
            (
                await session.execute(
                    select(Question).where(
                        Question.id.in_(ids[:500] or [0]),
                        Question.commune_id == staff.commune.id,
                    )
                )
            ).scalars()
        )
    values = {k: v for k, v in data.items() if isinstance(v, str)}
    values["_aliases"] = "\n".join(
        v for v in data.getall("alias", []) if isinstance(v, str) and v.strip()
    )
    return rows, values


@page(Perm.QUESTIONS_LINK)
async def link(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    chosen, values = await _chosen(request, staff)
    code = values.get("code", "").strip()
    knowledge = await runtime.knowledge.for_commune(staff.commune)
    procedure = knowledge.catalogue.get(code)
    if not chosen or procedure is None:
        raise redirect("/staff/questions", err="invalid")
    now = utcnow()
    phrases = [line for line in values["_aliases"].splitlines() if line.strip()]
    async with runtime.db.transaction() as session:
        rows = list(
            (
                await session.execute(
                    select(Question).where(Question.id.in_([q.id for q in chosen]))
                )
            ).scalars()
        )
        after = catalogue.with_aliases(procedure, phrases)
        await catalogue.save_edit(
            session,
            commune_id=staff.commune.id,
            before=procedure,
            after=after,
            kind="alias",
            account_id=staff.account.id,
            username=staff.account.username,
            now=now,
        )
        result = await questions.resolve(session, staff.commune, rows, after, now=now)
    runtime.knowledge.invalidate(staff.commune.id)
    if result.answered:
        runtime.relay.wake()
    raise redirect("/staff/questions", ok="linked", n=str(result.answered))


@page(Perm.QUESTIONS_LINK)
async def dismiss(request: web.Request, staff: Staff) -> web.StreamResponse:
    """Set aside questions that need no procedure (greetings, tests, off-topic)."""
    runtime = runtime_of(request)
    chosen, _values = await _chosen(request, staff)
    now = utcnow()
    async with runtime.db.transaction() as session:
        for q in chosen:
            row = await session.get(Question, q.id)
            if row is not None:
                row.resolved_at = now
    raise redirect("/staff/questions", ok="saved")


__all__ = ["dismiss", "link", "questions_page", "text_field"]
