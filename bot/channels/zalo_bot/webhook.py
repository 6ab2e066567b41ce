"""``POST /webhook/zalo-bot/<commune>``: check the secret, store, answer 200, process after.

Zalo sends back the secret given to ``setWebhook`` in ``X-Bot-Api-Secret-Token``; it is
compared in constant time before the body is even parsed. ``deliver`` (store in the
inbox, then queue for the worker owning the conversation) is shared with polling and
the Zalo OA webhook.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channels.base import INVALID, Channel
from bot.channels.zalo_bot import NAME
from bot.channels.zalo_bot.parse import ZaloBot, unwrap
from bot.communes import CommuneProfile
from bot.sanitize import parse_json
from bot.throttle import Verdict
from bot.types import UserRef

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)

HEADER = "X-Bot-Api-Secret-Token"
PATH = "/webhook/zalo-bot/{commune}"
MAX_BODY = 1024 * 1024


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def secret_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the configured and the received secret."""
    return hmac.compare_digest(expected.encode(), (given or "").encode())


async def deliver(
    runtime: Runtime, commune: CommuneProfile, channel: Channel, payload: dict[str, Any]
) -> int | None:
    """Store the update (a duplicate delivery is a no-op) and queue it for processing.

    Returns the inbox id, or None when nothing was queued: a duplicate, or an update
    held because its sender is over the rate limit (stored as throttled, see
    bot/throttle.py). Without running workers (tests, a one-off command) the update
    stays pending and is processed at the next start.
    """
    key = channel.update_key(payload)
    limits = runtime.limits
    # Events that are not a resident's message (receipts, the OA's own messages,
    # unfollow) count against nobody.
    sender = _sender(channel, payload) if limits is not None else None
    if limits is not None and sender is not None:
        verdict = limits.check(commune.id, channel.name, sender.user_id)
        if verdict is not Verdict.ALLOW:
            await limits.hold(
                commune.id,
                channel.name,
                key,
                payload,
                user_id=sender.user_id,
                chat_id=sender.chat_id,
                verdict=verdict,
            )
            return None
    conversation = channel.conversation_key(payload)
    storing = runtime.processor.accept(commune, channel.name, key, payload, conversation)
    if limits is None or sender is None:
        return await storing
    return await limits.counted_if_stored(commune.id, channel.name, sender.user_id, storing)


def _sender(channel: Channel, payload: dict[str, Any]) -> UserRef | None:
    """Whom an update counts against: the first person in it, outside groups."""
    try:
        messages = channel.parse(payload)  # pure and cheap for both Zalo adapters
    except Exception:
        return None  # the processor records it as failed
    people = [m.user for m in messages if not m.is_group]
    return people[0] if people else None


async def record_poison(
    runtime: Runtime, commune: CommuneProfile, channel: str, raw: bytes, reason: str
) -> None:
    """An authenticated body that is not an update: stored as a failed item, so it is on
    record, and answered 200 by the caller. Zalo redelivers anything else and, after
    repeated failures, disables the webhook: every resident would go unanswered.

    The key is a hash of the body, so a redelivery of the same body is recognised.
    """
    key = "invalid:" + hashlib.sha256(raw).hexdigest()[:40]
    log.warning("unreadable %s update for %s stored as %s: %s", channel, commune.slug, key, reason)
    payload = {INVALID: raw.decode("utf-8", "replace")[:4000], "reason": reason}
    # Queued like any update: the parser refuses it, and that is recorded.
    await runtime.processor.accept(commune, channel, key, payload, "invalid")


# Told of each update stored (commune slug, update, inbox id): the typing indicator.
OnAccepted = Callable[[str, dict[str, Any], int], None]


def make_handler(
    runtime_of: Callable[[web.Request], Runtime],
    secrets: dict[str, str],
    on_accepted: OnAccepted | None = None,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The route handler. ``secrets`` maps a commune slug to its webhook secret."""
    channel = ZaloBot()

    async def handle(request: web.Request) -> web.Response:
        runtime = runtime_of(request)
        slug = request.match_info["commune"]
        secret = secrets.get(slug)
        commune = runtime.communes.by_slug(slug)
        if secret is None or commune is None:
            raise web.HTTPNotFound()
        if not secret_matches(secret, request.headers.get(HEADER)):
            log.warning("zalo bot webhook for %s: wrong or missing secret", slug)
            raise web.HTTPUnauthorized()
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_BODY, actual_size=request.content_length
            )
        raw = await request.read()
        try:
            update = unwrap(parse_json(raw))
        except ValueError as exc:  # BadUpdate too
            await record_poison(runtime, commune, NAME, raw, str(exc))
            return web.json_response({"ok": True})
        inbox_id = await deliver(runtime, commune, channel, update)
        if inbox_id is not None and on_accepted is not None:
            on_accepted(slug, update, inbox_id)
        return web.json_response({"ok": True})

    return handle


def chat_of(update: dict[str, Any]) -> str | None:
    """The chat an update came from, for the typing indicator."""
    message = _obj(update.get("message"))
    chat = _obj(message.get("chat"))
    sender = _obj(message.get("from"))
    value = chat.get("id") or sender.get("id")
    return None if value in (None, "") else str(value)


__all__ = [
    "HEADER",
    "NAME",
    "PATH",
    "chat_of",
    "deliver",
    "make_handler",
    "record_poison",
    "secret_matches",
]
