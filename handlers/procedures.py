"""Questions about procedures: the answer card, its sections, clarifying questions,
browsing by field, the documents checklist and the not-found answer.

Free text goes through the commune's matcher. Whatever it decides, the question is
logged so staff can see what residents ask and what the bot could not answer.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, insert

from bot.context import Context
from bot.db.models import Question
from bot.router import Router, button, payload, state, text
from bot.types import Button, Incoming, Reply
from handlers import feedback, menu, texts
from knowledge import render, topics
from knowledge.models import Procedure
from knowledge.names import short_title
from knowledge.search import SearchResult

router = Router("procedures")

CARD_STATE = "procedures.card"  # a procedure is on screen: "còn lệ phí?" refers to it
CLARIFY_STATE = "procedures.clarify"
CHECKLIST_STATE = "procedures.checklist"
CONTEXT_TTL = timedelta(minutes=30)
PAGE = 8

# Section keys in button payloads (p:<code>:<key>) and the render sections they open.
SECTIONS = {
    "d": render.SECTION_DOCUMENTS,
    "f": render.SECTION_FEE,
    "t": render.SECTION_TIME,
    "w": render.SECTION_PLACE,
    "o": render.SECTION_ONLINE,
    "s": render.SECTION_STEPS,
    "l": render.SECTION_LEGAL,
}
ASPECT_KEYS = {v: k for k, v in SECTIONS.items()}


# --- answering -------------------------------------------------------------------------


def office(ctx: Context) -> str:
    c = ctx.commune
    return f"{c.one_stop_shop}" + (f", {c.address}" if c.address else "")


def card_buttons(p: Procedure, shown: str | None = None) -> tuple[Button, ...]:
    options = [
        ("d", texts.BTN_DOCUMENTS),
        ("f", texts.BTN_FEES),
        ("w", texts.BTN_PLACE),
        ("s", texts.BTN_STEPS),
        ("l", texts.BTN_LEGAL),
    ]
    shown_key = ASPECT_KEYS.get(shown or "")
    hidden = {shown_key, "t" if shown_key == "f" else None, "o" if shown_key == "w" else None}
    buttons = [Button(label, f"p:{p.code}:{key}") for key, label in options if key not in hidden]
    if p.documents:
        buttons.append(Button(texts.BTN_CHECKLIST, f"ck:{p.code}"))
    if p.online and p.online_url:
        buttons.append(Button(texts.BTN_ONLINE, url=p.online_url))
    buttons.append(Button(texts.BTN_MENU, menu.MENU))
    return tuple(buttons)


def answer(ctx: Context, p: Procedure, aspect: str | None = None) -> Reply:
    """The procedure card, opening on the aspect asked when there is one."""
    ctx.conversation.enter(CARD_STATE, ctx.now, {"code": p.code}, ttl=CONTEXT_TTL)
    return Reply(render.card(p, aspect, office=office(ctx)), card_buttons(p, aspect))


def clarify(ctx: Context, result: SearchResult, question_id: int | None) -> Reply:
    offered = [m.procedure for m in result.offered or result.matches[:4]]
    aspect_key = ASPECT_KEYS.get(result.aspect or "")
    suffix = f":{aspect_key}" if aspect_key else ""
    labels = distinct_labels(offered)
    buttons = [
        Button(label, f"p:{p.code}{suffix}") for p, label in zip(offered, labels, strict=True)
    ]
    buttons.append(Button(texts.BTN_NONE_OF_THESE, "n"))
    ctx.conversation.enter(
        CLARIFY_STATE,
        ctx.now,
        {"codes": [p.code for p in offered], "question_id": question_id},
        ttl=CONTEXT_TTL,
    )
    return Reply(texts.CLARIFY, tuple(buttons))


def distinct_labels(procedures: list[Procedure]) -> list[str]:
    """Button labels a resident can tell apart.

    Short names of imported procedures can coincide ("Đăng ký xe tạm thời" online in full
    or in part): those fall back to a longer short name, then to the official name, then
    to the code.
    """
    fallbacks: list[Callable[[Procedure, str], str]] = [
        lambda p, _: short_title(p.name, limit=200),
        lambda p, _: p.name,
        lambda p, label: f"{label} (mã {p.code})",
    ]
    labels = [p.display_name for p in procedures]
    for fallback in fallbacks:
        clashing = {label for label in labels if labels.count(label) > 1}
        if not clashing:
            break
        labels = [
            fallback(p, label) if label in clashing else label
            for p, label in zip(procedures, labels, strict=True)
        ]
    return labels


def not_found(ctx: Context, result: SearchResult | None = None) -> Reply:
    if result is not None and result.elsewhere is not None:
        # We know who handles it: say so instead of a generic "not found".
        where = texts.ELSEWHERE.format(topic=result.elsewhere.topic, where=result.elsewhere.where)
        text_ = f"{where}\n\n{menu.contact_lines(ctx)}"
    else:
        text_ = f"{texts.NOT_FOUND}\n{texts.NOT_FOUND_RECORDED}\n\n{menu.contact_lines(ctx)}"
    return Reply(
        text_,
        (
            Button(texts.BTN_BROWSE, menu.BROWSE),
            Button(texts.BTN_FEEDBACK, menu.FEEDBACK),
            Button(texts.BTN_MENU, menu.MENU),
        ),
    )


async def log_question(
    ctx: Context,
    msg: Incoming,
    result: SearchResult,
    *,
    resolved_code: str | None = None,
    answered: bool = False,
) -> int:
    """Record the question for staff review and figures; returns its id.

    One plain insert: most messages are questions, and an ORM object to track cost more
    than the statement."""
    best = result.best
    connection = await ctx.session.connection()
    inserted = await connection.execute(
        _insert_question(),
        {
            "commune_id": ctx.commune.id,
            "channel": ctx.user.channel,
            "user_id": ctx.user.user_id,
            "text": msg.text[:2000],
            "decision": result.decision,
            "codes": [m.code for m in result.matches[:5]],
            "score": best.score if best else None,
            "intent": result.intent,
            "aspect": result.aspect,
            "answered": answered or result.decision == "answer" or resolved_code is not None,
            "resolved_code": resolved_code,
            "created_at": ctx.now,
        },
    )
    return int(inserted.scalar_one())


@functools.cache
def _insert_question() -> Any:
    table = Question.__table__
    assert isinstance(table, Table)
    return insert(table).returning(table.c.id)


@router.route(text(), "question")
async def question(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    knowledge = ctx.knowledge
    result = knowledge.matcher.search(msg.text)
    current = _current_procedure(ctx)
    # "còn lệ phí thì sao?" right after a card: the aspect refers to that procedure.
    if current is not None and result.decision == "none" and result.aspect and not result.intent:
        await log_question(ctx, msg, result, resolved_code=current.code)
        return answer(ctx, current, result.aspect)
    if result.decision == "clarify" and len(result.matches) >= 2:
        return clarify(ctx, result, await log_question(ctx, msg, result))
    if result.decision in ("answer", "clarify") and result.best is not None:
        await log_question(ctx, msg, result)
        return answer(ctx, result.best.procedure, result.aspect)
    intent_reply = await _intent(ctx, msg, result.intent)
    await log_question(ctx, msg, result, answered=intent_reply is not None)
    if intent_reply is not None:
        return intent_reply
    ctx.conversation.clear()
    return not_found(ctx, result)


async def _intent(ctx: Context, msg: Incoming, intent: str | None) -> Reply | list[Reply] | None:
    if intent == "greeting":
        return menu.welcome(ctx)
    if intent == "thanks":
        return Reply(texts.THANKS)
    if intent == "goodbye":
        return Reply(texts.GOODBYE)
    if intent == "human":
        return Reply(
            texts.HUMAN.format(contact=menu.contact_lines(ctx)),
            (Button(texts.BTN_FEEDBACK, menu.FEEDBACK), Button(texts.BTN_MENU, menu.MENU)),
        )
    if intent == "complaint":
        return await feedback.start_feedback(ctx, msg)
    if intent == "rating":
        return await feedback.start_rating(ctx, msg)
    if intent == "smalltalk":
        return menu.menu(texts.SMALLTALK)
    return None


def _current_procedure(ctx: Context) -> Procedure | None:
    if not ctx.conversation.in_flow("procedures"):
        return None
    code = ctx.conversation.data.get("code")
    return ctx.knowledge.catalogue.get(code) if isinstance(code, str) else None


# --- buttons ---------------------------------------------------------------------------


@router.route(payload("p"), "procedure")
async def procedure_button(ctx: Context, msg: Incoming) -> Reply:
    parts = (msg.payload or "").split(":")
    p = ctx.knowledge.catalogue.get(parts[1]) if len(parts) > 1 else None
    if p is None:
        return menu.menu(texts.UNKNOWN_PROCEDURE)
    if ctx.conversation.in_flow(CLARIFY_STATE):
        await _resolve_clarified(ctx, p.code)
    key = parts[2] if len(parts) > 2 else None
    section = SECTIONS.get(key or "")
    if section is None:
        return answer(ctx, p)
    if ctx.conversation.state == CLARIFY_STATE or not ctx.conversation.in_flow("procedures"):
        return answer(ctx, p, section)  # chosen from a clarifying question: card opens on it
    ctx.conversation.enter(CARD_STATE, ctx.now, {"code": p.code}, ttl=CONTEXT_TTL)
    return Reply(render.section(p, section, office=office(ctx)), card_buttons(p, section))


async def _resolve_clarified(ctx: Context, code: str) -> None:
    question_id = ctx.conversation.data.get("question_id")
    if isinstance(question_id, int):
        row = await ctx.session.get(Question, question_id)
        if row is not None:
            row.resolved_code, row.resolved_at, row.answered = code, ctx.now, True


@router.route(button("n"), "none_of_these")
async def none_of_these(ctx: Context, msg: Incoming) -> Reply:
    ctx.conversation.clear()
    return Reply(
        texts.NONE_OF_THESE,
        (Button(texts.BTN_BROWSE, menu.BROWSE), Button(texts.BTN_MENU, menu.MENU)),
    )


# --- browsing by topic -------------------------------------------------------------------


@router.route(button(menu.BROWSE), "browse")
async def browse(ctx: Context, msg: Incoming) -> Reply:
    return topics_page(ctx, 1)


@router.route(payload("f"), "topics_page")
async def topics_button(ctx: Context, msg: Incoming) -> Reply:
    return topics_page(ctx, _int((msg.payload or "").split(":")[-1], 1))


def topics_page(ctx: Context, page: int) -> Reply:
    available = topics.topics(ctx.knowledge.catalogue)
    if not available:
        return menu.menu(texts.EMPTY_CATALOGUE)
    pages = max(1, math.ceil(len(available) / PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE
    shown = available[start : start + PAGE]
    buttons = [Button(t.name, f"fp:{_topic_index(t)}:1") for t in shown]
    buttons += _pager("f", page, pages)
    buttons.append(Button(texts.BTN_MENU, menu.MENU))
    return Reply(texts.FIELDS.format(page=page, pages=pages), tuple(buttons))


def _topic_index(topic: topics.Topic) -> int:
    return len(topics.TOPICS) if topic == topics.OTHER else topics.TOPICS.index(topic)


@router.route(payload("fp"), "topic_procedures")
async def topic_procedures(ctx: Context, msg: Incoming) -> Reply:
    parts = (msg.payload or "").split(":")
    index = _int(parts[1] if len(parts) > 1 else "", -1)
    every = (*topics.TOPICS, topics.OTHER)
    if not 0 <= index < len(every):
        return topics_page(ctx, 1)
    topic = every[index]
    procedures = topics.in_topic(ctx.knowledge.catalogue, topic)
    pages = max(1, math.ceil(len(procedures) / PAGE))
    page = min(max(_int(parts[2] if len(parts) > 2 else "", 1), 1), pages)
    start = (page - 1) * PAGE
    buttons = [
        Button(_short(p.display_name, 90), f"p:{p.code}") for p in procedures[start : start + PAGE]
    ]
    buttons += _pager(f"fp:{index}", page, pages)
    buttons.append(Button(texts.BTN_FIELDS, "f:1"))
    return Reply(
        texts.FIELD_PROCEDURES.format(field=topic.name, page=page, pages=pages), tuple(buttons)
    )


def _pager(prefix: str, page: int, pages: int) -> list[Button]:
    buttons = []
    if page > 1:
        buttons.append(Button(texts.BTN_PREV, f"{prefix}:{page - 1}"))
    if page < pages:
        buttons.append(Button(texts.BTN_NEXT, f"{prefix}:{page + 1}"))
    return buttons


# --- documents checklist ---------------------------------------------------------------


@router.route(payload("ck"), "checklist")
async def checklist(ctx: Context, msg: Incoming) -> Reply:
    parts = (msg.payload or "").split(":")
    p = ctx.knowledge.catalogue.get(parts[1]) if len(parts) > 1 else None
    if p is None or not p.documents:
        return menu.menu(texts.UNKNOWN_PROCEDURE)
    data = ctx.conversation.data if ctx.conversation.in_flow(CHECKLIST_STATE) else {}
    have: list[int] = (
        [i for i in data.get("have", []) if isinstance(i, int)]
        if data.get("code") == p.code
        else []
    )
    action = parts[2] if len(parts) > 2 else None
    if action == "ok":
        ctx.conversation.enter(CARD_STATE, ctx.now, {"code": p.code}, ttl=CONTEXT_TTL)
        return Reply(render.checklist(p, have), card_buttons(p, render.SECTION_DOCUMENTS))
    index = _int(action or "", -1)
    if 0 <= index < len(p.documents):
        have = sorted(set(have) ^ {index})
    ctx.conversation.enter(
        CHECKLIST_STATE, ctx.now, {"code": p.code, "have": have}, ttl=CONTEXT_TTL
    )
    buttons = [
        Button(
            (texts.CHECK_ON if i in have else texts.CHECK_OFF) + _short(d.name), f"ck:{p.code}:{i}"
        )
        for i, d in enumerate(p.documents)
    ]
    buttons += [
        Button(texts.BTN_CHECK_DONE, f"ck:{p.code}:ok"),
        Button(texts.BTN_BACK_TO_CARD, f"p:{p.code}"),
    ]
    return Reply(texts.CHECKLIST, tuple(buttons))


@router.route(state(CHECKLIST_STATE), "checklist_text")
async def checklist_text(ctx: Context, msg: Incoming) -> None:
    """Typed text during a checklist is a new question: leave the checklist."""
    ctx.conversation.clear()
    return None


def _short(name: str, limit: int = 60) -> str:
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1].rsplit(" ", 1)[0] + "…"


def _int(value: str, default: int) -> int:
    try:
        return int(value)
    except ValueError:
        return default
