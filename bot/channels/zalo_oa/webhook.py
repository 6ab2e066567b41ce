"""``POST /webhook/zalo-oa/<commune>``: verify the signature, store, answer 200, process after.

Zalo gives a webhook about 2 seconds before it retries (and, after repeated failures,
disables the webhook), so nothing slow happens before the answer: the signature is
checked on the raw bytes, the event is stored in the inbox (one insert) and queued for
the worker owning the conversation. A bad signature gets 401 and nothing is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channels.zalo_bot.webhook import deliver, record_poison
from bot.channels.zalo_oa.parse import ZaloOA
from bot.channels.zalo_oa.signature import HEADER, verify
from bot.sanitize import parse_json

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger(__name__)

PATH = "/webhook/zalo-oa/{commune}"
MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class WebhookKeys:
    app_id: str
    secret_key: str
    oa_id: str | None = None

    def __repr__(self) -> str:
        return f"WebhookKeys(app_id={self.app_id!r}, oa_id={self.oa_id!r})"


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def for_another_oa(event: dict[str, Any], oa_id: str | None) -> bool:
    """An event addressed to another OA of the same app (when our OA id is configured)."""
    if not oa_id:
        return False
    event_name = str(event.get("event_name") or "")
    if event_name.startswith("oa_send_"):
        return False
    recipient = _obj(event.get("recipient"))
    target = event.get("oa_id") or recipient.get("id")
    return target not in (None, "") and str(target) != oa_id


def make_handler(
    runtime_of: Callable[[web.Request], Runtime], keys: dict[str, WebhookKeys]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    channel = ZaloOA()

    async def handle(request: web.Request) -> web.Response:
        runtime = runtime_of(request)
        slug = request.match_info["commune"]
        key = keys.get(slug)
        commune = runtime.communes.by_slug(slug)
        if key is None or commune is None:
            raise web.HTTPNotFound()
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_BODY, actual_size=request.content_length
            )
        raw = await request.read()
        if not verify(
            raw, request.headers.get(HEADER), app_id=key.app_id, secret_key=key.secret_key
        ):
            log.warning("zalo oa webhook for %s: bad or missing signature", slug)
            raise web.HTTPUnauthorized()
        event = parse_json(raw)  # verified above: a JSON object with a timestamp
        if not isinstance(event.get("event_name"), str):
            await record_poison(runtime, commune, channel.name, raw, "no event_name")
            return web.json_response({"ok": True})
        if for_another_oa(event, key.oa_id):
            return web.json_response({"ok": True, "ignored": "another OA"})
        await deliver(runtime, commune, channel, event)
        return web.json_response({"ok": True})

    return handle
