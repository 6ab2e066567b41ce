"""``motcua telegram``: register the webhook and the command menu, inspect the bot, make
deep links and their QR codes.

The webhook secret is the one the server checks (``MOTCUA_TELEGRAM_SECRET``, else derived
from the deployment's secret key), so registering needs no copy-pasting of secrets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.app import ensure_secret_key
from bot.channels.telegram import links
from bot.channels.telegram.bots import MotcuaBot, close_bot, make_bot
from bot.channels.telegram.commands import register_commands
from bot.channels.telegram.ingress import ALLOWED_UPDATES
from bot.channels.telegram.webhook import webhook_secret, webhook_url
from bot.cli import CommandError
from bot.config import CommuneSettings, Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("telegram", help="Telegram bot: webhook, commands, info, deep links")
    tg = p.add_subparsers(dest="telegram_command", required=True, metavar="ACTION")

    s = tg.add_parser("set-webhook", help="register this server's webhook with Telegram")
    s.add_argument("url", nargs="?", help="public base URL (default MOTCUA_PUBLIC_URL)")
    s.add_argument("--drop-pending-updates", action="store_true")
    s.add_argument("--max-connections", type=int, default=40)
    _commune_option(s)
    s.set_defaults(func=_run(set_webhook))

    d = tg.add_parser("delete-webhook", help="stop webhook delivery (e.g. to poll locally)")
    d.add_argument("--drop-pending-updates", action="store_true")
    _commune_option(d)
    d.set_defaults(func=_run(delete_webhook))

    i = tg.add_parser("info", help="show getMe and getWebhookInfo (pending count, last error)")
    i.add_argument("--json", action="store_true", help="print JSON")
    _commune_option(i)
    i.set_defaults(func=_run(info))

    c = tg.add_parser("set-commands", help="set the Vietnamese command menu (setMyCommands)")
    _commune_option(c)
    c.set_defaults(func=_run(set_commands))

    k = tg.add_parser("link", help="print a t.me deep link, optionally write its QR code")
    k.add_argument("payload", nargs="?", help="1-64 characters of A-Z a-z 0-9 _ -")
    k.add_argument("--qr", type=Path, help="write a QR code here (.svg or .png)")
    _commune_option(k)
    k.set_defaults(func=_run(link))


def _commune_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--commune", help="commune slug (default MOTCUA_COMMUNE_SLUG)")


def _run(action: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        settings = Settings()
        commune = _commune(settings, args.commune)
        assert commune.telegram.token is not None
        bot = make_bot(commune.telegram.token.get_secret_value(), commune.telegram.api_url)

        async def go() -> int:
            try:
                result: int = await action(args, settings, commune, bot)
                return result
            finally:
                await close_bot(bot)

        return asyncio.run(go())

    return run


def _commune(settings: Settings, slug: str | None) -> CommuneSettings:
    slug = slug or settings.commune_slug
    for commune in settings.communes():
        if commune.slug == slug:
            if commune.telegram.token is None:
                raise CommandError(
                    f"commune {slug!r} has no Telegram token (MOTCUA_TELEGRAM_TOKEN)"
                )
            return commune
    raise CommandError(f"unknown commune {slug!r}")


async def set_webhook(
    args: argparse.Namespace, settings: Settings, commune: CommuneSettings, bot: MotcuaBot
) -> int:
    base = args.url or settings.public_url
    if not base:
        raise CommandError("give the public URL, or set MOTCUA_PUBLIC_URL")
    url = webhook_url(base, commune.slug)
    if urlparse(url).scheme != "https":
        print("warning: Telegram only delivers to https:// webhooks (ports 443, 80, 88, 8443)")
    if commune.telegram.secret is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        ensure_secret_key(settings)  # the same key the server derives the secret from
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    secret = webhook_secret(commune, key)
    await bot.set_webhook(
        url,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
        max_connections=args.max_connections,
        drop_pending_updates=args.drop_pending_updates,
    )
    await register_commands(bot)
    print(f"webhook set: {url}")
    print("secret token: set (checked on every delivery)")
    print("commands: set (/start, /thutuc, /phananh, /danhgia, /tracuu, /huy, /trogiup)")
    return 0


async def delete_webhook(
    args: argparse.Namespace, settings: Settings, commune: CommuneSettings, bot: MotcuaBot
) -> int:
    await bot.delete_webhook(drop_pending_updates=args.drop_pending_updates)
    print("webhook deleted")
    return 0


async def set_commands(
    args: argparse.Namespace, settings: Settings, commune: CommuneSettings, bot: MotcuaBot
) -> int:
    await register_commands(bot)
    print("commands set")
    return 0


async def info(
    args: argparse.Namespace, settings: Settings, commune: CommuneSettings, bot: MotcuaBot
) -> int:
    me = await bot.get_me()
    hook = await bot.get_webhook_info()
    data: dict[str, Any] = {
        "commune": commune.slug,
        "bot": {"id": me.id, "username": me.username},
        "webhook_url": hook.url or None,
        "pending_update_count": hook.pending_update_count,
        "last_error_date": _when(hook.last_error_date),
        "last_error_message": hook.last_error_message,
        "max_connections": hook.max_connections,
        "allowed_updates": list(hook.allowed_updates or ()),
    }
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"bot: @{me.username} (id {me.id}) for commune {commune.slug}")
    print(f"webhook: {hook.url or '(none: polling or not set)'}")
    print(f"pending updates: {hook.pending_update_count}")
    if hook.last_error_date:
        print(f"last error: {data['last_error_date']}  {hook.last_error_message}")
    else:
        print("last error: none")
    if hook.max_connections:
        print(f"max connections: {hook.max_connections}")
    if hook.allowed_updates:
        print(f"allowed updates: {', '.join(hook.allowed_updates)}")
    return 0


async def link(
    args: argparse.Namespace, settings: Settings, commune: CommuneSettings, bot: MotcuaBot
) -> int:
    username = commune.telegram.bot_username or (await bot.get_me()).username
    if not username:
        raise CommandError("the bot has no username (set one with @BotFather)")
    try:
        url = links.deep_link(username, args.payload)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(url)
    if args.qr is not None:
        if args.qr.suffix.lower() == ".png":
            args.qr.write_bytes(links.qr_png(url))
        else:
            args.qr.write_text(links.qr_svg(url, title=url), encoding="utf-8")
        print(f"QR code written to {args.qr}")
    return 0


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
