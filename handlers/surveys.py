"""The satisfaction questionnaire after a visit, and the staff command that records one.

A resident reaches it by a Telegram deep link (``/start dg_...`` from the QR code on the
receipt), by typing the code printed under it (Zalo, web chat), by the invitation the
bot pushes after the visit, or by /danhgia. Six taps (overall plus SIPAS's five
elements), an optional comment, and, after a low rating, the offer to be contacted,
which opens a complaint ticket only with the resident's consent.

Partial answers are kept on the invitation (and in the conversation), so a resident
who is interrupted picks up where they stopped by opening the link or code again. The
stored answer carries no trace of who gave it.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.router import HandlerResult, Router, command, payload, state, text
from bot.types import Button, Incoming, Reply
from handlers import menu, texts
from surveys import service, tokens
from surveys.instrument import ELEMENT_LABELS, IN_PERSON, LOW_UP_TO, ONLINE, Instrument, fold
from surveys.models import Invitation, Visit
from surveys.periods import LOCAL

log = logging.getLogger(__name__)

router = Router("surveys")

CODE_STATE = "surveys.code"  # waiting for the code on the receipt
QUESTION_STATE = "surveys.q"
COMMENT_STATE = "surveys.comment"
CONTACT_STATE = "surveys.contact"
SURVEY_TTL = timedelta(hours=12)

START = "sv"  # "sv:<token>": the pushed invitation's button
ANSWER = "sa"  # "sa:<question index>:<score>"
NO_COMMENT = "sc"
CONTACT = "sk"  # "sk:y" / "sk:n"
MAX_COMMENT = 1000

_SCORE = re.compile(r"^\s*([1-5])(?:\s*(?:/\s*5|điểm|diem|sao|\*))?\s*[.!]?\s*$", re.I)
_YES = {"co", "có", "ok", "đồng ý", "dong y", "vâng", "vang", "ừ", "uh", "yes"}
_NO = {"khong", "không", "ko", "k", "thôi", "thoi", "no"}


def _fold_key(word: str) -> str:
    return fold(word).replace(" ", "")


def _deps(ctx: Context) -> service.Services | None:
    deps = ctx.services.get(service.SERVICE_KEY)
    return deps if isinstance(deps, service.Services) else None


def _who(ctx: Context) -> str:
    return f"{ctx.user.channel}:{ctx.user.user_id}"


def _back() -> tuple[Button, ...]:
    return (Button(texts.BTN_MENU, menu.MENU),)


# --- entry points ----------------------------------------------------------------------------


@router.route(command("start"), "deep_link")
async def deep_link(ctx: Context, msg: Incoming) -> HandlerResult:
    if msg.payload and tokens.looks_like_token(msg.payload):
        return await open_survey(ctx, token=msg.payload)
    return None  # a deep link for another feature, or a plain /start


@router.route(command("danhgia"), "rate_command")
async def rate_command(ctx: Context, msg: Incoming) -> HandlerResult:
    """``/danhgia DG-7K3M-2Q9X``; without a code the feedback entry asks for it."""
    argument = (msg.payload or "").strip()
    if tokens.looks_like_token(argument):
        return await open_survey(ctx, token=argument)
    code = tokens.find_code(argument, bare=True) if argument else None
    if code is not None:
        return await open_survey(ctx, code=code)
    return None


@router.route(payload(START), "invitation_button")
async def invitation_button(ctx: Context, msg: Incoming) -> list[Reply] | Reply:
    token = (msg.payload or "")[len(START) + 1 :]
    return await open_survey(ctx, token=token)


async def start_rating(ctx: Context, msg: Incoming) -> Reply:
    """The menu's "Đánh giá", /danhgia and "tôi muốn đánh giá": resume, or ask for the code."""
    if ctx.conversation.in_flow("surveys") and ctx.conversation.state != CODE_STATE:
        return _ask_current(ctx)
    ctx.conversation.enter(CODE_STATE, ctx.now, {}, ttl=SURVEY_TTL)
    return Reply(texts.SURVEY_ASK_CODE, _back())


