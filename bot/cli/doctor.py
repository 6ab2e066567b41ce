"""``motcua doctor``: check a deployment before (or while) it runs, and say what to fix.

An operator who set up a commune's bot meets its problems one at a time otherwise: a
typo in a variable, a database nobody upgraded, a token pasted with a space, a webhook
still pointing at last year's server. Each check here prints OK, WARN or FAIL with one
plain line on what to do; any FAIL makes the exit code 1. Nothing is changed: no
migration, no token refresh, no webhook registration.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import aiohttp
from pydantic import ValidationError
from sqlalchemy import select, text
from telegram import WebhookInfo
from telegram.error import InvalidToken, TelegramError

from bot.channels.telegram.bots import close_bot, make_bot
from bot.channels.telegram.webhook import webhook_url
from bot.channels.zalo_bot.api import ZaloBotApi, ZaloBotError
from bot.channels.zalo_oa.oauth import OAuthClient
from bot.channels.zalo_oa.plugin import journal_dir
from bot.channels.zalo_oa.tokens import TokenStore
from bot.config import CommuneSettings, Settings
from bot.db.engine import Database
from bot.db.migrate import current_revision, head
from bot.db.models import Commune
from bot.delivery import DeliveryError

OK, WARN, FAIL = "OK", "WARN", "FAIL"
TIMEOUT = 10.0  # seconds for each network check
PENDING_WARN = 100  # updates Telegram holds for us before we call it a backlog
RECENT_ERROR = timedelta(hours=24)
REFRESH_WARN = timedelta(days=14)


@dataclass(frozen=True)
class Check:
    status: str
    name: str
    detail: str
    fix: str | None = None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "doctor", help="check configuration, database, channel credentials and webhooks"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    checks = asyncio.run(diagnose())
    print(render(checks))
    return 1 if any(c.status == FAIL for c in checks) else 0


def render(checks: list[Check]) -> str:
    lines = []
    for c in checks:
        lines.append(f"{c.status:<5} {c.name}: {c.detail}")
        if c.fix:
            lines.append(f"      fix: {c.fix}")
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    lines.append(f"{failed} failed, {warned} warnings, {len(checks) - failed - warned} ok")
    return "\n".join(lines)


async def diagnose(settings: Settings | None = None) -> list[Check]:
    """Every check, in the order an operator would fix them."""
    checks: list[Check] = []
    if settings is None:
        try:
            settings = Settings()
        except ValidationError as exc:
            return [_invalid_setting(error) for error in exc.errors()]
    try:
        communes = settings.communes()
    except (ValueError, ValidationError) as exc:
        return [Check(FAIL, "configuration", str(exc).splitlines()[0], _CONFIG_FIX)]
    names = ", ".join(c.slug for c in communes)
    checks.append(Check(OK, "configuration", f"settings parse; communes: {names}"))
    checks.append(_data_dir(settings.data_dir))
    checks.append(_public_url(settings, communes))
    checks += await _database(settings, communes)
    async with aiohttp.ClientSession() as session:
        for commune in communes:
            checks += await _telegram(settings, commune)
            checks += await _zalo_bot(session, commune)
    return checks


_CONFIG_FIX = "correct the file named by MOTCUA_CONFIG (see motcua.env.example and README)"


def _invalid_setting(error: object) -> Check:
    assert isinstance(error, dict)
    where = "_".join(str(part) for part in error.get("loc", ()))
    name = f"MOTCUA_{where.upper()}" if where else "settings"
    return Check(FAIL, "configuration", f"{name}: {error.get('msg')}", f"correct {name}")


def _data_dir(path: Path) -> Check:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check(
            FAIL,
            "data directory",
            f"{path} is not writable ({exc.strerror})",
            f"create {path} and give it to the user motcua runs as, or set MOTCUA_DATA_DIR",
        )
    return Check(OK, "data directory", f"{path.resolve()} is writable")


def _uses_webhooks(settings: Settings, communes: list[CommuneSettings]) -> bool:
    return any(
        (c.telegram.token is not None and not settings.telegram_polling)
        or (c.zalo_bot.token is not None and not c.zalo_bot.polling)
        or c.zalo_oa.app_id is not None
        for c in communes
    )


def _public_url(settings: Settings, communes: list[CommuneSettings]) -> Check:
    url = settings.public_url
    webhooks = _uses_webhooks(settings, communes)
    if not url:
        if webhooks:
            return Check(
                FAIL,
                "public URL",
                "not set, but Telegram or Zalo deliver to webhooks at this address",
                "set MOTCUA_PUBLIC_URL to the server's https:// address (or use polling)",
            )
        return Check(OK, "public URL", "not set (no webhooks configured)")
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc:
        status = FAIL if webhooks else WARN
        return Check(
            status,
            "public URL",
            f"{url} is not an https:// address; Telegram and Zalo deliver only over https",
            "put the server behind TLS and set MOTCUA_PUBLIC_URL=https://...",
        )
    return Check(OK, "public URL", url)


async def _database(settings: Settings, communes: list[CommuneSettings]) -> list[Check]:
    url = settings.resolved_database_url
    db_file = settings.data_dir / "motcua.db"
    if settings.database_url is None and not db_file.exists():
        return [
            Check(
                WARN,
                "database",
                f"no SQLite database at {db_file} yet",
                "run `motcua db upgrade` (or start `motcua serve`, which creates it)",
            )
        ]
    db = Database(url)
    try:
        try:
            revision = await asyncio.wait_for(current_revision(db), TIMEOUT)
        except Exception as exc:  # any driver error means "cannot reach"
            return [
                Check(
                    FAIL,
                    "database",
                    f"cannot connect: {type(exc).__name__}: {str(exc)[:200]}",
                    "check MOTCUA_DATABASE_URL and that the database server is running",
                )
            ]
        checks = [Check(OK, "database", f"reachable ({db.url.get_backend_name()})")]
        encoding = await _encoding(db)
        if encoding not in (None, "UTF8"):
            # Migrations and every Vietnamese text would fail in such a database.
            checks.append(
                Check(
                    FAIL,
                    "encoding",
                    f"the database stores text as {encoding}, which cannot hold Vietnamese",
                    "create the database as UTF-8: `createdb -E UTF8 -T template0 NAME`, "
                    "then `motcua db upgrade` (or `motcua restore` a backup into it)",
                )
            )
            return checks
        latest = head()
        if revision == latest:
            checks.append(Check(OK, "schema", f"at the latest revision {latest}"))
        elif revision is None:
            checks.append(
                Check(WARN, "schema", "empty database", "run `motcua db upgrade` to create it")
            )
            return checks
        elif _is_older(revision):
            checks.append(
                Check(
                    WARN,
                    "schema",
                    f"at revision {revision}, behind this motcua's {latest}",
                    "run `motcua db upgrade` (back it up first: `motcua backup FILE`)",
                )
            )
            return checks
        else:
            checks.append(
                Check(
                    FAIL,
                    "schema",
                    f"at revision {revision}, unknown to this motcua (newer?)",
                    "run the motcua version that migrated this database",
                )
            )
            return checks
        checks += await _zalo_oa_tokens(settings, db, communes)
        return checks
    finally:
        await db.dispose()


async def _encoding(db: Database) -> str | None:
    """PostgreSQL's server encoding (None on SQLite, always UTF-8)."""
    if db.is_sqlite:
        return None
    async with db.read() as session:
        return str((await session.execute(text("SHOW server_encoding"))).scalar_one())


