"""The Telegram plugin: parser, webhook route, sender, polling and start-up calls.

Every commune with a token gets a bot; communes sharing a token share one ``Bot``, one
flood budget and one webhook, and residents choose their commune (``chooser``). At
start-up the plugin registers its sender with the outbox relay and its file fetcher with
the runtime, then, in the background so an unreachable Telegram never blocks start-up,
asks each bot who it is (``getMe``, for deep links) and sets its command menu
(``setMyCommands``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from aiohttp import web
from telegram import error as tg

from bot.channels.base import Channel
from bot.channels.telegram import NAME, links
from bot.channels.telegram.bots import MotcuaBot, close_bot, make_bot
from bot.channels.telegram.chooser import SharedBot
from bot.channels.telegram.commands import register_commands
from bot.channels.telegram.ingress import Ingress
from bot.channels.telegram.media import TelegramMedia
from bot.channels.telegram.parse import TelegramChannel
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.ratelimit import FloodLimiter, FloodLimits
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.webhook import PATH, WebhookHandler, webhook_secret
from bot.communes import CommuneProfile
from bot.config import CommuneSettings, Settings
from bot.plugins import Plugin

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)


class TelegramPlugin(Plugin):
    name = NAME

    def __init__(
        self,
        settings: Settings,
        *,
        limits: FloodLimits | None = None,
        polling: bool | None = None,
        poll_timeout: float = 25.0,
        read_timeout: float = 15.0,
        introduce: bool = True,
    ) -> None:
        self.settings = settings
        self.communes: dict[str, CommuneSettings] = {
            c.slug: c for c in settings.communes() if c.telegram.token is not None
        }
        self.limits = limits or FloodLimits()
        self.flood_limits = settings.telegram_flood_limits
        self.polling = settings.telegram_polling if polling is None else polling
        self.poll_timeout = poll_timeout
        self.read_timeout = read_timeout
        self.introduce = introduce
        self.usernames: dict[str, str] = {
            slug: c.telegram.bot_username.lstrip("@")
            for slug, c in self.communes.items()
            if c.telegram.bot_username
        }
        self.channel = TelegramChannel(self.usernames.values())
        self.secrets: dict[str, str] = {}
        self._fill_secrets()
        self.bots: dict[str, MotcuaBot] = {}
        self.sender: TelegramSender | None = None
        self.ingress: Ingress | None = None
        self.shared: dict[str, SharedBot] = {}  # by slug, for communes sharing a bot
        self._runtime: Runtime | None = None
        self._tasks: list[asyncio.Task[object]] = []
        self._callbacks: set[asyncio.Task[None]] = set()

    # --- Plugin ----------------------------------------------------------------------------

    def channels(self) -> Mapping[str, Channel]:
        return {NAME: self.channel}

    def routes(self, app: web.Application) -> None:
        handler = WebhookHandler(self.secrets, self._commune, lambda: self.ingress, self.shared.get)
        app.router.add_post(PATH, handler.handle)

    async def start(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._fill_secrets()
        shared: dict[tuple[str, str], MotcuaBot] = {}
        for slug, commune in self.communes.items():
            assert commune.telegram.token is not None
            token = commune.telegram.token.get_secret_value()
            key = (token, commune.telegram.api_url)
            if key not in shared:
                shared[key] = make_bot(
                    token, commune.telegram.api_url, read_timeout=self.read_timeout
                )
            self.bots[slug] = shared[key]
        limiter = FloodLimiter(self.limits) if self.flood_limits else None
        self.sender = TelegramSender(self.bots, limiter)
        runtime.relay.senders[NAME] = self.sender
        media = getattr(runtime, "media", None)
        if isinstance(media, dict):
            media[NAME] = TelegramMedia(self.bots)
        runtime.processor.services["telegram_links"] = self
        for bot in shared.values():
            slugs = [s for s, b in self.bots.items() if b is bot]
            if len(slugs) > 1:
                group = SharedBot(slugs, runtime.db, self._commune)
                self.shared.update(dict.fromkeys(slugs, group))
        self.ingress = Ingress(
            runtime.processor, self.channel, runtime.db, runtime.relay.wake, runtime.limits
        )
        if self.introduce:
            self._tasks.append(asyncio.create_task(self._introduce(shared)))
        if self.polling and runtime.receives:
            for (_token, api_url), bot in shared.items():
                slug = next(s for s, b in self.bots.items() if b is bot)
                poller = Poller(
                    bot,
                    lambda slug=slug: self._commune(slug),  # type: ignore[misc]
                    self.ingress,
                    lambda query_id, slug=slug: self._answer(slug, query_id),  # type: ignore[misc]
                    timeout=self.poll_timeout,
                    shared=self.shared.get(slug),
                )
                log.info("polling Telegram for %s at %s", slug, api_url)
                self._tasks.append(asyncio.create_task(poller.run()))

    async def stop(self) -> None:
        for task in [*self._tasks, *self._callbacks]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._callbacks, return_exceptions=True)
        self._tasks.clear()
        for bot in {id(b): b for b in self.bots.values()}.values():
            try:
                await close_bot(bot)
            except Exception:  # pragma: no cover - shutting down anyway
                log.exception("closing a Telegram bot failed")

    # --- deep links ------------------------------------------------------------------------

    def link(self, commune_slug: str, payload: str | None = None) -> str | None:
        """``https://t.me/<bot>?start=<payload>`` for this commune's bot, once its username
        is known (configured, or learnt from getMe at start-up)."""
        username = self.usernames.get(commune_slug)
        return links.deep_link(username, payload) if username else None

    # --- internals -------------------------------------------------------------------------

    def _fill_secrets(self) -> None:
        key = self.settings.secret_key.get_secret_value() if self.settings.secret_key else None
        for slug, commune in self.communes.items():
            secret = webhook_secret(commune, key)
            if secret is not None:
                self.secrets[slug] = secret

    def _commune(self, slug: str) -> CommuneProfile | None:
        if self._runtime is None or slug not in self.communes:
            return None
        return self._runtime.communes.by_slug(slug)

    def _answer(self, slug: str, query_id: str) -> None:
        if self.sender is None:
            return
        task = asyncio.create_task(self.sender.answer_callback(slug, query_id))
        self._callbacks.add(task)
        task.add_done_callback(self._callbacks.discard)

    async def _introduce(self, bots: Mapping[tuple[str, str], MotcuaBot]) -> None:
        for bot in bots.values():
            slugs = [s for s, b in self.bots.items() if b is bot]
            try:
                me = await bot.get_me()
                if me.username:
                    for slug in slugs:
                        self.usernames.setdefault(slug, me.username)
                    self.channel.bot_usernames.add(me.username.lower())
                await register_commands(bot)
            except tg.TelegramError as exc:
                log.warning("Telegram bot for %s not reachable at start-up: %s", slugs, exc)


def plugin(settings: Settings) -> TelegramPlugin | None:
    """The Telegram plugin, if any commune has a bot token."""
    if not any(c.telegram.token is not None for c in settings.communes()):
        return None
    return TelegramPlugin(settings)
