"""Complaints as residents experience them: the intake dialogue, looking a ticket up,
and writing back to staff.

The intake is a short series of steps whose draft lives in the conversation state
(so it survives a restart) for 72 hours: category, the procedure or dossier it is
about (for procedure complaints), the text, optional photos and location, and
contact: anonymous by default, or name and phone after a privacy notice and explicit
consent recorded with the notice's version. A summary is confirmed before anything
reaches staff. Photos are only recorded here as the channel's file references; a
sweep fetches and cleans them later.

A ticket is shown only to the (channel, user) that filed it, or to whoever gives its
code with the contact phone left on it; every other case gets the same "not found".
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.router import Router, command
from bot.types import Button, Incoming, Reply
from complaints import codes, service
from complaints.categories import CATEGORIES, LEGAL, PROCEDURE, category
from complaints.config import ComplaintSettings
from complaints.models import FINAL_STATUSES, STATUS_LABELS, WAITING, Ticket
from complaints.privacy import clean_name, mask_phone, normalize_phone, redact, valid_name
from complaints.service import Rules, TicketError
from handlers import menu, privacy, staff, texts

log = logging.getLogger(__name__)

router = Router("complaints")  # lookups and buttons that work at any time
flow = Router("complaints.flow")  # the steps of a dialogue in progress

FLOW = "complaints"
CATEGORY = "complaints.category"
REF = "complaints.ref"
TEXT = "complaints.text"
EXTRAS = "complaints.extras"
CONTACT = "complaints.contact"
CONSENT = "complaints.consent"
NAME = "complaints.name"
PHONE = "complaints.phone"
CONFIRM = "complaints.confirm"
FOLLOWUP = staff.FOLLOWUP_STATE
DRAFT_TTL = timedelta(hours=72)
DAY = timedelta(hours=24)
MIN_TEXT = 10  # characters: "đường hỏng" is the shortest useful complaint
PREFILL_WORDS = 5  # a detected complaint this long is kept as the text
CANCEL = "x"  # the cancel payload handled by handlers.menu.escapes

_INTAKE_PAYLOADS = (
    *("pa:cat:", "pa:skip", "pa:next", "pa:anon", "pa:contact"),
    *("pa:agree", "pa:disagree", "pa:send", "pa:edit"),
)


def settings_of(ctx: Context) -> ComplaintSettings:
    return staff.settings_of(ctx.commune)


async def rules_of(ctx: Context) -> Rules:
    return await service.rules_for(ctx.session, ctx.commune.id, ctx.commune.settings)


def _cancel_button() -> Button:
    return Button(texts.BTN_PA_CANCEL, CANCEL)


def _extras_buttons() -> tuple[Button, ...]:
    return (Button(texts.BTN_PA_NEXT, "pa:next"), _cancel_button())


# --- starting -------------------------------------------------------------------------------


async def start_intake(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    """Entry point for the menu button, /phananh (with or without text) and the
    matcher's complaint intent (whose message becomes the draft's text)."""
    limit = await _ticket_limit_reply(ctx)
    if limit is not None:
        ctx.conversation.clear()
        return limit
    prefill = ""
    if msg.command is not None and msg.payload:
        prefill = msg.payload.strip()  # "/phananh đèn đường hỏng"
    elif msg.command is None and not msg.is_button and len(msg.text.split()) >= PREFILL_WORDS:
        prefill = msg.text.strip()
    data: dict[str, Any] = {"text": prefill[: service.MAX_TEXT], "photos": []}
    return await _goto(ctx, CATEGORY, data)


async def _ticket_limit_reply(ctx: Context) -> Reply | None:
    settings = settings_of(ctx)
    count = await service.tickets_since(
        ctx.session, ctx.commune.id, ctx.user.channel, ctx.user.user_id, ctx.now - DAY
    )
    if count < settings.tickets_per_day:
        return None
    log.info("ticket limit reached on %s", ctx.user.channel)
    return menu.menu(texts.PA_TOO_MANY.format(count=count, contact=menu.contact_lines(ctx)))


# --- prompts --------------------------------------------------------------------------------


def _category_buttons(has_tickets: bool) -> tuple[Button, ...]:
    buttons = [Button(c.label, f"pa:cat:{c.key}") for c in CATEGORIES.values()]
    if has_tickets:
        buttons.append(Button(texts.BTN_PA_MINE, "pa:mine"))
    buttons.append(_cancel_button())
    return tuple(buttons)


async def prompt(ctx: Context, state: str, data: dict[str, Any]) -> Reply:
    settings = settings_of(ctx)
    if state == CATEGORY:
        mine = await service.resident_tickets(
            ctx.session, ctx.commune.id, ctx.user.channel, ctx.user.user_id, limit=1
        )
        text = texts.PA_START_WITH_TEXT if data.get("text") else texts.PA_START
        return Reply(text, _category_buttons(bool(mine)))
    if state == REF:
        return Reply(texts.PA_ASK_REF, (Button(texts.BTN_PA_SKIP, "pa:skip"), _cancel_button()))
    if state == TEXT:
        return Reply(texts.PA_ASK_TEXT, (_cancel_button(),))
    if state == EXTRAS:
        return Reply(
            texts.PA_ASK_EXTRAS.format(photos=settings.photos_per_ticket),
            _extras_buttons(),
            request_location=True,
        )
    if state == CONTACT:
        text = texts.PA_ASK_CONTACT
        if data.get("cat") == LEGAL:
            text += "\n" + texts.PA_ASK_CONTACT_LEGAL
        return Reply(
            text,
            (
                Button(texts.BTN_PA_ANON, "pa:anon"),
                Button(texts.BTN_PA_CONTACT, "pa:contact"),
                _cancel_button(),
            ),
        )
    if state == CONSENT:
        return Reply(
            privacy.consent_text(ctx),
            (
                Button(texts.BTN_PA_AGREE, "pa:agree"),
                Button(texts.BTN_PA_DISAGREE, "pa:disagree"),
                _cancel_button(),
            ),
        )
    if state == NAME:
        return Reply(texts.PA_ASK_NAME, (_cancel_button(),))
    if state == PHONE:
        return Reply(texts.PA_ASK_PHONE, (_cancel_button(),), request_contact=True)
    if state == CONFIRM:
        return _summary(ctx, data)
    raise ValueError(f"no prompt for {state}")


def _summary(ctx: Context, data: dict[str, Any]) -> Reply:
    name, phone = data.get("name"), data.get("phone")
    if phone:
        contact = texts.PA_CONTACT_GIVEN.format(tail=mask_phone(phone)[-3:])
    else:
        contact = texts.PA_CONTACT_ANON
    reference = _reference_text(ctx, data)
    location = data.get("loc")
    text = texts.PA_SUMMARY.format(
        category=category(str(data.get("cat"))).label,
        reference=texts.PA_SUMMARY_REFERENCE.format(reference=reference) if reference else "",
        text=redact(str(data.get("text", "")), name, phone),
        photos=len(data.get("photos", [])) or texts.PA_NONE,
        location=texts.PA_YES if location else texts.PA_NONE,
        contact=contact,
    )
    return Reply(
        text,
        (
            Button(texts.BTN_PA_SEND, "pa:send"),
            Button(texts.BTN_PA_EDIT, "pa:edit"),
            _cancel_button(),
        ),
    )


def _reference_text(ctx: Context, data: dict[str, Any]) -> str:
    parts = []
    code = data.get("proc")
    if isinstance(code, str):
        procedure = ctx.knowledge.catalogue.get(code)
        parts.append(procedure.display_name if procedure else code)
    if data.get("dossier"):
        parts.append(str(data["dossier"]))
    return ", ".join(parts)


async def _goto(
    ctx: Context, state: str, data: dict[str, Any], before: list[Reply] | None = None
) -> list[Reply]:
    ctx.conversation.enter(state, ctx.now, data, ttl=DRAFT_TTL)
    return [*(before or []), await prompt(ctx, state, data)]


# --- the steps ------------------------------------------------------------------------------


def _in_intake(ctx: Context, msg: Incoming) -> bool:
    state = ctx.conversation.state
    return (
        not msg.is_group
        and state is not None
        and state.startswith(FLOW + ".")
        and state != FOLLOWUP
    )


@flow.route(_in_intake, "intake_step")
async def intake_step(ctx: Context, msg: Incoming) -> list[Reply] | None:
    if msg.command is not None:
        return None  # /tracuu, /start...: other routes answer (and may end the draft)
    if msg.is_button and not (msg.payload or "").startswith(_INTAKE_PAYLOADS):
        return None
    state = ctx.conversation.state or CATEGORY
    data = dict(ctx.conversation.data)
    data.setdefault("photos", [])
    notes = await _absorb_media(ctx, msg, data)
    text = "" if msg.is_button else msg.text.strip()
    payload = msg.payload if msg.is_button else None
    if not text and payload is None and msg.contact is None:
        # Only a photo, a location or a sticker: acknowledge, then repeat the question.
        ctx.conversation.enter(state, ctx.now, data, ttl=DRAFT_TTL)
        if state == EXTRAS and notes:
            return [Reply("\n".join(notes), _extras_buttons())]
        return [*([Reply("\n".join(notes))] if notes else []), await prompt(ctx, state, data)]
    step = _STEPS.get(state)
    if step is None:  # a step this version does not know: start again, keeping the text
        return await _goto(ctx, CATEGORY, data)
    before = [Reply("\n".join(notes))] if notes else []
    # The draft (with any photo just taken) is saved whatever the step decides; steps
    # that move on enter their next state with the same dict.
    ctx.conversation.enter(state, ctx.now, data, ttl=DRAFT_TTL)
    result = await step(ctx, data, text, payload, msg)
    if result is None:
        return [*before, Reply(texts.PA_NEED_BUTTON), await prompt(ctx, state, data)]
    return [*before, *result]


async def _absorb_media(ctx: Context, msg: Incoming, data: dict[str, Any]) -> list[str]:
    """Keep photo references and the location in the draft; say what was taken."""
    notes: list[str] = []
    if msg.location is not None:
        data["loc"] = [msg.location.latitude, msg.location.longitude]
        notes.append(texts.PA_LOCATION_ADDED)
    photos = [a for a in msg.attachments if a.kind == "photo"]
    if len(photos) < len(msg.attachments):
        notes.append(texts.PA_MEDIA_NOT_PHOTO)
    if photos:
        settings = settings_of(ctx)
        limit = settings.photos_per_ticket
        refs: list[str] = list(data.get("photos", []))
        sent_today = await service.photos_since(
            ctx.session, ctx.commune.id, ctx.user.channel, ctx.user.user_id, ctx.now - DAY
        )
        for attachment in photos:
            if len(refs) >= limit:
                notes.append(texts.PA_PHOTO_LIMIT.format(limit=limit))
                break
            if sent_today + len(refs) >= settings.photos_per_day:
                notes.append(texts.PA_PHOTO_DAILY_LIMIT)
                break
            refs.append(attachment.file_ref)
        else:
            notes.append(texts.PA_PHOTO_ADDED.format(count=len(refs), limit=limit))
        data["photos"] = refs
    return notes


StepResult = list[Reply] | None


async def step_category(
    ctx: Context, data: dict[str, Any], text: str, payload: str | None, msg: Incoming
) -> StepResult:
    if payload is not None and payload.startswith("pa:cat:"):
        key = payload.removeprefix("pa:cat:")
        if key not in CATEGORIES:
            return None
        data["cat"] = key
        before = [Reply(texts.PA_LEGAL_INFO)] if key == LEGAL else []
        if key == PROCEDURE:
            return await _goto(ctx, REF, data, before)
        return await _goto(ctx, EXTRAS if data.get("text") else TEXT, data, before)
    if len(text) >= MIN_TEXT:
        # They started with the story: keep it and ask for the category again.
        data["text"] = _join(data.get("text"), text)
        return await _goto(ctx, CATEGORY, data)
    return None


async def step_ref(
    ctx: Context, data: dict[str, Any], text: str, payload: str | None, msg: Incoming
) -> StepResult:
    if payload == "pa:skip":
        return await _goto(ctx, EXTRAS if data.get("text") else TEXT, data)
    if not text:
        return None
    _resolve_reference(ctx, data, text)
    return await _goto(ctx, EXTRAS if data.get("text") else TEXT, data)


_PROCEDURE_CODE = re.compile(r"\b\d\.\d{6}\b")


def _resolve_reference(ctx: Context, data: dict[str, Any], text: str) -> None:
    """A procedure code, a procedure's name, or else a dossier number as typed."""
    catalogue = ctx.knowledge.catalogue
    code = _PROCEDURE_CODE.search(text)
    if code and catalogue.get(code.group(0)) is not None:
        data["proc"] = code.group(0)
        return
    if any(ch.isdigit() for ch in text) and len(text) <= 60:
        data["dossier"] = text[:60]
        return
    result = ctx.knowledge.matcher.search(text)
    if result.decision == "answer" and result.best is not None:
        data["proc"] = result.best.code
    else:
        data["dossier"] = text[:60]


