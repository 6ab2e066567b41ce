"""The staff side of complaints: alerts in the staff group, the buttons and commands
staff act with, and what is relayed to the resident.

Staff act from the commune's staff group (Telegram), where a bot in privacy mode sees
only commands, button presses and replies to its own messages. So a reply is two steps
keyed on the staff member's own conversation: pressing «Trả lời» puts them in a reply
state and the bot asks them to reply (reply) to its prompt; their next message becomes
the answer. ``/traloi PA-XXXXXX <nội dung>`` does the same in one line.

Nothing here shows a resident's name or phone in a group or a log: alerts carry the
code, category and a redacted summary; contact details are shown only on request in a
private chat (``/lienhe``), to staff allowed to see them, as an outbox message of kind
``contact_reveal`` that the retention sweep scrubs once sent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import choices, conversation, outbox
from bot.communes import CommuneProfile
from bot.config import TIMEZONE
from bot.context import Context
from bot.reachability import can_reach
from bot.router import Router
from bot.types import Button, Incoming, Reply
from complaints import codes, routing, service
from complaints import config as complaint_config
from complaints.categories import category
from complaints.config import ComplaintSettings
from complaints.models import FINAL_STATUSES, STATUS_LABELS, Ticket
from complaints.privacy import redact
from complaints.service import Rules, TicketError
from handlers import menu, texts

log = logging.getLogger(__name__)

router = Router("staff")

REPLY_STATE = "staff.reply"
ASK_STATE = "staff.ask"
STAFF_TTL = timedelta(minutes=30)
FOLLOWUP_STATE = "complaints.followup"  # the resident's side, see handlers.complaints
FOLLOWUP_TTL = timedelta(hours=72)
SUMMARY_CHARS = 300
TZ = ZoneInfo(TIMEZONE)

# Outbox kinds: channels may treat them differently (a Zalo OA reply window...).
KIND_ALERT = "staff_alert"
KIND_UPDATE = "complaint_update"  # to the resident; the text always carries the code
KIND_CONTACT = "contact_reveal"  # scrubbed from the outbox once sent

EVENT_LABELS = {
    "received": "nhận phản ánh",
    "taken": "cán bộ nhận xử lý",
    "replied": "trả lời người dân",
    "info_requested": "hỏi thêm người dân",
    "resident_message": "người dân bổ sung",
    "closed": "đóng",
    "rejected": "không xử lý",
    "reminded": "nhắc hạn",
    "ack_reminded": "nhắc tiếp nhận",
    "escalated": "báo quá hạn",
    "photo_stored": "lưu ảnh",
    "photo_rejected": "ảnh không hợp lệ",
    "undeliverable": "không gửi được tin",
    "contact_viewed": "xem liên hệ",
    "contact_erased": "xóa liên hệ",
}


# --- formatting ----------------------------------------------------------------------------


def day(moment: datetime | None) -> str:
    return moment.astimezone(TZ).strftime("%d/%m/%Y") if moment else ""


def day_time(moment: datetime | None) -> str:
    return moment.astimezone(TZ).strftime("%H:%M %d/%m/%Y") if moment else ""


def settings_of(commune: CommuneProfile) -> ComplaintSettings:
    return complaint_config.for_commune(commune.settings)


def staff_ref(msg: Incoming) -> str:
    return f"{msg.user.channel}:{msg.user.user_id}"


def staff_label(msg: Incoming) -> str:
    return msg.user.display_name or "Cán bộ"


def reference(ticket: Ticket, ctx_catalogue: object | None = None) -> str:
    parts = []
    if ticket.procedure_code:
        name = None
        get = getattr(ctx_catalogue, "get", None)
        if callable(get):
            procedure = get(ticket.procedure_code)
            name = getattr(procedure, "display_name", None)
        parts.append(f"{name} ({ticket.procedure_code})" if name else ticket.procedure_code)
    if ticket.dossier_ref:
        parts.append(redact(ticket.dossier_ref))
    return ", ".join(parts)


def summary(ticket: Ticket, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(redact(ticket.text, ticket.contact_name, ticket.contact_phone).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def action_buttons(code: str) -> tuple[Button, ...]:
    return (
        Button(texts.BTN_PAS_TAKE, f"st:take:{code}"),
        Button(texts.BTN_PAS_REPLY, f"st:reply:{code}"),
        Button(texts.BTN_PAS_ASK, f"st:ask:{code}"),
        Button(texts.BTN_PAS_CLOSE, f"st:close:{code}"),
    )


# --- messages for staff (also used by the sweeps) -------------------------------------------


class StaffMessages:
    """Renders what staff read. The sweeps get this object so the domain package never
    imports handlers."""

    def alert(self, ticket: Ticket, photos: int, notify_only: bool = False) -> Reply:
        due = day(ticket.due_at)
        if ticket.confidential:
            return Reply(
                texts.PAS_ALERT_CONFIDENTIAL.format(code=ticket.code, due=due),
                action_buttons(ticket.code),
            )
        extras = []
        if photos:
            extras.append(texts.PAS_ALERT_PHOTOS.format(count=photos))
        if ticket.latitude is not None and ticket.longitude is not None:
            url = f"https://www.google.com/maps?q={ticket.latitude:.6f},{ticket.longitude:.6f}"
            extras.append(texts.PAS_ALERT_LOCATION.format(url=url))
        if ticket.source != "chat":
            who = texts.PAS_WHO_SURVEY
        elif ticket.has_contact:
            who = texts.PAS_WHO_CONTACT.format(code=ticket.code)
        else:
            who = texts.PAS_WHO_ANON
        ref = reference(ticket)
        text = texts.PAS_ALERT.format(
            code=ticket.code,
            category=category(ticket.category).short,
            reference=texts.PAS_ALERT_REFERENCE.format(reference=ref) if ref else "",
            summary=summary(ticket),
            extras=texts.PAS_ALERT_EXTRAS.format(extras=", ".join(extras)) if extras else "",
            due=due,
            who=who,
        )
        if notify_only:
            text = texts.PAS_ALERT_NOTIFY + text
        return Reply(text, action_buttons(ticket.code))

    def ack_reminder(self, ticket: Ticket) -> Reply:
        return Reply(
            texts.PAS_ACK_REMINDER.format(
                code=ticket.code,
                category=category(ticket.category).short,
                due=day_time(ticket.ack_due_at),
            ),
            action_buttons(ticket.code),
        )

    def reminder(self, ticket: Ticket) -> Reply:
        return Reply(
            texts.PAS_REMINDER.format(
                code=ticket.code,
                category=category(ticket.category).short,
                due=day_time(ticket.due_at),
            ),
            action_buttons(ticket.code),
        )

    def escalation(self, ticket: Ticket) -> Reply:
        return Reply(
            texts.PAS_ESCALATION.format(
                code=ticket.code,
                category=category(ticket.category).short,
                due=day_time(ticket.due_at),
                assignee=ticket.assignee_label or texts.PAS_NOBODY,
            ),
            action_buttons(ticket.code),
        )

    def photo(self, ticket: Ticket, path: str) -> Reply:
        return Reply(texts.PAS_PHOTO.format(code=ticket.code), photo=path)

    def undelivered(self, ticket: Ticket) -> Reply:
        return Reply(texts.PAS_UNDELIVERED.format(code=ticket.code))


MESSAGES = StaffMessages()


def alert_staff(ctx: Context, ticket: Ticket, settings: ComplaintSettings, photos: int) -> None:
    """Alert the owning unit (and the units told as well) about a new ticket."""
    targets = routing.alert_targets(ticket.category, settings, ctx.commune.staff_chats)
    for target in targets:
        ctx.address(
            target.channel,
            target.chat_id,
            MESSAGES.alert(ticket, photos, target.notify_only),
            kind=KIND_ALERT,
        )
    if ticket.confidential and not settings.confidential_viewers and targets:
        first = targets[0]
        ctx.address(
            first.channel, first.chat_id, Reply(texts.PAS_NO_CONFIDENTIAL_VIEWER), kind=KIND_ALERT
        )
    ticket.alerted_at = ctx.now
    if not targets:
        log.warning("ticket %s: no staff chat configured for its alert", ticket.code)


def forward_followup(
    ctx: Context, ticket: Ticket, text: str | None, photos: int, settings: ComplaintSettings
) -> None:
    """A resident's follow-up, to the assignee if there is one, else to the unit."""
    body = redact(text or "", ticket.contact_name, ticket.contact_phone).strip()
    if ticket.confidential:
        body = ""
    if photos:
        body = (body + "\n" if body else "") + texts.PAS_FOLLOWUP_PHOTOS.format(count=photos)
    reply = Reply(
        texts.PAS_FOLLOWUP.format(code=ticket.code, text=body or "…"),
        (
            Button(texts.BTN_PAS_REPLY, f"st:reply:{ticket.code}"),
            Button(texts.BTN_PAS_CLOSE, f"st:close:{ticket.code}"),
        ),
    )
    for channel, chat_id in routing.unit_chats(ticket.unit, settings, ctx.commune.staff_chats):
        ctx.address(channel, chat_id, reply, kind=KIND_ALERT)


