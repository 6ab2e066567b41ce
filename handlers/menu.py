"""Welcome, main menu, help, cancel and the one-stop shop's contact details.

``/huy`` (cancel) is routed before anything else so a resident can always escape a flow.
"""

from __future__ import annotations

from bot.context import Context
from bot.router import Router, any_of, button, command
from bot.types import Button, Incoming, Reply
from handlers import texts

router = Router("menu")
escapes = Router("escapes")

MENU = "m"
ASK, BROWSE, INFO, FEEDBACK, RATE = "m:ask", "m:browse", "m:info", "m:fb", "m:rate"
PRIVACY = "m:privacy"  # answered by handlers.privacy
CANCEL_WORDS = {"huy", "hủy", "huỷ", "thoat", "thoát", "dung lai", "dừng lại", "cancel"}


def menu_buttons() -> tuple[Button, ...]:
    return (
        Button(texts.BTN_ASK, ASK),
        Button(texts.BTN_BROWSE, BROWSE),
        Button(texts.BTN_INFO, INFO),
        Button(texts.BTN_FEEDBACK, FEEDBACK),
        Button(texts.BTN_RATE, RATE),
    )


def welcome(ctx: Context) -> Reply:
    return Reply(texts.WELCOME.format(commune=ctx.commune.name), menu_buttons())


def menu(text: str = texts.MENU_PROMPT) -> Reply:
    return Reply(text, menu_buttons())


def contact_lines(ctx: Context) -> str:
    c = ctx.commune
    lines = [
        texts.INFO_ADDRESS.format(address=c.address)
        if c.address
        else texts.INFO_NO_ADDRESS.format(commune=c.name),
        texts.INFO_HOURS.format(hours=c.hours),
        texts.INFO_PHONE.format(phone=c.phone) if c.phone else texts.INFO_NO_PHONE,
    ]
    if c.email:
        lines.append(texts.INFO_EMAIL.format(email=c.email))
    return "\n".join(lines)


def _is_cancel(ctx: Context, msg: Incoming) -> bool:
    if msg.command == "huy" or msg.payload == "x":
        return True
    return (
        not msg.is_button
        and msg.command is None
        and msg.text.strip().lower().strip("!.") in CANCEL_WORDS
    )


@escapes.route(_is_cancel, "cancel")
async def cancel(ctx: Context, msg: Incoming) -> Reply:
    was_busy = ctx.conversation.state is not None
    ctx.conversation.clear()
    return menu(texts.CANCELLED if was_busy else texts.NOTHING_TO_CANCEL)


@escapes.route(command("trogiup", "help"), "help")
async def help_(ctx: Context, msg: Incoming) -> Reply:
    return menu(texts.HELP)


@router.route(any_of(command("start", "menu"), button(MENU)), "welcome")
async def start(ctx: Context, msg: Incoming) -> Reply | None:
    if msg.command == "start" and msg.payload:
        return None  # a deep link: the feature that owns the payload answers
    ctx.conversation.clear()
    return welcome(ctx)


@router.route(button(ASK), "ask")
async def ask(ctx: Context, msg: Incoming) -> Reply:
    return Reply(texts.ASK_PROMPT, (Button(texts.BTN_BROWSE, BROWSE), Button(texts.BTN_MENU, MENU)))


@router.route(button(INFO), "info")
async def info(ctx: Context, msg: Incoming) -> Reply:
    c = ctx.commune
    text = "\n".join(
        [texts.INFO_TITLE.format(commune=c.name), contact_lines(ctx), texts.INFO_ANYWHERE]
    )
    buttons = [Button(texts.BTN_MAP, url=c.map_url)] if c.map_url else []
    # The privacy notice sits with the commune's contact details: the main menu keeps
    # five buttons, the most a Zalo OA message shows as buttons.
    buttons.append(Button(texts.BTN_PRIVACY, PRIVACY))
    buttons.append(Button(texts.BTN_MENU, MENU))
    return Reply(text, tuple(buttons))


fallbacks = Router("fallback")


@fallbacks.route(lambda _ctx, _msg: True, "fallback")
async def fallback(ctx: Context, msg: Incoming) -> Reply:
    """Anything no feature claimed: a photo out of context, a stale button, an empty text."""
    if msg.attachments or msg.location or msg.contact:
        return menu(texts.UNSUPPORTED_MEDIA)
    return menu()
