"""The aiohttp application: the web chat page and its JSON API, health checks, and the
routes other features (channel webhooks, staff pages) add.

Handlers here are thin: validate, hand over to the processor, shape the response.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import select, text

from bot import inbox, outbox
from bot.app import Runtime
from bot.channels import webchat
from bot.communes import CommuneProfile
from bot.db.models import OutboxItem
from bot.db.outage import OutageLog, unreachable
from bot.sanitize import parse_json
from bot.throttle import TOO_FAST, Verdict
from bot.types import Reply

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "web_static"
RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime", Runtime)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@web.middleware
async def security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response: web.StreamResponse = await handler(request)
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


UNAVAILABLE = "Hệ thống đang tạm gián đoạn. Bạn vui lòng gửi lại sau ít phút."


def database_outage(outage: OutageLog) -> Any:
    """503 with ``Retry-After`` while the database cannot be reached (a restart, a network
    cut): every platform delivers the update again, and the log gets one line per few
    seconds instead of a traceback per request (bot/db/outage.py)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
        except Exception as exc:
            if not unreachable(exc):
                raise
            outage.refused(exc)
            # JSON like the chat API's other refusals: the chat page shows ``error``.
            return web.json_response(
                {"error": UNAVAILABLE}, status=503, headers={"Retry-After": "5"}
            )
        return response

    return middleware


def create_app(runtime: Runtime, *, manage_runtime: bool = True) -> web.Application:
    """The web application. With ``manage_runtime`` it starts and stops the runtime."""
    app = web.Application(
        middlewares=[security_headers, database_outage(OutageLog("requests"))],
        client_max_size=2 * 1024**2,
    )
    app[RUNTIME] = runtime
    app.router.add_get("/", chat_page)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_post("/api/chat", chat_message)
    app.router.add_get("/api/chat/updates", chat_updates)
    app.router.add_static("/static/", STATIC, show_index=False)
    for plugin in runtime.plugins:
        plugin.routes(app)
    if manage_runtime:

        async def lifecycle(app: web.Application) -> Any:
            await runtime.start()
            yield
            await runtime.stop()

        app.cleanup_ctx.append(lifecycle)
    return app


async def chat_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers and every commune's knowledge base is loaded."""
    runtime = request.app[RUNTIME]
    checks: dict[str, Any] = {}
    try:
        async with runtime.db.read() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    communes = runtime.communes.all()
    checks["communes"] = len(communes)
    checks["catalogue"] = {c.slug: runtime.knowledge.loaded(c.id) for c in communes}
    ready = checks["database"] == "ok" and communes and all(checks["catalogue"].values())
    return web.json_response(
        {"status": "ready" if ready else "not ready", **checks}, status=200 if ready else 503
    )


def _commune(request: web.Request, slug: str | None) -> CommuneProfile:
    runtime = request.app[RUNTIME]
    commune = runtime.communes.by_slug(slug or runtime.default_commune_slug)
    if commune is None:
        raise web.HTTPNotFound(text='{"error": "unknown commune"}', content_type="application/json")
    return commune


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=web.json_response({"error": message}).text, content_type="application/json"
    )


async def chat_message(request: web.Request) -> web.Response:
    """POST /api/chat: one message in, the bot's replies out (plus anything waiting)."""
    runtime = request.app[RUNTIME]
    try:
        body = parse_json(await request.read())
    except ValueError:  # also NaN, and nesting deep enough to raise RecursionError
        raise _bad_request("body must be JSON") from None
    try:
        payload = webchat.validate(body)
    except webchat.BadRequest as exc:
        raise _bad_request(str(exc)) from None
    slug = body.get("commune")  # validate() made sure the body is an object
    if slug is not None and not isinstance(slug, str):
        raise _bad_request("commune must be a string")
    commune = _commune(request, slug)
    # A person types a message every few seconds; a page sending faster is a script.
    limits = runtime.limits
    if limits and limits.check(commune.id, webchat.NAME, payload["session"]) != Verdict.ALLOW:
        return web.json_response({"error": TOO_FAST}, status=429)
    if payload["id"] is None:
        import uuid

        payload["id"] = uuid.uuid4().hex
    channel = runtime.channels[webchat.NAME]
    key = channel.update_key(payload)
    storing = runtime.processor.accept(commune, webchat.NAME, key, payload, queue=False)
    inbox_id = await (
        limits.counted_if_stored(commune.id, webchat.NAME, payload["session"], storing)
        if limits
        else storing
    )
    if inbox_id is None:  # the page resent a message whose answer it lost
        replies = await _replies_of_retry(runtime, commune, key)
    else:
        await runtime.processor.process(inbox_id)
        replies = await outbox.take_for_pull(runtime.db, webchat.NAME, payload["session"])
    return web.json_response({"replies": [r.to_json() for r in replies]})


async def _replies_of_retry(runtime: Runtime, commune: CommuneProfile, key: str) -> list[Reply]:
    """A page that resends a message (the answer got lost) gets the same answer again."""
    async with runtime.db.read() as session:
        item = await inbox.find(session, commune.id, webchat.NAME, key)
        if item is None:
            return []
        rows = await session.execute(
            select(OutboxItem.reply).where(OutboxItem.inbox_id == item.id).order_by(OutboxItem.seq)
        )
        return [Reply.from_json(r) for r in rows.scalars()]


async def chat_updates(request: web.Request) -> web.Response:
    """GET /api/chat/updates?session=...: messages that arrived later for this session."""
    runtime = request.app[RUNTIME]
    session = request.query.get("session", "")
    if not webchat.SESSION.match(session):
        raise _bad_request("session must be 8-64 characters of letters, digits, '-' or '_'")
    replies = await outbox.take_for_pull(runtime.db, webchat.NAME, session)
    return web.json_response({"replies": [r.to_json() for r in replies]})