# --- relaying to the resident ---------------------------------------------------------------


async def relay(ctx: Context, ticket: Ticket, reply: Reply, *, arm_followup: bool) -> str | None:
    """Queue a message for the resident on their channel. Returns a warning for staff
    when it cannot go (no chat channel, or the resident cannot be reached now)."""
    problem = await deliver(ctx.session, ticket, reply, arm_followup=arm_followup, now=ctx.now)
    if problem == NO_CHANNEL:
        return texts.PAS_NO_CHANNEL.format(code=ticket.code)
    if problem == UNREACHABLE:
        return texts.PAS_UNREACHABLE.format(code=ticket.code)
    return None


NO_CHANNEL, UNREACHABLE = "no_channel", "unreachable"


async def deliver(
    session: AsyncSession, ticket: Ticket, reply: Reply, *, arm_followup: bool, now: datetime
) -> str | None:
    """Queue a staff message for the resident (chat command or staff web alike).

    Returns NO_CHANNEL or UNREACHABLE when it cannot go now (blocked bot, Zalo OA reply
    window), so staff can use another route. The resident's conversation is prepared so
    they can answer it: typed "1" stands for its first button, and after a question their
    next message goes to the ticket, unless they are busy in another dialogue.
    """
    if not ticket.channel or not ticket.chat_id or not ticket.user_id:
        return NO_CHANNEL
    if not await can_reach(session, ticket.commune_id, ticket.channel, ticket.user_id, now):
        return UNREACHABLE
    envelope = outbox.Envelope(
        ticket.channel, ticket.chat_id, reply, user_id=ticket.user_id, kind=KIND_UPDATE
    )
    outbox.enqueue(session, ticket.commune_id, [envelope], now=now)
    row, state = await conversation.load(
        session, ticket.commune_id, ticket.channel, ticket.user_id, now
    )
    idle = state.state is None or state.in_flow("procedures") or state.state == FOLLOWUP_STATE
    if idle:
        if arm_followup:
            state.enter(FOLLOWUP_STATE, now, {"code": ticket.code}, ttl=FOLLOWUP_TTL)
        await conversation.save(session, row, state, now, offered=choices.offered([reply]))
    return None


