"""``POST /webhook/telegram/<commune slug>``: Telegram's deliveries for one commune's bot.

Order of work, each step before the next: check ``X-Telegram-Bot-Api-Secret-Token`` in
constant time (401 with nothing read or stored on mismatch); store the update; answer
200. Only a stored update is acknowledged, so nothing acknowledged can be lost.

Everything after the secret check answers 200, including a body that is not an update:
Telegram redelivers a non-2xx answer again and again, and updates to that bot queue
behind it, so one bad body would block every resident. It is recorded as failed instead.

A button press is answered (``answerCallbackQuery``) in the webhook response itself,
which Telegram allows for one method call: the spinner stops as soon as the update is
stored, costs no extra request, is not delayed behind the chat's flood limit, and stops
even when handling the press later fails.

The secret is ``MOTCUA_TELEGRAM_SECRET`` (or the commune's ``telegram.secret``) when set;
otherwise it is derived from the deployment's secret key, the commune and the bot id, so
``motcua telegram set-webhook`` and the server agree on it with nothing more to store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable

from aiohttp import web

from bot.channels.telegram.chooser import SharedBot
from bot.channels.telegram.ingress import Ingress, Outcome, callback_query_id
from bot.communes import CommuneProfile
from bot.config import CommuneSettings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
PATH = "/webhook/telegram/{commune}"


def webhook_secret(commune: CommuneSettings, secret_key: str | None) -> str | None:
    """The secret Telegram must send for this commune (1-256 of ``[A-Za-z0-9_-]``)."""
    telegram = commune.telegram
    if telegram.secret is not None and telegram.secret.get_secret_value():
        return telegram.secret.get_secret_value()
    if telegram.token is None or not secret_key:
        return None
    bot_id = telegram.token.get_secret_value().split(":", 1)[0]
    message = f"telegram-webhook:{commune.slug}:{bot_id}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def webhook_path(slug: str) -> str:
    return PATH.format(commune=slug)


def webhook_url(base: str, slug: str) -> str:
    """The full URL for ``setWebhook``: ``base`` unless it already names the webhook path."""
    base = base.rstrip("/")
    return base if "/webhook/telegram/" in base else base + webhook_path(slug)


class WebhookHandler:
    """The aiohttp handler. ``secrets`` by slug; ``commune`` finds the profile by slug."""

    def __init__(
        self,
        secrets: dict[str, str],
        commune: Callable[[str], CommuneProfile | None],
        ingress: Callable[[], Ingress | None],
        shared: Callable[[str], SharedBot | None] = lambda slug: None,
    ) -> None:
        self.secrets = secrets
        self.commune = commune
        self.ingress = ingress
        self.shared = shared

    async def handle(self, request: web.Request) -> web.StreamResponse:
        slug = request.match_info["commune"]
        expected = self.secrets.get(slug)
        if expected is None:
            raise web.HTTPNotFound()
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            log.warning("Telegram webhook for %s: wrong or missing secret token", slug)
            return web.Response(status=401, text="unauthorized")
        commune = self.commune(slug)
        ingress = self.ingress()
        if commune is None or ingress is None:
            # Configured but not started: let Telegram retry shortly.
            return web.Response(status=503, text="starting")
        body = await request.read()
        outcome, update = await ingress.take_body(commune, body, self.shared(slug))
        query_id = callback_query_id(update)
        if query_id is not None and outcome is not Outcome.POISON:
            return web.json_response(
                {"method": "answerCallbackQuery", "callback_query_id": query_id}
            )
        return web.Response(status=200)