async def step_text(
    ctx: Context, data: dict[str, Any], text: str, payload: str | None, msg: Incoming
) -> StepResult:
    if not text:
        return None
    if len(text) < MIN_TEXT or len(text.split()) < 2:
        return [Reply(texts.PA_TEXT_TOO_SHORT)]
    data["text"] = _join(data.get("text"), text)
    return await _goto(ctx, EXTRAS, data)


async def step_extras(
    ctx: Context, data: dict[str, Any], text: str, payload: str | None, msg: Incoming
) -> StepResult:
    if payload == "pa:next":
        return await _goto(ctx, CONTACT, data)
    if text:
        data["text"] = _join(data.get("text"), text)
        return [Reply(texts.PA_TEXT_ADDED, _extras_buttons())]
    return None


async def step_contact(
    ctx: Context, data: dict[str, Any], text: str, payload: str | None, msg: Incoming
) -> StepResult:
    if payload == "pa:anon":
        _anonymous(data)
        return await _goto(ctx, CONFIRM, data)
    if payload == "pa:contact":
        return await _goto(ctx, CONSENT, data)
    return None


async def step_consent(
    ctx: Context, data: dict[str, Any], text: str, payload: str | None, msg: Incoming
) -> StepResult:
    if payload == "pa:agree":
        _notice, version = await privacy.current_notice(ctx)
        data["consent"] = {"version": version, "at": ctx.now.isoformat()}
        return await _goto(ctx, NAME, data)
    if payload == "pa:disagree":
        _anonymous(data)
        return await _goto(ctx, CONFIRM, data)
    return None