def resident_buttons(code: str) -> tuple[Button, ...]:
    return (
        Button(texts.BTN_PA_FOLLOWUP, f"pa:fu:{code}"),
        Button(texts.BTN_PA_DONE, "pa:done"),
    )


# --- routing staff messages -----------------------------------------------------------------

COMMANDS = frozenset(
    {
        "viec",
        "quahan",
        "xem",
        "nhan",
        "traloi",
        "hoithem",
        "dong",
        "tuchoi",
        "lienhe",
        "ngaynghi",
        "ngaylam",
        "lich",
        "canbo",
    }
)


def in_staff_group(ctx: Context, msg: Incoming) -> bool:
    if not msg.is_group:
        return False
    chats = routing.all_staff_chats(settings_of(ctx.commune), ctx.commune.staff_chats)
    return (msg.user.channel, msg.user.chat_id) in chats


def _for_staff(ctx: Context, msg: Incoming) -> bool:
    """Staff commands and buttons anywhere, and a staff member's pending reply."""
    if msg.is_group and not in_staff_group(ctx, msg):
        return False
    if msg.command in COMMANDS or (msg.is_button and (msg.payload or "").startswith("st:")):
        return True
    if not ctx.commune.is_staff(msg.user.channel, msg.user.user_id):
        return False
    return ctx.conversation.in_flow("staff") or (
        msg.is_group and msg.command in ("huy", "start", "trogiup", "help")
    )