@router.route(state("surveys"), "in_survey")
async def in_survey(ctx: Context, msg: Incoming) -> HandlerResult:
    step = ctx.conversation.state
    if msg.command is not None:
        return None  # /start, /thutuc...: other features (the progress is kept)
    if step == CODE_STATE:
        return await _typed_code(ctx, msg)
    if step == QUESTION_STATE:
        return await _answer(ctx, msg)
    if step == COMMENT_STATE:
        return await _comment(ctx, msg)
    if step == CONTACT_STATE:
        return await _contact(ctx, msg)
    return None


@router.route(text(), "typed_code")
async def typed_code(ctx: Context, msg: Incoming) -> HandlerResult:
    """A code or token typed anywhere ("mã của tôi DG-7K3M-2Q9X") opens the questionnaire."""
    stripped = msg.text.strip()
    if tokens.looks_like_token(stripped):
        return await open_survey(ctx, token=stripped)
    code = tokens.find_code(msg.text)
    return await open_survey(ctx, code=code) if code else None


async def _typed_code(ctx: Context, msg: Incoming) -> HandlerResult:
    if msg.is_button:
        return None
    stripped = msg.text.strip()
    if tokens.looks_like_token(stripped):
        return await open_survey(ctx, token=stripped)
    code = tokens.find_code(msg.text, bare=True)
    if code is None:
        ctx.conversation.clear()  # not a code: probably a question for the matcher
        return None
    return await open_survey(ctx, code=code)


# --- opening ----------------------------------------------------------------------------------


async def open_survey(
    ctx: Context, *, token: str | None = None, code: str | None = None
) -> list[Reply] | Reply:
    deps = _deps(ctx)
    if deps is None:
        return Reply(texts.SURVEY_UNAVAILABLE, _back())
    try:
        opened = await service.open_invitation(
            ctx.session,
            commune_id=ctx.commune.id,
            secret=deps.secret,
            now=ctx.now,
            who=_who(ctx),
            is_staff=ctx.commune.is_staff(ctx.user.channel, ctx.user.user_id),
            token=token,
            code=code,
        )
    except service.Refusal as refusal:
        return _refused(ctx, refusal.reason)
    invitation = opened.invitation
    data = ctx.conversation.data if ctx.conversation.in_flow("surveys") else {}
    answers: dict[str, int] = dict(opened.progress)
    instrument_key = (invitation.progress or {}).get("_instrument")
    if data.get("inv") == invitation.id:
        answers.update({k: int(v) for k, v in (data.get("answers") or {}).items()})
        instrument_key = data.get("instrument", instrument_key)
    instrument = (deps.book.get(str(instrument_key)) if instrument_key else None) or (
        deps.book.for_commune(ctx.commune.slug, ctx.commune.settings)
    )
    ctx.conversation.enter(
        QUESTION_STATE,
        ctx.now,
        {"inv": invitation.id, "instrument": instrument.key, "answers": answers},
        ttl=SURVEY_TTL,
    )
    if answers:
        position = _next_index(instrument, answers)
        number = min(position, len(instrument.questions) - 1) + 1
        lead = Reply(texts.SURVEY_RESUME.format(number=number))
    else:
        lead = Reply(
            texts.SURVEY_INTRO.format(
                office=ctx.commune.one_stop_shop, count=len(instrument.questions)
            )
        )
    return [lead, _ask_current(ctx)]


def _refused(ctx: Context, reason: str) -> Reply:
    if ctx.conversation.in_flow("surveys"):
        ctx.conversation.clear()
    message = {
        "used": texts.SURVEY_USED,
        "expired": texts.SURVEY_EXPIRED,
        "staff": texts.SURVEY_STAFF,
    }.get(reason, texts.SURVEY_CODE_UNKNOWN)
    return Reply(message, _back())


