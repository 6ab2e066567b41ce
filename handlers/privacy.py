"""Residents' rights over their data in the chat: the commune's privacy notice
(``/baomat`` and the menu), what the bot holds about them (``/dulieucuatoi``), and
requests to correct or delete it, which staff acknowledge and complete with commands
in the staff group (``/yeucau``, ``/nhanyc``, ``/xongyc``, ``/tuchoiyc``).

Everything shown is about the account asking, and contact details are shown masked:
replies pass through the outbox, which must never carry a name or phone in full. Staff
alerts name the request's code and kind only; a correction's new value is applied by
the service when staff complete the request, so nobody needs to read it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.context import Context
from bot.router import Router, any_of, button, command
from bot.types import Button, Incoming, Reply
from complaints import routing, service
from complaints.categories import ONE_STOP
from complaints.privacy import clean_name, mask_name, mask_phone, normalize_phone, valid_name
from complaints.privacy import notice as consent_notice
from handlers import menu, staff, texts
from privacy import config as privacy_config
from privacy import notices, requests
from privacy.config import PrivacySettings
from privacy.holdings import Holdings, holdings
from privacy.models import (
    ACKNOWLEDGED,
    CORRECT,
    DELETE,
    DONE,
    RECEIVED,
    PrivacyRequest,
)
from privacy.requests import RequestError, Resident

log = logging.getLogger(__name__)

router = Router("privacy")  # the notice, "my data" and its buttons
flow = Router("privacy.flow")  # typing a corrected name or phone
staff_router = Router("privacy.staff")

NOTICE = menu.PRIVACY
MY_DATA, FIX, ERASE, ERASE_YES = "pv:data", "pv:fix", "pv:del", "pv:del:yes"
FIX_NAME, FIX_PHONE = "pv:fix:name", "pv:fix:phone"
FIX_STATE = "privacy.fix"
KIND_UPDATE = "privacy_update"
STAFF_COMMANDS = frozenset({"yeucau", "nhanyc", "xongyc", "tuchoiyc"})


def settings_of(ctx: Context) -> PrivacySettings:
    return privacy_config.for_commune(ctx.commune.settings)


def _contact(ctx: Context) -> str:
    c = ctx.commune
    parts = [c.one_stop_shop]
    parts += [p for p in (c.address, c.phone, c.email) if p]
    return ", ".join(parts)


# --- the notice ------------------------------------------------------------------------------


def _render_notice(ctx: Context, version: str) -> str:
    p = settings_of(ctx)
    contact_days = staff.settings_of(ctx.commune).contact_retention_days
    return texts.PRIVACY_NOTICE.format(
        commune=ctx.commune.name,
        message_days=max(p.inbox_days, p.outbox_days),
        draft_hours=p.draft_hours,
        question_days=p.question_log_days,
        contact_days=contact_days,
        ack_days=p.ack_working_days,
        complete_days=p.complete_days,
        contact=_contact(ctx),
        version=version,
    )


def consent_text(ctx: Context) -> str:
    """The short notice shown before a complaint asks for a name and phone."""
    days = staff.settings_of(ctx.commune).contact_retention_days
    return consent_notice(ctx.commune.name, _contact(ctx), days)


async def current_notice(ctx: Context) -> tuple[str, str]:
    """(the full notice, its version), publishing the version if it is new.

    The version covers the full notice and the short consent notice together, so a
    consent record's version gives back both texts the resident could read.
    """
    body = _render_notice(ctx, "") + "\n\n" + consent_text(ctx)
    version = await notices.publish(ctx.session, ctx.commune.id, body, ctx.now)
    return _render_notice(ctx, version), version


def _private(ctx: Context, msg: Incoming) -> bool:
    return not msg.is_group


@router.route(
    lambda ctx, msg: _private(ctx, msg) and any_of(command("baomat"), button(NOTICE))(ctx, msg),
    "notice",
)
async def show_notice(ctx: Context, msg: Incoming) -> Reply:
    text, _version = await current_notice(ctx)
    return Reply(text, (Button(texts.BTN_MY_DATA, MY_DATA), Button(texts.BTN_MENU, menu.MENU)))


# --- my data ---------------------------------------------------------------------------------


def _kind_label(request: PrivacyRequest) -> str:
    if request.kind == DELETE:
        return texts.REQUEST_KIND_DELETE
    field = (request.details or {}).get("field")
    if field == "name":
        return texts.REQUEST_KIND_CORRECT_NAME
    if field == "phone":
        return texts.REQUEST_KIND_CORRECT_PHONE
    return texts.REQUEST_KIND_CORRECT


def _status_label(request: PrivacyRequest) -> str:
    if request.status == RECEIVED:
        return texts.REQUEST_STATUS_RECEIVED
    if request.status == ACKNOWLEDGED:
        return texts.REQUEST_STATUS_ACKNOWLEDGED.format(due=staff.day(request.due_at))
    if request.status == DONE:
        return texts.REQUEST_STATUS_DONE.format(date=staff.day(request.completed_at))
    return texts.REQUEST_STATUS_REJECTED.format(reason=request.outcome or "")


def render_holdings(ctx: Context, held: Holdings) -> str:
    p = settings_of(ctx)
    lines = [texts.MY_DATA_TITLE.format(commune=ctx.commune.name)]
    if held.first_seen_at is not None:
        template = texts.MY_DATA_ACCOUNT if held.display_name else texts.MY_DATA_ACCOUNT_NO_NAME
        lines.append(
            template.format(
                name=mask_name(held.display_name),
                first=staff.day(held.first_seen_at),
                last=staff.day(held.last_seen_at),
            )
        )
    if held.draft_state is not None:
        template = texts.MY_DATA_DRAFT_CONTACT if held.draft_has_contact else texts.MY_DATA_DRAFT
        lines.append(template.format(hours=p.draft_hours))
    if held.tickets:
        lines.append(texts.MY_DATA_TICKETS.format(count=len(held.tickets)))
        for t in held.tickets[:10]:
            created = staff.day(t.created_at)
            if t.contact_name or t.contact_phone:
                lines.append(
                    texts.MY_DATA_TICKET_CONTACT.format(
                        code=t.code,
                        date=created,
                        name=mask_name(t.contact_name) or "—",
                        phone=mask_phone(t.contact_phone) or "—",
                        consent=staff.day(t.consent_at),
                        version=t.consent_version or "",
                    )
                )
            elif t.contact_erased_at is not None:
                lines.append(
                    texts.MY_DATA_TICKET_ERASED.format(
                        code=t.code, date=created, erased=staff.day(t.contact_erased_at)
                    )
                )
            else:
                lines.append(texts.MY_DATA_TICKET_ANON.format(code=t.code, date=created))
    if held.photos:
        lines.append(texts.MY_DATA_PHOTOS.format(count=held.photos))
    if held.questions:
        lines.append(texts.MY_DATA_QUESTIONS.format(count=held.questions, days=p.question_log_days))
    if held.messages:
        lines.append(texts.MY_DATA_MESSAGES.format(count=held.messages, days=p.outbox_days))
    if held.invitations:
        lines.append(texts.MY_DATA_INVITATIONS.format(count=held.invitations))
    for request in held.requests:
        lines.append(
            texts.MY_DATA_REQUEST.format(
                code=request.code, kind=_kind_label(request), status=_status_label(request)
            )
        )
    lines.append(texts.MY_DATA_SURVEYS)
    if held.is_empty:
        lines.append(texts.MY_DATA_NOTHING)
    lines.append(texts.MY_DATA_RIGHTS)
    return "\n".join(lines)


def _my_data_buttons() -> tuple[Button, ...]:
    return (
        Button(texts.BTN_FIX, FIX),
        Button(texts.BTN_ERASE, ERASE),
        Button(texts.BTN_NOTICE, NOTICE),
        Button(texts.BTN_MENU, menu.MENU),
    )


@router.route(
    lambda ctx, msg: (
        _private(ctx, msg) and any_of(command("dulieucuatoi"), button(MY_DATA))(ctx, msg)
    ),
    "my_data",
)
async def my_data(ctx: Context, msg: Incoming) -> Reply:
    u = ctx.user
    held = await holdings(ctx.session, ctx.commune.id, u.channel, u.user_id, u.chat_id)
    return Reply(render_holdings(ctx, held), _my_data_buttons())


# --- requests from the resident ----------------------------------------------------------------


def _resident(ctx: Context) -> Resident:
    return Resident(ctx.user.channel, ctx.user.user_id, ctx.user.chat_id)


def _cancel() -> Button:
    return Button(texts.BTN_PRIVACY_CANCEL, "x")


@router.route(
    lambda ctx, msg: _private(ctx, msg) and any_of(command("suadulieu"), button(FIX))(ctx, msg),
    "fix",
)
async def fix(ctx: Context, msg: Incoming) -> Reply:
    held = await holdings(
        ctx.session, ctx.commune.id, ctx.user.channel, ctx.user.user_id, ctx.user.chat_id
    )
    if not any(t.contact_name or t.contact_phone for t in held.tickets):
        return Reply(texts.FIX_NOTHING, (Button(texts.BTN_MENU, menu.MENU),))
    return Reply(
        texts.FIX_WHICH,
        (Button(texts.BTN_FIX_NAME, FIX_NAME), Button(texts.BTN_FIX_PHONE, FIX_PHONE), _cancel()),
    )


@router.route(lambda ctx, msg: _private(ctx, msg) and button(FIX_NAME, FIX_PHONE)(ctx, msg))
async def fix_field(ctx: Context, msg: Incoming) -> Reply:
    field = "name" if msg.payload == FIX_NAME else "phone"
    ctx.conversation.enter(FIX_STATE, ctx.now, {"field": field})
    prompt = texts.FIX_ASK_NAME if field == "name" else texts.FIX_ASK_PHONE
    return Reply(prompt, (_cancel(),), request_contact=field == "phone")


@flow.route(
    lambda ctx, msg: (
        _private(ctx, msg)
        and ctx.conversation.state == FIX_STATE
        and msg.command is None
        and not msg.is_button
    ),
    "fix_value",
)
async def fix_value(ctx: Context, msg: Incoming) -> Reply | None:
    field = str(ctx.conversation.data.get("field", ""))
    text = msg.text.strip()
    if field == "name":
        if not valid_name(text):
            return Reply(texts.PA_NAME_INVALID, (_cancel(),))
        value = clean_name(text)
    else:
        phone = None
        if msg.contact is not None and msg.contact.own:
            phone = normalize_phone(msg.contact.phone)
        elif text:
            phone = normalize_phone(text)
        if phone is None:
            return Reply(texts.PA_PHONE_INVALID, (_cancel(),), request_contact=True)
        value = phone
    ctx.conversation.clear()
    return await _open(ctx, CORRECT, {"field": field, "value": value})


@router.route(
    lambda ctx, msg: _private(ctx, msg) and any_of(command("xoadulieu"), button(ERASE))(ctx, msg),
    "erase",
)
async def erase(ctx: Context, msg: Incoming) -> Reply:
    return Reply(
        texts.ERASE_CONFIRM,
        (Button(texts.BTN_ERASE_YES, ERASE_YES), Button(texts.BTN_ERASE_NO, "pv:keep")),
    )


@router.route(lambda ctx, msg: _private(ctx, msg) and button("pv:keep")(ctx, msg))
async def keep(ctx: Context, msg: Incoming) -> Reply:
    return menu.menu(texts.ERASE_KEPT)


@router.route(lambda ctx, msg: _private(ctx, msg) and button(ERASE_YES)(ctx, msg))
async def erase_confirmed(ctx: Context, msg: Incoming) -> Reply:
    return await _open(ctx, DELETE, None)


async def _open(ctx: Context, kind: str, details: dict[str, Any] | None) -> Reply:
    """Record the request, acknowledge it to the resident with its code, alert staff."""
    resident = _resident(ctx)
    if kind == DELETE:
        existing = await requests.open_for(ctx.session, ctx.commune.id, resident, kind)
        if existing is not None:
            return menu.menu(
                texts.REQUEST_ALREADY.format(
                    kind=_kind_label(existing), code=existing.code, due=staff.day(existing.due_at)
                )
            )
    rules = await service.rules_for(ctx.session, ctx.commune.id, ctx.commune.settings)
    _text, version = await current_notice(ctx)
    request = await requests.open_request(
        ctx.session,
        ctx.commune.id,
        resident,
        kind,
        now=ctx.now,
        calendar=rules.calendar,
        settings=settings_of(ctx),
        details=details,
        notice_version=version,
    )
    for channel, chat_id in routing.unit_chats(ONE_STOP, rules.settings, ctx.commune.staff_chats):
        ctx.address(channel, chat_id, MESSAGES.new_request(request), kind=staff.KIND_ALERT)
    request.alerted_at = ctx.now
    return menu.menu(
        texts.REQUEST_RECEIVED.format(
            kind=_kind_label(request),
            code=request.code,
            ack=staff.day(request.ack_due_at),
            due=staff.day(request.due_at),
        )
    )


# --- staff -------------------------------------------------------------------------------------


class RequestMessages:
    """What staff read about requests; the sweeps get this object too."""

    def _buttons(self, request: PrivacyRequest) -> tuple[Button, ...]:
        return (
            Button(texts.BTN_PVS_ACK, f"sy:ack:{request.code}"),
            Button(texts.BTN_PVS_DONE, f"sy:done:{request.code}"),
        )

    def new_request(self, request: PrivacyRequest) -> Reply:
        text = texts.PVS_NEW.format(
            code=request.code,
            kind=_kind_label(request),
            ack=staff.day_time(request.ack_due_at),
            due=staff.day_time(request.due_at),
        )
        return Reply(text, self._buttons(request))

    def ack_overdue(self, request: PrivacyRequest) -> Reply:
        text = texts.PVS_ACK_OVERDUE.format(
            code=request.code, kind=_kind_label(request), ack=staff.day_time(request.ack_due_at)
        )
        return Reply(text, self._buttons(request))

    def overdue(self, request: PrivacyRequest) -> Reply:
        text = texts.PVS_OVERDUE.format(
            code=request.code, kind=_kind_label(request), due=staff.day_time(request.due_at)
        )
        return Reply(text, self._buttons(request))


MESSAGES = RequestMessages()


def _for_staff(ctx: Context, msg: Incoming) -> bool:
    if msg.is_group and not staff.in_staff_group(ctx, msg):
        return False
    return msg.command in STAFF_COMMANDS or (
        msg.is_button and (msg.payload or "").startswith("sy:")
    )


@staff_router.route(_for_staff, "privacy_staff")
async def staff_entry(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    if not ctx.commune.is_staff(msg.user.channel, msg.user.user_id):
        return Reply(texts.PAS_NOT_STAFF)
    if msg.is_button:
        _, action, code = ((msg.payload or "") + "::").split(":", 3)[:3]
        handler = {"ack": _acknowledge, "done": _complete}.get(action)
        return await handler(ctx, msg, code, "") if handler else Reply(texts.PAS_HELP)
    if msg.command == "yeucau":
        return await _queue(ctx)
    code, _, rest = (msg.payload or "").strip().partition(" ")
    name = msg.command or ""
    if not code:
        argument = texts.PAS_ARG_REASON if name == "tuchoiyc" else ""
        return Reply(texts.PVS_USAGE.format(command=name, argument=argument).rstrip())
    actions: dict[str, Callable[[Context, Incoming, str, str], Awaitable[Reply | list[Reply]]]] = {
        "nhanyc": _acknowledge,
        "xongyc": _complete,
        "tuchoiyc": _reject,
    }
    return await actions[name](ctx, msg, code, rest.strip())


async def _queue(ctx: Context) -> Reply:
    open_requests = await requests.queue(ctx.session, ctx.commune.id)
    if not open_requests:
        return Reply(texts.PVS_QUEUE_EMPTY)
    lines = [texts.PVS_QUEUE_TITLE.format(count=len(open_requests))]
    for r in open_requests:
        late = r.due_at <= ctx.now or (r.status == RECEIVED and r.ack_due_at <= ctx.now)
        lines.append(
            texts.PVS_QUEUE_LINE.format(
                code=r.code,
                kind=_kind_label(r),
                status=texts.PVS_STATUS_NEW if r.status == RECEIVED else texts.PVS_STATUS_ACKED,
                due=staff.day(r.due_at),
                mark=texts.PVS_MARK_OVERDUE if late else "",
            )
        )
    return Reply("\n".join(lines))


async def _find(ctx: Context, code: str) -> PrivacyRequest | Reply:
    request = await requests.by_code(ctx.session, ctx.commune.id, code)
    if request is None:
        shown = requests.normalize_code(code) or code.strip()[:12] or "?"
        return Reply(texts.PVS_UNKNOWN.format(code=shown))
    return request


def _tell_resident(ctx: Context, request: PrivacyRequest, text: str) -> None:
    if not request.chat_id:
        return
    ctx.address(
        request.channel,
        request.chat_id,
        Reply(text, (Button(texts.BTN_MENU, menu.MENU),)),
        user_id=request.user_id,
        kind=KIND_UPDATE,
    )


async def _acknowledge(ctx: Context, msg: Incoming, code: str, _rest: str) -> Reply:
    found = await _find(ctx, code)
    if isinstance(found, Reply):
        return found
    try:
        first = requests.acknowledge(
            found, staff=staff.staff_ref(msg), label=staff.staff_label(msg), now=ctx.now
        )
    except RequestError:
        return Reply(texts.PVS_SETTLED.format(code=found.code))
    if not first:
        return Reply(texts.PVS_ALREADY_ACKED.format(code=found.code))
    _tell_resident(
        ctx,
        found,
        texts.REQUEST_ACKNOWLEDGED.format(
            code=found.code, kind=_kind_label(found), due=staff.day(found.due_at)
        ),
    )
    return Reply(texts.PVS_ACKED.format(code=found.code))


async def _complete(ctx: Context, msg: Incoming, code: str, _rest: str) -> Reply:
    found = await _find(ctx, code)
    if isinstance(found, Reply):
        return found
    kind = _kind_label(found)
    try:
        outcome = await requests.complete(
            ctx.session,
            found,
            staff=staff.staff_ref(msg),
            label=staff.staff_label(msg),
            now=ctx.now,
        )
    except RequestError:
        return Reply(texts.PVS_SETTLED.format(code=found.code))
    if found.kind == DELETE:
        done = texts.REQUEST_DONE_DELETE.format(code=found.code, days=settings_of(ctx).inbox_days)
    else:
        done = texts.REQUEST_DONE_CORRECT.format(code=found.code)
    _tell_resident(ctx, found, done)
    return Reply(texts.PVS_DONE.format(code=found.code, kind=kind, outcome=outcome.describe()))


async def _reject(ctx: Context, msg: Incoming, code: str, reason: str) -> Reply:
    if not reason:
        return Reply(texts.PVS_USAGE.format(command="tuchoiyc", argument=texts.PAS_ARG_REASON))
    found = await _find(ctx, code)
    if isinstance(found, Reply):
        return found
    kind = _kind_label(found)
    try:
        requests.reject(
            found,
            staff=staff.staff_ref(msg),
            label=staff.staff_label(msg),
            reason=reason,
            now=ctx.now,
        )
    except RequestError:
        return Reply(texts.PVS_SETTLED.format(code=found.code))
    _tell_resident(
        ctx,
        found,
        texts.REQUEST_REJECTED.format(
            code=found.code, kind=kind, reason=reason, contact=menu.contact_lines(ctx)
        ),
    )
    return Reply(texts.PVS_REJECTED.format(code=found.code))