@router.route(_for_staff, "staff")
async def staff_entry(ctx: Context, msg: Incoming) -> Reply | list[Reply] | None:
    if not ctx.commune.is_staff(msg.user.channel, msg.user.user_id):
        return Reply(texts.PAS_NOT_STAFF)
    if msg.command in COMMANDS:
        return await _COMMANDS[msg.command or ""](ctx, msg)
    if msg.is_button and (msg.payload or "").startswith("st:"):
        return await _button(ctx, msg)
    if msg.command in ("huy", "start", "trogiup", "help") and msg.is_group:
        ctx.conversation.clear()
        return Reply(texts.PAS_CANCELLED if msg.command == "huy" else texts.PAS_HELP)
    if ctx.conversation.state in (REPLY_STATE, ASK_STATE) and msg.command is None:
        text = msg.text.strip()
        if text:
            code = str(ctx.conversation.data.get("code", ""))
            action = _reply if ctx.conversation.state == REPLY_STATE else _ask
            ctx.conversation.clear()
            return await action(ctx, msg, code, text)
    if msg.command is None and not msg.is_group:
        ctx.conversation.clear()  # a staff member moved on to something else
    return None


# Whatever is left of the staff group's traffic once every feature had its turn (their
# own staff commands included) is not for the bot: no resident menu in the staff group.
group_guard = Router("staff.group_guard")


@group_guard.route(in_staff_group, "staff_group_rest")
async def staff_group_rest(ctx: Context, msg: Incoming) -> list[Reply]:
    return []


async def _rules(ctx: Context) -> Rules:
    return await service.rules_for(ctx.session, ctx.commune.id, ctx.commune.settings)


async def _ticket(ctx: Context, code_text: str, msg: Incoming) -> Ticket | Reply:
    """The ticket a staff member may act on, or the reply explaining why not."""
    code = codes.normalize(code_text) or code_text.strip()[:12]
    ticket = await service.by_code(ctx.session, ctx.commune.id, code)
    if ticket is None:
        return Reply(texts.PAS_UNKNOWN_CODE.format(code=code or "?"))
    if ticket.confidential and not settings_of(ctx.commune).may_see_confidential(
        msg.user.channel, msg.user.user_id
    ):
        return Reply(texts.PAS_CONFIDENTIAL_ONLY.format(code=ticket.code))
    return ticket


def _split(msg: Incoming) -> tuple[str, str]:
    """``/traloi PA-7K3M2Q nội dung`` -> ("PA-7K3M2Q", "nội dung")."""
    argument = (msg.payload or "").strip()
    match = re.match(r"^(PA[\s\-_.]*[A-Za-z0-9]{6})\b\s*(.*)$", argument, re.S | re.I)
    if match:
        return match.group(1), match.group(2).strip()
    first, _, rest = argument.partition(" ")
    return first, rest.strip()


def _usage(command: str, argument: str) -> Reply:
    return Reply(texts.PAS_USAGE.format(command=command, argument=argument).rstrip())