# --- the questions -----------------------------------------------------------------------------


def _instrument(ctx: Context) -> Instrument:
    deps = _deps(ctx)
    assert deps is not None
    key = str(ctx.conversation.data.get("instrument"))
    return deps.book.get(key) or deps.book.for_commune(ctx.commune.slug, ctx.commune.settings)


def _answers(ctx: Context) -> dict[str, int]:
    return {k: int(v) for k, v in (ctx.conversation.data.get("answers") or {}).items()}


def _next_index(instrument: Instrument, answers: dict[str, int]) -> int:
    for i, question in enumerate(instrument.questions):
        if question.element not in answers:
            return i
    return len(instrument.questions)


def _question(instrument: Instrument, index: int) -> Reply:
    question = instrument.questions[index]
    scale = instrument.scale
    text_ = texts.SURVEY_QUESTION.format(
        number=index + 1,
        count=len(instrument.questions),
        text=question.text,
        lowest=scale[min(scale)].lower(),
        highest=scale[max(scale)].lower(),
    )
    # Ascending, so on channels that number the choices the number typed is the score.
    buttons = tuple(Button(label, f"{ANSWER}:{index}:{score}") for score, label in scale.items())
    return Reply(text_, buttons)


def _ask_current(ctx: Context) -> Reply:
    if _deps(ctx) is None:
        ctx.conversation.clear()
        return Reply(texts.SURVEY_UNAVAILABLE, _back())
    instrument = _instrument(ctx)
    state_ = ctx.conversation.state
    if state_ == COMMENT_STATE:
        return _comment_prompt()
    if state_ == CONTACT_STATE:
        return _contact_prompt()
    index = _next_index(instrument, _answers(ctx))
    if index >= len(instrument.questions):
        ctx.conversation.enter(COMMENT_STATE, ctx.now, ttl=SURVEY_TTL)
        return _comment_prompt()
    return _question(instrument, index)


def _comment_prompt() -> Reply:
    return Reply(texts.SURVEY_COMMENT, (Button(texts.BTN_SURVEY_NO_COMMENT, NO_COMMENT),))


def _contact_prompt() -> Reply:
    return Reply(
        texts.SURVEY_CONTACT,
        (
            Button(texts.BTN_SURVEY_CONTACT_YES, f"{CONTACT}:y"),
            Button(texts.BTN_SURVEY_CONTACT_NO, f"{CONTACT}:n"),
        ),
    )


def _score(msg: Incoming, current: int) -> tuple[int, int] | None:
    """(question index, score) from a button press or a typed digit."""
    if msg.payload and msg.payload.startswith(ANSWER + ":"):
        parts = msg.payload.split(":")
        if len(parts) == 3 and parts[1].isdecimal() and parts[2] in ("1", "2", "3", "4", "5"):
            return int(parts[1]), int(parts[2])
        return None
    match = _SCORE.match(msg.text or "") if not msg.is_button else None
    return (current, int(match.group(1))) if match else None


async def _answer(ctx: Context, msg: Incoming) -> HandlerResult:
    instrument = _instrument(ctx)
    answers = _answers(ctx)
    current = _next_index(instrument, answers)
    chosen = _score(msg, current)
    if chosen is None:
        if not msg.is_button and (tokens.find_code(msg.text) or tokens.looks_like_token(msg.text)):
            return await typed_code(ctx, msg)  # another receipt's code
        if msg.is_button:
            return None  # the menu or another feature's button: leave the survey aside
        return [Reply(texts.SURVEY_PLEASE_PICK), _ask_current(ctx)]
    index, score = chosen
    if not 0 <= index < len(instrument.questions):
        return _ask_current(ctx)
    answers[instrument.questions[index].element] = score  # an earlier button re-answers
    ctx.conversation.data["answers"] = answers
    ctx.conversation.enter(QUESTION_STATE, ctx.now, ttl=SURVEY_TTL)
    progress: dict[str, Any] = {**answers, "_instrument": instrument.key}
    await service.save_progress(ctx.session, int(ctx.conversation.data["inv"]), progress)
    return _ask_current(ctx)