def _is_older(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    from bot.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    return any(r.revision == revision for r in script.walk_revisions("base", "heads"))


async def _zalo_oa_tokens(
    settings: Settings, db: Database, communes: list[CommuneSettings]
) -> list[Check]:
    checks = []
    now = datetime.now(UTC)
    for commune in communes:
        oa = commune.zalo_oa
        if not oa.app_id:
            continue
        name = f"zalo oa [{commune.slug}]"
        if oa.app_secret is None or oa.secret_key is None:
            checks.append(
                Check(
                    FAIL,
                    name,
                    "app id set without the app secret or the OA secret key",
                    "set MOTCUA_ZALO_OA_APP_SECRET and MOTCUA_ZALO_OA_SECRET_KEY",
                )
            )
            continue
        async with db.read() as session:
            commune_id = (
                await session.execute(select(Commune.id).where(Commune.slug == commune.slug))
            ).scalar_one_or_none()
        if commune_id is None:
            checks.append(
                Check(WARN, name, "commune not in the database yet", "start `motcua serve` once")
            )
            continue
        async with aiohttp.ClientSession() as http:
            oauth = OAuthClient(http, oa.oauth_url, oa.app_id, oa.app_secret.get_secret_value())
            store = TokenStore(db, commune_id, commune.slug, oauth, journal_dir(settings))
            status = await store.status()
        if status is None:
            fix = "run `motcua zalo authorize`"
            if oa.refresh_token is not None:
                fix = "start `motcua serve` (it uses MOTCUA_ZALO_OA_REFRESH_TOKEN) or " + fix
            checks.append(Check(FAIL, name, "not connected: no tokens stored", fix))
        elif status.refresh_expires_at is not None and status.refresh_expires_at <= now:
            checks.append(
                Check(FAIL, name, "the refresh token has expired", "run `motcua zalo authorize`")
            )
        elif status.failures:
            checks.append(
                Check(
                    WARN,
                    name,
                    f"{status.failures} failed refreshes in a row: {status.last_error}",
                    "check the app secret; `motcua zalo refresh` retries, "
                    "`motcua zalo authorize` starts over",
                )
            )
        elif (
            status.refresh_expires_at is not None and status.refresh_expires_at - now < REFRESH_WARN
        ):
            checks.append(
                Check(
                    WARN,
                    name,
                    f"the refresh token expires {status.refresh_expires_at:%Y-%m-%d}",
                    "make sure `motcua serve` runs (it refreshes), or `motcua zalo authorize`",
                )
            )
        else:
            until = status.access_expires_at
            when = f"access token until {until:%Y-%m-%d %H:%M} UTC" if until else "connected"
            checks.append(Check(OK, name, when))
    return checks


async def _telegram(settings: Settings, commune: CommuneSettings) -> list[Check]:
    telegram = commune.telegram
    if telegram.token is None:
        return []
    name = f"telegram [{commune.slug}]"
    bot = make_bot(
        telegram.token.get_secret_value(),
        telegram.api_url,
        read_timeout=TIMEOUT,
        connect_timeout=TIMEOUT,
        pool_size=2,
    )
    try:
        try:
            me = await bot.get_me()
        except InvalidToken:
            return [
                Check(
                    FAIL,
                    name,
                    "Telegram refused the bot token",
                    "copy the token again from @BotFather into MOTCUA_TELEGRAM_TOKEN",
                )
            ]
        except TelegramError as exc:
            return [
                Check(
                    FAIL,
                    name,
                    f"cannot reach {telegram.api_url}: {exc}",
                    "check the server's outgoing network (https to api.telegram.org)",
                )
            ]
        checks = [Check(OK, name, f"token valid: @{me.username}")]
        try:
            hook = await bot.get_webhook_info()
        except TelegramError as exc:
            return [*checks, Check(FAIL, f"{name} webhook", f"getWebhookInfo failed: {exc}")]
        checks.append(_webhook(settings, commune, hook))
        return checks
    finally:
        await close_bot(bot)


def _webhook(settings: Settings, commune: CommuneSettings, hook: WebhookInfo) -> Check:
    name = f"telegram [{commune.slug}] webhook"
    url, pending = hook.url, hook.pending_update_count
    if settings.telegram_polling:
        if url:
            return Check(
                FAIL,
                name,
                f"polling is configured but a webhook is registered ({url}): getUpdates fails",
                "run `motcua telegram delete-webhook`, or turn MOTCUA_TELEGRAM_POLLING off",
            )
        return Check(OK, name, "none (polling)")
    expected = webhook_url(settings.public_url, commune.slug) if settings.public_url else None
    if not url:
        return Check(
            FAIL,
            name,
            "no webhook registered: Telegram keeps residents' messages undelivered",
            "run `motcua telegram set-webhook`",
        )
    if expected and url != expected:
        return Check(
            FAIL,
            name,
            f"registered to {url}, expected {expected}",
            "run `motcua telegram set-webhook` (from this server's configuration)",
        )
    last_error_date = hook.last_error_date
    if last_error_date is not None and datetime.now(UTC) - last_error_date < RECENT_ERROR:
        message = hook.last_error_message or "no message"
        return Check(
            WARN,
            name,
            f"last delivery error {last_error_date:%Y-%m-%d %H:%M} UTC: {message}; "
            f"{pending} updates pending",
            f"check that {url} answers from the internet (TLS certificate, proxy, firewall)",
        )
    if pending > PENDING_WARN:
        return Check(
            WARN,
            name,
            f"{pending} updates waiting at Telegram",
            "check that `motcua serve` is running and answering its webhook",
        )
    return Check(OK, name, f"{url}, {pending} pending")


async def _zalo_bot(session: aiohttp.ClientSession, commune: CommuneSettings) -> list[Check]:
    zalo = commune.zalo_bot
    if zalo.token is None:
        return []
    name = f"zalo bot [{commune.slug}]"
    api = ZaloBotApi(session, zalo.api_url, zalo.token.get_secret_value(), timeout=TIMEOUT)
    try:
        me = await api.call("getMe")
    except DeliveryError as exc:
        refused = isinstance(exc, ZaloBotError) and exc.code in (401, 403)
        return [
            Check(
                FAIL,
                name,
                f"getMe failed: {exc}",
                "copy the bot token again into MOTCUA_ZALO_BOT_TOKEN"
                if refused
                else "check the server's outgoing network to the Zalo Bot API",
            )
        ]
    checks = [Check(OK, name, f"token valid: {(me or {}).get('account_name', 'bot')}")]
    secret = zalo.secret.get_secret_value() if zalo.secret else ""
    if not zalo.polling and not 8 <= len(secret) <= 256:
        checks.append(
            Check(
                FAIL,
                f"{name} webhook",
                "the webhook secret must be 8-256 characters",
                "set MOTCUA_ZALO_BOT_SECRET",
            )
        )
    return checks
