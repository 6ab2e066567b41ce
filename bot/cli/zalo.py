"""``motcua zalo``: connect the Official Account (OAuth v4 + PKCE), check and refresh its
tokens, and register the Zalo Bot webhook.

``authorize`` prints Zalo's permission link (with a PKCE code challenge), reads back
the code Zalo gives the admin (pasted at the prompt, or later with ``--code``),
exchanges it for tokens and stores them. The code verifier waits between the two steps
in the data directory (mode 0600) and is deleted once used. Tokens are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bot.channels.zalo_bot.api import ZaloBotApi
from bot.channels.zalo_bot.webhook import PATH as BOT_WEBHOOK_PATH
from bot.channels.zalo_oa.oauth import (
    OAuthClient,
    OAuthError,
    code_from,
    new_verifier,
    permission_url,
)
from bot.channels.zalo_oa.plugin import journal_dir
from bot.channels.zalo_oa.tokens import NotAuthorized, RefreshFailed, TokenStore
from bot.cli import CommandError
from bot.cli.common import commune_profile, open_database
from bot.config import TIMEZONE, CommuneSettings, Settings
from bot.db.base import utcnow
from bot.delivery import DeliveryError

ask: Callable[[str], str] = input  # replaced in tests


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("zalo", help="Zalo OA authorization and tokens, Zalo Bot webhook")
    zs = p.add_subparsers(dest="zalo_command", required=True, metavar="ACTION")

    a = zs.add_parser("authorize", help="connect the Zalo Official Account (OAuth v4 + PKCE)")
    a.add_argument(
        "--redirect-uri",
        help="the app's 'Official Account Callback Url' "
        "(default: MOTCUA_PUBLIC_URL + /zalo-oa/authorized)",
    )
    a.add_argument(
        "--code", help="the code Zalo returned, or the whole address it sent the browser to"
    )
    _commune_option(a)
    a.set_defaults(func=run_authorize)

    t = zs.add_parser("token", help="show the state of the OA tokens (never the tokens)")
    _commune_option(t)
    t.set_defaults(func=run_token)

    r = zs.add_parser("refresh", help="refresh the OA access token now")
    _commune_option(r)
    r.set_defaults(func=run_refresh)

    w = zs.add_parser("bot-webhook", help="register the Zalo Bot webhook (setWebhook)")
    w.add_argument("url", nargs="?", help="public base URL (default MOTCUA_PUBLIC_URL)")
    _commune_option(w)
    w.set_defaults(func=run_bot_webhook)


def _commune_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--commune", help="commune slug (default MOTCUA_COMMUNE_SLUG)")


def _commune(settings: Settings, slug: str | None) -> CommuneSettings:
    wanted = slug or settings.commune_slug
    for commune in settings.communes():
        if commune.slug == wanted:
            return commune
    raise CommandError(f"unknown commune {wanted!r}")


def _oa(settings: Settings, slug: str | None) -> tuple[CommuneSettings, str, str]:
    commune = _commune(settings, slug)
    oa = commune.zalo_oa
    if not oa.app_id or oa.app_secret is None:
        raise CommandError(
            f"Zalo OA of {commune.slug!r} needs an app id and app secret "
            "(MOTCUA_ZALO_OA_APP_ID, MOTCUA_ZALO_OA_APP_SECRET)"
        )
    return commune, oa.app_id, oa.app_secret.get_secret_value()


def _local(when: datetime | None) -> str:
    if when is None:
        return "không rõ"
    return when.astimezone(ZoneInfo(TIMEZONE)).strftime("%Y-%m-%d %H:%M (%Z)")


# --- authorize -------------------------------------------------------------------------


def _pending_path(settings: Settings, slug: str) -> Path:
    return journal_dir(settings) / f"{slug}.pkce.json"


def _write_private(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def run_authorize(args: argparse.Namespace) -> int:
    settings = Settings()
    commune, app_id, _secret = _oa(settings, args.commune)
    pending = _pending_path(settings, commune.slug)
    code_text: str = args.code or ""
    if not code_text:
        redirect_uri = args.redirect_uri or (
            f"{settings.public_url.rstrip('/')}/zalo-oa/authorized" if settings.public_url else None
        )
        if not redirect_uri:
            raise CommandError(
                "give --redirect-uri: the 'Official Account Callback Url' set in the Zalo app"
            )
        verifier, state = new_verifier(), secrets.token_urlsafe(12)
        _write_private(
            pending, {"verifier": verifier, "state": state, "redirect_uri": redirect_uri}
        )
        url = permission_url(commune.zalo_oa.oauth_url, app_id, redirect_uri, verifier, state)
        print("1. Open this link in a browser logged in as an admin of the Official Account,")
        print("   and allow the app:")
        print(f"   {url}")
        print(f"2. Zalo then opens {redirect_uri}?code=...: copy the code (or the whole address).")
        sys.stdout.flush()
        try:
            code_text = ask("Code or address: ")
        except EOFError:
            print("\nThen run: motcua zalo authorize --code <code or address>")
            return 0
    if not pending.exists():
        raise CommandError("no authorization in progress: run `motcua zalo authorize` first")
    saved = json.loads(pending.read_text(encoding="utf-8"))
    code, returned_state = code_from(code_text)
    if not code:
        raise CommandError("no code given")
    if returned_state is not None and returned_state != saved["state"]:
        raise CommandError(
            "this code belongs to another authorization (state differs); start again"
        )
    valid_until = asyncio.run(_exchange(settings, commune.slug, code, saved["verifier"]))
    pending.unlink(missing_ok=True)
    print(f"motcua: Zalo OA of {commune.slug} connected; access token valid until {valid_until}")
    return 0


async def _exchange(settings: Settings, slug: str, code: str, verifier: str) -> str:
    commune, app_id, app_secret = _oa(settings, slug)
    async with open_database(settings) as db, aiohttp.ClientSession() as session:
        profile = await commune_profile(db, slug)
        oauth = OAuthClient(session, commune.zalo_oa.oauth_url, app_id, app_secret)
        try:
            pair = await oauth.exchange_code(code, verifier, utcnow())
        except OAuthError as exc:
            raise CommandError(f"Zalo refused the code: {exc}") from None
        store = TokenStore(db, profile.id, slug, oauth, journal_dir(settings))
        await store.store_pair(pair)
        return _local(pair.access_expires_at)


# --- token status and refresh ---------------------------------------------------------


async def _with_store(
    settings: Settings, slug: str | None, action: Callable[[TokenStore], Any]
) -> Any:
    commune, app_id, app_secret = _oa(settings, slug)
    async with open_database(settings) as db, aiohttp.ClientSession() as session:
        profile = await commune_profile(db, commune.slug)
        oauth = OAuthClient(session, commune.zalo_oa.oauth_url, app_id, app_secret)
        store = TokenStore(db, profile.id, commune.slug, oauth, journal_dir(settings))
        await store.recover()
        return await action(store)


def run_token(args: argparse.Namespace) -> int:
    settings = Settings()
    status = asyncio.run(_with_store(settings, args.commune, lambda store: store.status()))
    if status is None:
        print("Zalo OA: not connected. Run `motcua zalo authorize`.")
        return 1
    has = "yes" if status.has_access_token else "none yet"
    print(f"access token:  {has}, valid until {_local(status.access_expires_at)}")
    print(f"refresh token: valid until {_local(status.refresh_expires_at)}")
    print(f"obtained:      {_local(status.obtained_at)}")
    if status.refreshing:
        print("a refresh is in progress")
    if status.failures:
        print(f"failed refreshes in a row: {status.failures}")
        print(f"last error:    {status.last_error} ({_local(status.last_error_at)})")
    return 0


def run_refresh(args: argparse.Namespace) -> int:
    settings = Settings()

    async def refresh(store: TokenStore) -> str:
        try:
            await store.refresh(force=True)
        except NotAuthorized:
            raise CommandError("Zalo OA not connected: run `motcua zalo authorize`") from None
        except RefreshFailed as exc:
            raise CommandError(f"refresh failed: {exc}") from None
        status = await store.status()
        return _local(status.access_expires_at if status else None)

    valid_until = asyncio.run(_with_store(settings, args.commune, refresh))
    print(f"motcua: access token refreshed, valid until {valid_until}")
    return 0


# --- Zalo Bot webhook -----------------------------------------------------------------------


def run_bot_webhook(args: argparse.Namespace) -> int:
    settings = Settings()
    commune = _commune(settings, args.commune)
    config = commune.zalo_bot
    if config.token is None or config.secret is None:
        raise CommandError(
            "the Zalo Bot needs a token and a webhook secret "
            "(MOTCUA_ZALO_BOT_TOKEN, MOTCUA_ZALO_BOT_SECRET, 8-256 characters)"
        )
    base = args.url or settings.public_url
    if not base:
        raise CommandError("give the public base URL or set MOTCUA_PUBLIC_URL")
    url = f"{base.rstrip('/')}{BOT_WEBHOOK_PATH.format(commune=commune.slug)}"
    token, secret = config.token.get_secret_value(), config.secret.get_secret_value()

    async def go() -> None:
        async with aiohttp.ClientSession() as session:
            api = ZaloBotApi(session, config.api_url, token)
            try:
                await api.call("setWebhook", {"url": url, "secret_token": secret})
            except DeliveryError as exc:
                raise CommandError(f"setWebhook failed: {exc}") from None

    asyncio.run(go())
    print(f"motcua: Zalo Bot webhook set to {url}")
    return 0