async def _comment(ctx: Context, msg: Incoming) -> HandlerResult:
    if msg.is_button and msg.payload != NO_COMMENT:
        if msg.payload and msg.payload.startswith(ANSWER + ":"):
            ctx.conversation.enter(QUESTION_STATE, ctx.now, ttl=SURVEY_TTL)
            return await _answer(ctx, msg)
        return None
    comment = None if msg.is_button else " ".join(msg.text.split())[:MAX_COMMENT] or None
    ctx.conversation.data["comment"] = comment
    instrument = _instrument(ctx)
    if service.low_elements(instrument, _answers(ctx), LOW_UP_TO):
        ctx.conversation.enter(CONTACT_STATE, ctx.now, ttl=SURVEY_TTL)
        return _contact_prompt()
    return await _finish(ctx, contact=False)


async def _contact(ctx: Context, msg: Incoming) -> HandlerResult:
    answer: bool | None = None
    if msg.payload in (f"{CONTACT}:y", f"{CONTACT}:n"):
        answer = msg.payload.endswith("y")
    elif not msg.is_button:
        words = msg.text.strip().lower().strip("!. ")
        answer = True if words in _YES else False if words in _NO else None
    else:
        return None
    if answer is None:
        return _contact_prompt()
    return await _finish(ctx, contact=answer)


async def _finish(ctx: Context, *, contact: bool) -> list[Reply] | Reply:
    deps = _deps(ctx)
    assert deps is not None
    instrument = _instrument(ctx)
    answers = _answers(ctx)
    comment = ctx.conversation.data.get("comment")
    invitation_id = int(ctx.conversation.data["inv"])
    invitation = await ctx.session.get(Invitation, invitation_id)
    procedure_code: str | None = None
    if invitation is not None:
        visit = await ctx.session.get(Visit, invitation.visit_id)
        procedure_code = visit.procedure_code if visit else None
    ticket_code: str | None = None
    ticket_failed = False
    # With consent the comment goes into the ticket, where the resident chose to be known;
    # the anonymous answer then keeps no comment that could point back to them.
    try:
        await service.submit(
            ctx.session,
            invitation_id=invitation_id,
            instrument=instrument,
            answers=answers,
            comment=None if contact else comment,
            now=ctx.now,
            options=service.SurveySettings.from_commune(ctx.commune.settings),
        )
    except service.Refusal as refusal:
        return _refused(ctx, refusal.reason)
    if contact:
        ticket_code = await _open_ticket(ctx, instrument, answers, comment, procedure_code)
        ticket_failed = ticket_code is None
    ctx.conversation.clear()
    replies = [Reply(texts.SURVEY_THANKS)]
    if ticket_code:
        replies.append(Reply(texts.SURVEY_TICKET_OPENED.format(code=ticket_code), _back()))
    elif ticket_failed:
        replies.append(
            Reply(texts.SURVEY_TICKET_UNAVAILABLE.format(contact=menu.contact_lines(ctx)), _back())
        )
    else:
        replies[0] = Reply(texts.SURVEY_THANKS, _back())
    return replies


async def _open_ticket(
    ctx: Context,
    instrument: Instrument,
    answers: dict[str, int],
    comment: str | None,
    procedure_code: str | None,
) -> str | None:
    try:
        from complaints import service as complaints
    except ImportError:  # pragma: no cover - the complaints feature is part of the package
        return None
    low = service.low_elements(instrument, answers, LOW_UP_TO)
    scores = ", ".join(f"{ELEMENT_LABELS.get(e, e)} {answers[e]}/5" for e in low)
    procedure = ""
    if procedure_code:
        found = ctx.knowledge.catalogue.get(procedure_code)
        procedure = f" «{found.display_name}»" if found else f" {procedure_code}"
    lines = [texts.SURVEY_LOW_TICKET_TEXT.format(procedure=procedure, scores=scores)]
    if comment:
        lines.append(texts.SURVEY_LOW_TICKET_COMMENT.format(comment=comment))
    ticket = await complaints.open_ticket(
        ctx.session,
        commune_id=ctx.commune.id,
        category="procedure",
        text="\n".join(lines),
        channel=ctx.user.channel,
        user_id=ctx.user.user_id,
        chat_id=ctx.user.chat_id,
        source="survey",
        procedure_code=procedure_code,
        contact_consent=True,
        now=ctx.now,
    )
    return str(ticket.code)


