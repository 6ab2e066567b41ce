"""The Zalo Bot Platform plugin: parser, webhook route, sender and (optionally) polling.

Enabled for every commune with a Zalo Bot token. A commune with a webhook secret gets
``/webhook/zalo-bot/<commune>`` (registered with ``setWebhook`` at start when
``MOTCUA_PUBLIC_URL`` is known); one with ``polling`` on fetches ``getUpdates`` instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from bot.channels.base import Channel
from bot.channels.zalo_bot import NAME
from bot.channels.zalo_bot.api import ZaloBotApi
from bot.channels.zalo_bot.media import UrlMedia
from bot.channels.zalo_bot.parse import ZaloBot
from bot.channels.zalo_bot.polling import Poller
from bot.channels.zalo_bot.sender import ZaloBotSender
from bot.channels.zalo_bot.typing import TypingIndicator
from bot.channels.zalo_bot.webhook import PATH, chat_of, deliver, make_handler
from bot.config import Settings, ZaloBotSettings
from bot.delivery import DeliveryError
from bot.plugins import Plugin

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)


class ZaloBotPlugin(Plugin):
    name = NAME

    def __init__(self, settings: Settings, configs: Mapping[str, ZaloBotSettings]) -> None:
        self.settings = settings
        self.configs = dict(configs)
        self.secrets = {
            slug: c.secret.get_secret_value() for slug, c in self.configs.items() if c.secret
        }
        self.sender: ZaloBotSender | None = None
        self.typing: TypingIndicator | None = None
        self.pollers: list[Poller] = []
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def channels(self) -> Mapping[str, Channel]:
        return {NAME: ZaloBot()}

    def routes(self, app: web.Application) -> None:
        from bot.web import RUNTIME

        app.router.add_post(
            PATH, make_handler(lambda request: request.app[RUNTIME], self.secrets, self._accepted)
        )

    async def start(self, runtime: Runtime) -> None:
        self._session = aiohttp.ClientSession()
        bots = {
            slug: ZaloBotApi(self._session, c.api_url, c.token.get_secret_value())
            for slug, c in self.configs.items()
            if c.token is not None
        }
        self.sender = ZaloBotSender(bots)
        runtime.relay.senders[NAME] = self.sender
        if runtime.receives:
            self.typing = TypingIndicator(runtime.db, self.sender.typing)
            self._spawn(self.typing.run())
        runtime.media[NAME] = UrlMedia(self._session)
        channel = ZaloBot()
        for slug, api in bots.items():
            config = self.configs[slug]
            commune = runtime.communes.by_slug(slug)
            if commune is None or not runtime.receives:
                continue
            if config.polling:
                await _best_effort(api, "deleteWebhook", {})

                async def deliver_update(
                    update: dict[str, Any], commune: Any = commune, slug: str = slug
                ) -> None:
                    inbox_id = await deliver(runtime, commune, channel, update)
                    if inbox_id is not None:
                        self._accepted(slug, update, inbox_id)

                poller = Poller(api, deliver_update)
                self.pollers.append(poller)
                self._spawn(poller.run())
                log.info("zalo bot for %s: polling getUpdates", slug)
            elif slug in self.secrets and self.settings.public_url:
                url = f"{self.settings.public_url.rstrip('/')}{PATH.format(commune=slug)}"
                await _best_effort(
                    api, "setWebhook", {"url": url, "secret_token": self.secrets[slug]}
                )
            elif slug not in self.secrets:
                log.warning(
                    "zalo bot for %s has no webhook secret and polling is off: "
                    "it can send but will receive nothing",
                    slug,
                )

    async def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    def _accepted(self, slug: str, update: dict[str, Any], inbox_id: int) -> None:
        chat_id = chat_of(update)
        if self.typing is not None and chat_id is not None:
            self.typing.watch(inbox_id, slug, chat_id)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _best_effort(api: ZaloBotApi, method: str, body: dict[str, Any]) -> None:
    try:
        await api.call(method, body)
    except DeliveryError as exc:
        log.warning("zalo bot %s failed: %s", method, exc)


def plugin(settings: Settings) -> ZaloBotPlugin | None:
    configs = {c.slug: c.zalo_bot for c in settings.communes() if c.zalo_bot.token is not None}
    return ZaloBotPlugin(settings, configs) if configs else None