async def _button(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    parts = (msg.payload or "").split(":", 2)
    action = parts[1] if len(parts) > 1 else ""
    code = parts[2] if len(parts) > 2 else ""
    if action == "take":
        return await _take(ctx, msg, code)
    if action == "close":
        return await _close(ctx, msg, code, None)
    if action in ("reply", "ask"):
        found = await _ticket(ctx, code, msg)
        if isinstance(found, Reply):
            return found
        if found.status in FINAL_STATUSES:
            return _already_closed(found)
        state, prompt = (
            (REPLY_STATE, texts.PAS_REPLY_PROMPT)
            if action == "reply"
            else (ASK_STATE, texts.PAS_ASK_PROMPT)
        )
        ctx.conversation.enter(state, ctx.now, {"code": found.code}, ttl=STAFF_TTL)
        return Reply(prompt.format(code=found.code, staff=staff_label(msg)), expect_answer=True)
    return Reply(texts.PAS_HELP)


def _already_closed(ticket: Ticket) -> Reply:
    return Reply(
        texts.PAS_ALREADY_CLOSED.format(
            code=ticket.code, status=STATUS_LABELS.get(ticket.status, ticket.status)
        )
    )


# --- actions ---------------------------------------------------------------------------------


async def _take(ctx: Context, msg: Incoming, code: str) -> Reply | list[Reply]:
    found = await _ticket(ctx, code, msg)
    if isinstance(found, Reply):
        return found
    if found.status in FINAL_STATUSES:
        return _already_closed(found)
    rules = await _rules(ctx)
    first_take = found.acknowledged_at is None
    await service.take(
        ctx.session, found, staff=staff_ref(msg), label=staff_label(msg), now=ctx.now, rules=rules
    )
    replies = [Reply(texts.PAS_TAKEN.format(staff=staff_label(msg), code=found.code))]
    if first_take:
        warning = await relay(
            ctx,
            found,
            Reply(texts.PA_RELAY_TAKEN.format(code=found.code, due=day(found.due_at))),
            arm_followup=False,
        )
        if warning:
            replies.append(Reply(warning))
    log.info("ticket %s taken", found.code)
    return replies


async def _reply(ctx: Context, msg: Incoming, code: str, text: str) -> Reply | list[Reply]:
    return await _write_to_resident(ctx, msg, code, text, ask=False)


async def _ask(ctx: Context, msg: Incoming, code: str, text: str) -> Reply | list[Reply]:
    return await _write_to_resident(ctx, msg, code, text, ask=True)


async def _write_to_resident(
    ctx: Context, msg: Incoming, code: str, text: str, *, ask: bool
) -> Reply | list[Reply]:
    """An answer (or a question, ``ask``) from staff: recorded, then relayed."""
    found = await _ticket(ctx, code, msg)
    if isinstance(found, Reply):
        return found
    if not text:
        return _usage("hoithem" if ask else "traloi", texts.PAS_ARG_TEXT)
    record = service.ask_more if ask else service.reply
    try:
        await record(
            ctx.session,
            found,
            staff=staff_ref(msg),
            label=staff_label(msg),
            text=text,
            now=ctx.now,
            rules=await _rules(ctx),
        )
    except TicketError:
        return _already_closed(found)
    template = texts.PA_RELAY_ASK if ask else texts.PA_RELAY_REPLY
    buttons = (
        (Button(texts.BTN_PA_ANSWER_STAFF, f"pa:fu:{found.code}"),)
        if ask
        else resident_buttons(found.code)
    )
    message = Reply(template.format(code=found.code, commune=ctx.commune.name, text=text), buttons)
    warning = await relay(ctx, found, message, arm_followup=ask)
    log.info("ticket %s: %s", found.code, "more information requested" if ask else "answered")
    done = (texts.PAS_ASKED if ask else texts.PAS_REPLIED).format(code=found.code)
    return [Reply(done)] + ([Reply(warning)] if warning else [])


async def _close(ctx: Context, msg: Incoming, code: str, note: str | None) -> Reply | list[Reply]:
    found = await _ticket(ctx, code, msg)
    if isinstance(found, Reply):
        return found
    if found.status in FINAL_STATUSES:
        return _already_closed(found)
    await service.close(
        ctx.session,
        found,
        staff=staff_ref(msg),
        label=staff_label(msg),
        note=note,
        now=ctx.now,
        rules=await _rules(ctx),
    )
    warning = await relay(
        ctx, found, Reply(texts.PA_RELAY_CLOSED.format(code=found.code)), arm_followup=False
    )
    log.info("ticket %s closed", found.code)
    return [Reply(texts.PAS_CLOSED.format(code=found.code))] + ([Reply(warning)] if warning else [])


async def _reject(ctx: Context, msg: Incoming, code: str, reason: str) -> Reply | list[Reply]:
    found = await _ticket(ctx, code, msg)
    if isinstance(found, Reply):
        return found
    if not reason:
        return _usage("tuchoi", texts.PAS_ARG_REASON)
    if found.status in FINAL_STATUSES:
        return _already_closed(found)
    await service.reject(
        ctx.session,
        found,
        staff=staff_ref(msg),
        label=staff_label(msg),
        reason=reason,
        now=ctx.now,
        rules=await _rules(ctx),
    )
    warning = await relay(
        ctx,
        found,
        Reply(
            texts.PA_RELAY_REJECTED.format(
                code=found.code, reason=reason, contact=menu.contact_lines(ctx)
            )
        ),
        arm_followup=False,
    )
    log.info("ticket %s rejected", found.code)
    return [Reply(texts.PAS_REJECTED.format(code=found.code))] + (
        [Reply(warning)] if warning else []
    )


# --- commands --------------------------------------------------------------------------------


async def cmd_take(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    code, _ = _split(msg)
    return await _take(ctx, msg, code) if code else _usage("nhan", texts.PAS_ARG_NONE)


async def cmd_reply(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    code, text = _split(msg)
    if not code:
        return _usage("traloi", texts.PAS_ARG_TEXT)
    return await _reply(ctx, msg, code, text)


async def cmd_ask(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    code, text = _split(msg)
    if not code:
        return _usage("hoithem", texts.PAS_ARG_TEXT)
    return await _ask(ctx, msg, code, text)


async def cmd_close(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    code, note = _split(msg)
    if not code:
        return _usage("dong", texts.PAS_ARG_NONE)
    return await _close(ctx, msg, code, note or None)


async def cmd_reject(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    code, reason = _split(msg)
    if not code:
        return _usage("tuchoi", texts.PAS_ARG_REASON)
    return await _reject(ctx, msg, code, reason)


def _queue_line(ticket: Ticket, now: datetime, me: str | None = None) -> str:
    marks = []
    if ticket.assignee is None:
        marks.append(texts.PAS_MARK_UNTAKEN)
    elif me is not None and ticket.assignee == me:
        marks.append(texts.PAS_MARK_MINE)
    if ticket.first_response_at is None and ticket.waiting_since is None and ticket.due_at < now:
        marks.append(texts.PAS_MARK_OVERDUE)
    return texts.PAS_QUEUE_LINE.format(
        code=ticket.code,
        category=category(ticket.category).short,
        status=STATUS_LABELS.get(ticket.status, ticket.status),
        due=day(ticket.due_at),
        mark="".join(marks),
    )


async def cmd_queue(ctx: Context, msg: Incoming) -> Reply:
    tickets = await service.queue(ctx.session, ctx.commune.id, assignee=staff_ref(msg), limit=30)
    if not tickets:
        return Reply(texts.PAS_QUEUE_EMPTY)
    lines = [texts.PAS_QUEUE_TITLE.format(count=len(tickets))]
    lines += [_queue_line(t, ctx.now, staff_ref(msg)) for t in tickets]
    return Reply("\n".join(lines))


async def cmd_overdue(ctx: Context, msg: Incoming) -> Reply:
    tickets = await service.overdue(ctx.session, ctx.commune.id, ctx.now)
    if not tickets:
        return Reply(texts.PAS_OVERDUE_EMPTY)
    lines = [texts.PAS_OVERDUE_TITLE.format(count=len(tickets))]
    lines += [_queue_line(t, ctx.now) for t in tickets]
    return Reply("\n".join(lines))


async def cmd_detail(ctx: Context, msg: Incoming) -> Reply:
    code, _ = _split(msg)
    if not code:
        return _usage("xem", texts.PAS_ARG_NONE)
    found = await _ticket(ctx, code, msg)
    if isinstance(found, Reply):
        return found
    if found.confidential and msg.is_group:
        return Reply(texts.PAS_PRIVATE_ONLY)
    # Phone numbers and the name stay out even for the designated officer: identities
    # are shown only by /lienhe, whose message is scrubbed from the outbox once sent.
    text = redact(found.text, found.contact_name, found.contact_phone)
    ref = reference(found, ctx.knowledge.catalogue)
    lines = [
        texts.PAS_DETAIL.format(
            code=found.code,
            category=category(found.category).short,
            status=STATUS_LABELS.get(found.status, found.status),
            created=day_time(found.created_at),
            due=day_time(found.due_at),
            assignee=found.assignee_label or texts.PAS_NOBODY,
            reference=texts.PAS_ALERT_REFERENCE.format(reference=ref) if ref else "",
            text=text,
        )
    ]
    for event in (await service.history(ctx.session, found.id))[-10:]:
        what = EVENT_LABELS.get(event.kind, event.kind)
        if event.actor_label:
            what += f" ({event.actor_label})"
        if event.text and event.kind in ("replied", "info_requested", "closed", "rejected"):
            what += f": {event.text[:200]}"
        elif event.text and event.kind == "resident_message":
            what += ": " + redact(event.text, found.contact_name, found.contact_phone)[:200]
        lines.append(texts.PAS_HISTORY_LINE.format(at=day_time(event.at), what=what))
    return Reply("\n".join(lines), action_buttons(found.code))


async def cmd_contact(ctx: Context, msg: Incoming) -> Reply | list[Reply]:
    """Contact details, in a private chat only, recorded as viewed."""
    if msg.is_group:
        return Reply(texts.PAS_PRIVATE_ONLY)
    code, _ = _split(msg)
    if not code:
        return _usage("lienhe", texts.PAS_ARG_NONE)
    found = await _ticket(ctx, code, msg)
    if isinstance(found, Reply):
        return found
    if not found.has_contact:
        return Reply(texts.PAS_NO_CONTACT.format(code=found.code))
    await service.note(
        ctx.session,
        found,
        "contact_viewed",
        service.staff_actor(*staff_ref(msg).split(":", 1)),
        now=ctx.now,
    )
    ctx.address(
        msg.user.channel,
        msg.user.chat_id,
        Reply(
            texts.PAS_CONTACT.format(
                code=found.code,
                name=found.contact_name or "",
                phone=found.contact_phone or "",
                version=found.consent_version or "",
            )
        ),
        user_id=msg.user.user_id,
        kind=KIND_CONTACT,
    )
    log.info("ticket %s: contact shown to a staff member", found.code)
    return []


WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$|^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_day(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        if match.group(1):
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date(int(match.group(4)), int(match.group(5)), int(match.group(6)))
    except ValueError:
        return None


async def _set_day(ctx: Context, msg: Incoming, kind: str) -> Reply:
    first, _, note = (msg.payload or "").strip().partition(" ")
    when = parse_day(first)
    if when is None:
        return Reply(texts.PAS_DAY_USAGE)
    await service.set_calendar_day(
        ctx.session,
        ctx.commune.id,
        when,
        kind,
        note=note.strip() or None,
        created_by=staff_ref(msg),
        now=ctx.now,
    )
    return Reply(
        texts.PAS_DAY_SET.format(
            day=when.strftime("%d/%m/%Y"),
            kind=texts.PAS_DAY_OFF if kind == "off" else texts.PAS_DAY_WORK,
            note=f" ({note.strip()})" if note.strip() else "",
        )
    )


async def cmd_day_off(ctx: Context, msg: Incoming) -> Reply:
    return await _set_day(ctx, msg, "off")


async def cmd_work_day(ctx: Context, msg: Incoming) -> Reply:
    return await _set_day(ctx, msg, "work")


async def cmd_calendar(ctx: Context, msg: Incoming) -> Reply:
    argument = (msg.payload or "").strip()
    year = int(argument) if argument.isdecimal() and 2000 <= int(argument) <= 2100 else None
    year = year or ctx.now.astimezone(TZ).year
    rules = await _rules(ctx)
    entries: dict[date, str] = {}
    current = date(year, 1, 1)
    while current.year == year:
        name = rules.calendar.holiday_name(current)
        if name:
            entries[current] = name
        current += timedelta(days=1)
    for row in await service.calendar_days(ctx.session, ctx.commune.id, year):
        label = texts.PAS_DAY_OFF if row.kind == "off" else texts.PAS_DAY_WORK
        entries[row.day] = label + (f" ({row.note})" if row.note else "")
    lines = [texts.PAS_DAYS_TITLE.format(year=year)]
    lines += [
        texts.PAS_DAYS_LINE.format(day=f"{d:%d/%m} ({WEEKDAYS[d.weekday()]})", what=what)
        for d, what in sorted(entries.items())
    ]
    return Reply("\n".join(lines))


async def cmd_help(ctx: Context, msg: Incoming) -> Reply:
    return Reply(texts.PAS_HELP)


_COMMANDS: dict[str, Callable[[Context, Incoming], Awaitable[Reply | list[Reply]]]] = {
    "viec": cmd_queue,
    "quahan": cmd_overdue,
    "xem": cmd_detail,
    "nhan": cmd_take,
    "traloi": cmd_reply,
    "hoithem": cmd_ask,
    "dong": cmd_close,
    "tuchoi": cmd_reject,
    "lienhe": cmd_contact,
    "ngaynghi": cmd_day_off,
    "ngaylam": cmd_work_day,
    "lich": cmd_calendar,
    "canbo": cmd_help,
}


# --- surveys: record a visit (owned by the surveys feature, handlers/surveys.py) --------------


@router.route(lambda _ctx, msg: msg.command == "ghinhan", "survey_record_visit")
async def survey_record_visit(ctx: Context, msg: Incoming) -> Reply:
    from handlers import surveys

    return await surveys.staff_record_visit(ctx, msg)