# --- pushed invitations (rendered for surveys/push.py) -------------------------------------------


def invitation_reply(
    commune: Any, invitation: Invitation, reminder: bool, deps: service.Services
) -> Reply:
    instrument = deps.book.for_commune(commune.slug, commune.settings)
    code = tokens.format_code(invitation.code)
    if reminder:
        until = invitation.expires_at.astimezone(LOCAL).strftime("%d/%m/%Y")
        text_ = texts.SURVEY_REMINDER.format(office=commune.one_stop_shop, until=until, code=code)
    else:
        text_ = texts.SURVEY_INVITE.format(
            office=commune.one_stop_shop, count=len(instrument.questions), code=code
        )
    token = service.token_for(deps.secret, invitation)
    return Reply(text_, (Button(texts.BTN_SURVEY_START, f"{START}:{token}"),))


# --- staff: record a visit ------------------------------------------------------------------------
# Routed from handlers/staff.py (``/ghinhan``); gated by the commune's staff list.


async def staff_record_visit(ctx: Context, msg: Incoming) -> Reply:
    """``/ghinhan 1.001193 hs=H12.34-260715-0001 quay=2 [tructuyen]``: the invitation for
    the receipt (typed code and link). The staff member is recorded as the visit's
    officer and may not answer it."""
    if not ctx.commune.is_staff(ctx.user.channel, ctx.user.user_id):
        return Reply(texts.STAFF_ONLY)
    deps = _deps(ctx)
    if deps is None:
        return Reply(texts.SURVEY_UNAVAILABLE)
    args = (msg.payload or "").split()
    options: dict[str, str] = {}
    positional: list[str] = []
    for arg in args:
        key, sep, value = arg.partition("=")
        if sep:
            options[_fold_key(key)] = value
        else:
            positional.append(arg)
    if not positional:
        return Reply(texts.STAFF_VISIT_USAGE)
    code = positional[0]
    online = any(_fold_key(p) in ("tructuyen", "online") for p in positional[1:])
    procedure = ctx.knowledge.catalogue.get(code)
    notes = [] if procedure else [texts.STAFF_VISIT_UNKNOWN_PROCEDURE.format(code=code)]
    field_name = procedure.field if procedure else ""
    _visit, invitation, created = await service.record_visit(
        ctx.session,
        commune_id=ctx.commune.id,
        now=ctx.now,
        options=service.SurveySettings.from_commune(ctx.commune.settings),
        procedure_code=code,
        field_name=field_name,
        field_group=deps.book.field_group(field_name),
        dossier_code=options.get("hs") or None,
        counter=options.get("quay") or None,
        officer=ctx.user.display_name or ctx.user.user_id,
        officer_chat=_who(ctx),
        mode=ONLINE if online else IN_PERSON,
        source="chat",
    )
    if not created:
        notes.insert(0, texts.STAFF_VISIT_ALREADY)
    link = deps.link(ctx.commune.slug, invitation) or service.token_for(deps.secret, invitation)
    until = invitation.expires_at.astimezone(LOCAL).strftime("%d/%m/%Y")
    text_ = texts.STAFF_VISIT_RECORDED.format(
        procedure=f" «{procedure.display_name}»" if procedure else "",
        code=tokens.format_code(invitation.code),
        until=until,
        link=link,
    )
    return Reply("\n".join([text_, *notes]))
