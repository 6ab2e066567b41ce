"""The Zalo OA plugin: parser, signed webhook, window-aware sender, token refresh sweep.

Enabled for every commune with an OA ``app_id``. The webhook needs the OA secret key;
sending needs the app secret and tokens (``motcua zalo authorize``, or an initial
``MOTCUA_ZALO_OA_REFRESH_TOKEN`` used once when no tokens are stored yet).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from bot import outbox
from bot.channels.base import Channel
from bot.channels.zalo_bot.media import UrlMedia
from bot.channels.zalo_oa import NAME, texts
from bot.channels.zalo_oa.api import ZaloOAApi
from bot.channels.zalo_oa.oauth import OAuthClient
from bot.channels.zalo_oa.parse import ZaloOA
from bot.channels.zalo_oa.sender import ZaloOASender
from bot.channels.zalo_oa.tokens import Alert, NotAuthorized, RefreshFailed, TokenStore
from bot.channels.zalo_oa.webhook import PATH, WebhookKeys, make_handler
from bot.config import TIMEZONE, Settings, ZaloOASettings
from bot.delivery import DeliveryError
from bot.jobs import Job
from bot.plugins import Plugin
from bot.types import Reply

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)

SWEEP_SECONDS = 300
AUTHORIZED_PATH = "/zalo-oa/authorized"


def journal_dir(settings: Settings) -> Path:
    return settings.data_dir / "zalo_oa"


class ZaloOAPlugin(Plugin):
    name = NAME

    def __init__(self, settings: Settings, configs: Mapping[str, ZaloOASettings]) -> None:
        self.settings = settings
        self.configs = dict(configs)
        self.keys = {
            slug: WebhookKeys(c.app_id, c.secret_key.get_secret_value(), c.oa_id)
            for slug, c in self.configs.items()
            if c.app_id and c.secret_key
        }
        self.tokens: dict[str, TokenStore] = {}
        self.sender: ZaloOASender | None = None
        self._session: aiohttp.ClientSession | None = None

    def channels(self) -> Mapping[str, Channel]:
        return {NAME: ZaloOA()}

    def routes(self, app: web.Application) -> None:
        from bot.web import RUNTIME

        app.router.add_post(PATH, make_handler(lambda request: request.app[RUNTIME], self.keys))
        app.router.add_get(AUTHORIZED_PATH, authorized_page)

    async def start(self, runtime: Runtime) -> None:
        self._session = aiohttp.ClientSession()
        apis: dict[str, ZaloOAApi] = {}
        for slug, config in self.configs.items():
            commune = runtime.communes.by_slug(slug)
            if commune is None:
                continue
            apis[slug] = ZaloOAApi(self._session, config.api_url)
            if not (config.app_id and config.app_secret):
                log.warning("zalo oa for %s has no app secret: it can receive but not send", slug)
                continue
            oauth = OAuthClient(
                self._session, config.oauth_url, config.app_id, config.app_secret.get_secret_value()
            )
            store = TokenStore(
                runtime.db,
                commune.id,
                slug,
                oauth,
                journal_dir(self.settings),
                alert=self._alerter(runtime),
            )
            await store.recover()
            if config.refresh_token is not None and await store.seed(
                config.refresh_token.get_secret_value()
            ):
                log.info("zalo oa %s: initial refresh token taken from the configuration", slug)
            self.tokens[slug] = store
        self.sender = ZaloOASender(runtime.db, runtime.communes, apis, self.tokens)
        runtime.relay.senders[NAME] = self.sender
        runtime.media[NAME] = UrlMedia(self._session)

    def jobs(self, runtime: Runtime) -> list[Job]:
        return [Job("zalo-oa-token-refresh", self.refresh_all, seconds=SWEEP_SECONDS)]

    async def refresh_all(self) -> None:
        """The sweep: refresh every OA token that expires within the margin."""
        for slug, store in self.tokens.items():
            try:
                await store.refresh()
            except NotAuthorized:
                log.warning("zalo oa %s is not authorized: run `motcua zalo authorize`", slug)
            except (RefreshFailed, DeliveryError) as exc:
                log.warning("zalo oa %s: refresh failed: %s", slug, exc)

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _alerter(self, runtime: Runtime) -> Alert:
        """Staff alerts go to the commune's staff chats through the outbox."""

        async def alert(slug: str, reason: str, valid_until: datetime | None) -> None:
            commune = runtime.communes.by_slug(slug)
            if commune is None or not commune.staff_chats:
                log.error("zalo oa %s: token refresh failing and no staff chat to alert", slug)
                return
            when = (
                valid_until.astimezone(ZoneInfo(TIMEZONE)).strftime("%H:%M %d/%m/%Y")
                if valid_until
                else texts.VALID_UNTIL_UNKNOWN
            )
            reply = Reply(
                texts.REFRESH_FAILED.format(
                    commune=commune.name, reason=reason[:200], valid_until=when
                )
            )
            async with runtime.db.transaction() as session:
                outbox.enqueue(
                    session,
                    commune.id,
                    [
                        outbox.Envelope(ch, chat, reply, kind="alert")
                        for ch, chat in commune.staff_chats
                    ],
                )
            runtime.relay.wake()

        return alert


async def authorized_page(request: web.Request) -> web.Response:
    """Where Zalo sends the admin after they allowed the app: shows the code to paste
    into ``motcua zalo authorize``. The code is useless without the PKCE verifier,
    which never leaves the admin's machine."""
    code = request.query.get("code", "")
    body = (
        texts.AUTHORIZED_PAGE.format(code=html.escape(code)) if code else texts.AUTHORIZED_NO_CODE
    )
    return web.Response(text=body, content_type="text/html", headers={"Cache-Control": "no-store"})


def plugin(settings: Settings) -> ZaloOAPlugin | None:
    configs = {c.slug: c.zalo_oa for c in settings.communes() if c.zalo_oa.app_id}
    return ZaloOAPlugin(settings, configs) if configs else None