def _anonymous(data: dict[str, Any]) -> None:
    for key in ("consent", "name", "phone"):
        data.pop(key, None)


async def step_name(
    ctx: Context, data: dict[str, Any], text: str, payload: str | None, msg: Incoming
) -> StepResult:
    if not text:
        return None
    if not valid_name(text):
        return [Reply(texts.PA_NAME_INVALID, (_cancel_button(),))]
    data["name"] = clean_name(text)
    return await _goto(ctx, PHONE, data)


async def step_phone(
    ctx: Context, data: dict[str, Any], text: str, payload: str | None, msg: Incoming
) -> StepResult:
    phone = None
    if msg.contact is not None and msg.contact.own:
        phone = normalize_phone(msg.contact.phone)
    elif text:
        phone = normalize_phone(text)
    if phone is None:
        if not text and msg.contact is None:
            return None
        return [Reply(texts.PA_PHONE_INVALID, (_cancel_button(),), request_contact=True)]
    data["phone"] = phone
    return await _goto(ctx, CONFIRM, data)


async def step_confirm(
    ctx: Context, data: dict[str, Any], text: str, payload: str | None, msg: Incoming
) -> StepResult:
    if payload == "pa:send":
        return await _submit(ctx, data)
    if payload == "pa:edit":
        data["text"] = ""
        return await _goto(ctx, TEXT, data)
    return None


_STEPS = {
    CATEGORY: step_category,
    REF: step_ref,
    TEXT: step_text,
    EXTRAS: step_extras,
    CONTACT: step_contact,
    CONSENT: step_consent,
    NAME: step_name,
    PHONE: step_phone,
    CONFIRM: step_confirm,
}


def _join(before: object, more: str) -> str:
    text = f"{before}\n{more}" if before else more
    return text[: service.MAX_TEXT]


async def _submit(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    limit = await _ticket_limit_reply(ctx)
    if limit is not None:
        ctx.conversation.clear()
        return [limit]
    key = str(data.get("cat", ""))
    if key not in CATEGORIES or not str(data.get("text", "")).strip():
        return await _goto(ctx, CATEGORY if key not in CATEGORIES else TEXT, data)
    rules = await rules_of(ctx)
    consent = data.get("consent") if isinstance(data.get("consent"), dict) else None
    location = data.get("loc")
    photos = [str(p) for p in data.get("photos", [])]
    ticket = await service.open_ticket(
        ctx.session,
        commune_id=ctx.commune.id,
        category=key,
        text=str(data["text"]),
        channel=ctx.user.channel,
        user_id=ctx.user.user_id,
        chat_id=ctx.user.chat_id,
        source="chat",
        procedure_code=data.get("proc"),
        contact_consent=consent is not None and bool(data.get("phone") or data.get("name")),
        now=ctx.now,
        contact_name=data.get("name") if consent else None,
        contact_phone=data.get("phone") if consent else None,
        consent_version=str(consent["version"]) if consent else None,
        dossier_ref=data.get("dossier"),
        location=(float(location[0]), float(location[1])) if location else None,
        photos=photos,
        rules=rules,
    )
    staff.alert_staff(ctx, ticket, rules.settings, len(photos))
    ctx.conversation.clear()
    text = texts.PA_SENT.format(code=ticket.code, due=staff.day(ticket.due_at))
    if key == LEGAL:
        text += "\n" + texts.PA_SENT_LEGAL
    return [Reply(text, (Button(texts.BTN_MENU, menu.MENU),))]


# --- follow-ups -------------------------------------------------------------------------------


def _in_followup(ctx: Context, msg: Incoming) -> bool:
    return not msg.is_group and ctx.conversation.state == FOLLOWUP


@flow.route(_in_followup, "followup")
async def followup_step(ctx: Context, msg: Incoming) -> Reply | list[Reply] | None:
    if msg.command is not None:
        return None
    if msg.is_button:
        if msg.payload == "pa:done":
            ctx.conversation.clear()
            return menu.menu(texts.PA_FOLLOWUP_DONE)
        return None
    code = str(ctx.conversation.data.get("code", ""))
    ticket = await _own_ticket(ctx, code)
    if ticket is None or ticket.status in FINAL_STATUSES:
        ctx.conversation.clear()
        return menu.menu(texts.PA_FOLLOWUP_CLOSED.format(code=code))
    data: dict[str, Any] = {"photos": []}
    notes = await _absorb_media(ctx, msg, data)
    text = msg.text.strip()
    photos = [str(p) for p in data["photos"]]
    if not text and not photos:
        return [Reply("\n".join(notes))] if notes else None
    if data.get("loc"):
        text = _join(text, "Vị trí: {:.6f},{:.6f}".format(*data["loc"]))
    rules = await rules_of(ctx)
    try:
        await service.resident_message(
            ctx.session, ticket, text=text or None, photos=photos, now=ctx.now, rules=rules
        )
    except TicketError:
        ctx.conversation.clear()
        return menu.menu(texts.PA_FOLLOWUP_CLOSED.format(code=code))
    staff.forward_followup(ctx, ticket, text, len(photos), rules.settings)
    ctx.conversation.clear()
    log.info("ticket %s: follow-up from the resident", ticket.code)
    return Reply(
        texts.PA_FOLLOWUP_SENT.format(code=ticket.code), (Button(texts.BTN_MENU, menu.MENU),)
    )


# --- looking up -------------------------------------------------------------------------------


def _resident(ctx: Context, msg: Incoming) -> bool:
    return not msg.is_group


async def _own_ticket(ctx: Context, code: str) -> Ticket | None:
    return await service.find_for_resident(
        ctx.session, ctx.commune.id, code, channel=ctx.user.channel, user_id=ctx.user.user_id
    )


@router.route(lambda ctx, msg: _resident(ctx, msg) and command("tracuu")(ctx, msg), "lookup")
async def lookup(ctx: Context, msg: Incoming) -> Reply:
    argument = (msg.payload or "").strip()
    if not argument:
        return await list_mine(ctx)
    code = codes.normalize(argument)
    phone = None
    for word in reversed(argument.split()):
        phone = normalize_phone(word)
        if phone:
            break
    if phone is None and code is not None:
        # A phone typed with spaces: everything after the code.
        rest = re.sub(r"(?i)^\s*pa[\s\-_.]*\w{6}", "", argument)
        phone = normalize_phone(rest) if rest.strip() else None
    ticket = None
    if code is not None:
        ticket = await service.find_for_resident(
            ctx.session,
            ctx.commune.id,
            code,
            channel=ctx.user.channel,
            user_id=ctx.user.user_id,
            phone=phone,
        )
    if ticket is None:
        log.info("ticket lookup refused on %s", ctx.user.channel)
        return menu.menu(texts.PA_NOT_FOUND)
    return await ticket_view(ctx, ticket)


def _typed_code(ctx: Context, msg: Incoming) -> bool:
    """A short message holding a ticket code ("PA-7K3M2Q", "tra cứu pa 7k3m2q")."""
    return (
        not msg.is_group
        and not msg.is_button
        and msg.command is None
        and len(msg.text) <= 60
        and codes.normalize(msg.text) is not None
    )


@router.route(_typed_code, "typed_code")
async def typed_code(ctx: Context, msg: Incoming) -> Reply:
    code = codes.normalize(msg.text) or ""
    ticket = await _own_ticket(ctx, code)
    if ticket is None:
        return menu.menu(texts.PA_NOT_FOUND)
    return await ticket_view(ctx, ticket)


def _resident_button(payload: str) -> Any:
    return lambda ctx, msg: _resident(ctx, msg) and msg.is_button and msg.payload == payload


@router.route(_resident_button("pa:mine"), "mine")
async def my_tickets(ctx: Context, msg: Incoming) -> Reply:
    return await list_mine(ctx)


async def list_mine(ctx: Context) -> Reply:
    tickets = await service.resident_tickets(
        ctx.session, ctx.commune.id, ctx.user.channel, ctx.user.user_id, limit=8
    )
    if not tickets:
        return Reply(
            texts.PA_MINE_EMPTY,
            (Button(texts.BTN_FEEDBACK, menu.FEEDBACK), Button(texts.BTN_MENU, menu.MENU)),
        )
    buttons = [
        Button(
            f"{t.code} · {staff.day(t.created_at)} · {STATUS_LABELS.get(t.status, t.status)}",
            f"pa:view:{t.code}",
        )
        for t in tickets
    ]
    buttons.append(Button(texts.BTN_MENU, menu.MENU))
    return Reply(texts.PA_MINE, tuple(buttons))


def _ticket_button(prefix: str) -> Any:
    return lambda ctx, msg: (
        _resident(ctx, msg) and msg.is_button and (msg.payload or "").startswith(prefix)
    )


@router.route(_ticket_button("pa:view:"), "view")
async def view_button(ctx: Context, msg: Incoming) -> Reply:
    ticket = await _own_ticket(ctx, (msg.payload or "").removeprefix("pa:view:"))
    if ticket is None:
        return menu.menu(texts.PA_NOT_FOUND)
    return await ticket_view(ctx, ticket)


async def ticket_view(ctx: Context, ticket: Ticket) -> Reply:
    lines = [
        texts.PA_STATUS.format(
            code=ticket.code,
            category=category(ticket.category).label,
            created=staff.day(ticket.created_at),
            status=STATUS_LABELS.get(ticket.status, ticket.status),
        )
    ]
    if ticket.status == WAITING:
        lines.append(texts.PA_EXPECTED_PAUSED)
    elif ticket.is_open and ticket.first_response_at is None:
        lines.append(texts.PA_EXPECTED.format(due=staff.day(ticket.due_at)))
    if ticket.status_notes:
        lines.append(texts.PA_STATUS_NOTES.format(notes=ticket.status_notes))
    answers = [
        e
        for e in await service.history(ctx.session, ticket.id)
        if e.kind in ("replied", "info_requested") and e.text
    ]
    if answers:
        lines.append(texts.PA_ANSWERS)
        lines += [
            texts.PA_ANSWER_LINE.format(date=staff.day(e.at), text=e.text) for e in answers[-3:]
        ]
    buttons = []
    if ticket.status not in FINAL_STATUSES:
        buttons.append(Button(texts.BTN_PA_FOLLOWUP, f"pa:fu:{ticket.code}"))
    if ticket.has_contact:
        buttons.append(Button(texts.BTN_PA_FORGET, f"pa:forget:{ticket.code}"))
    buttons.append(Button(texts.BTN_MENU, menu.MENU))
    return Reply("\n".join(lines), tuple(buttons))


@router.route(_ticket_button("pa:fu:"), "followup_button")
async def followup_button(ctx: Context, msg: Incoming) -> Reply:
    ticket = await _own_ticket(ctx, (msg.payload or "").removeprefix("pa:fu:"))
    if ticket is None:
        return menu.menu(texts.PA_NOT_FOUND)
    if ticket.status in FINAL_STATUSES:
        return menu.menu(texts.PA_FOLLOWUP_CLOSED.format(code=ticket.code))
    ctx.conversation.enter(FOLLOWUP, ctx.now, {"code": ticket.code}, ttl=staff.FOLLOWUP_TTL)
    return Reply(
        texts.PA_FOLLOWUP_ASK.format(code=ticket.code), (Button(texts.BTN_PA_DONE, "pa:done"),)
    )


@router.route(_ticket_button("pa:forget:"), "forget")
async def forget_button(ctx: Context, msg: Incoming) -> Reply:
    ticket = await _own_ticket(ctx, (msg.payload or "").removeprefix("pa:forget:"))
    if ticket is None:
        return menu.menu(texts.PA_NOT_FOUND)
    await service.erase_contact(ctx.session, ticket, actor=service.RESIDENT, now=ctx.now)
    return menu.menu(texts.PA_FORGOTTEN.format(code=ticket.code))


@router.route(_resident_button("pa:done"), "done")
async def done_button(ctx: Context, msg: Incoming) -> Reply:
    if ctx.conversation.state == FOLLOWUP:
        ctx.conversation.clear()
    return menu.menu(texts.PA_FOLLOWUP_DONE)
