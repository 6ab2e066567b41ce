"""Fake Zalo Bot and Zalo OA servers on loopback, for tests that must not touch the internet.

They check what the real platforms check as far as we know them (paths, tokens,
headers, required fields, length limits: each a "(verify)" assumption of the adapter)
and record every accepted call. Tests inject failures: HTTP errors, rate limits,
expired access tokens, refused refreshes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeServer:
    """An aiohttp application on 127.0.0.1 with a random port."""

    def __init__(self) -> None:
        self.app = web.Application()
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.files: dict[str, bytes] = {}  # what residents sent, served at /files/<name>
        self.app.router.add_get("/files/{name}", self._file)

    async def _file(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["name"])
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="image/jpeg")

    async def start(self) -> FakeServer:
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = site.name.rstrip("/")
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@dataclass
class Injected:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


# --- Zalo Bot Platform ---------------------------------------------------------------------


@dataclass
class BotCall:
    method: str
    body: dict[str, Any]


class FakeZaloBot(FakeServer):
    """``POST /bot<token>/<method>`` with a JSON body, Telegram-like answers."""

    def __init__(self, token: str = "1234567890:fake-zalo-bot-token") -> None:  # noqa: S107
        super().__init__()
        self.token = token
        self.calls: list[BotCall] = []
        self.updates: deque[dict[str, Any]] = deque()
        self.blocked: set[str] = set()  # chat ids that blocked the bot
        self._failures: dict[str, deque[Injected]] = {}
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle)

    # what tests inject
    def fail(
        self, method: str, status: int = 500, body: dict[str, Any] | None = None, times: int = 1
    ) -> None:
        queue = self._failures.setdefault(method, deque())
        for _ in range(times):
            queue.append(
                Injected(
                    status,
                    body or {"ok": False, "error_code": status, "description": "Internal error"},
                )
            )

    def rate_limit(self, method: str, retry_after: int = 3) -> None:
        self._failures.setdefault(method, deque()).append(
            Injected(
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests",
                    "parameters": {"retry_after": retry_after},
                },
            )
        )

    # what tests read
    def sent(
        self, chat_id: str | None = None, methods: tuple[str, ...] = ("sendMessage", "sendPhoto")
    ) -> list[BotCall]:
        return [
            c
            for c in self.calls
            if c.method in methods and (chat_id is None or c.body.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [c.body["text"] for c in self.sent(chat_id, ("sendMessage",))]

    @staticmethod
    def _error(status: int, description: str) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": status, "description": description}, status=status
        )

    async def _handle(self, request: web.Request) -> web.Response:
        if request.method != "POST":
            return self._error(405, "Method Not Allowed")
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        if request.content_type != "application/json":
            return self._error(400, "Content-Type must be application/json")
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, "Bad Request: body is not JSON")
        if not isinstance(body, dict):
            return self._error(400, "Bad Request: body is not an object")
        method = request.match_info["method"]
        queue = self._failures.get(method)
        if queue:
            injected = queue.popleft()
            return web.json_response(
                injected.body, status=injected.status, headers=injected.headers
            )
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found")
        result = await handler(body)
        if isinstance(result, web.Response):
            return result
        self.calls.append(BotCall(method, body))
        return web.json_response({"ok": True, "result": result})

    def _chat(self, body: dict[str, Any]) -> str | web.Response:
        chat_id = body.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            return self._error(400, "Bad Request: chat_id must be a non-empty string")
        if chat_id in self.blocked:
            return self._error(403, "Forbidden: the user has blocked the bot")
        return chat_id

    async def _m_getMe(self, body: dict[str, Any]) -> Any:
        return {"id": "4455667788", "account_name": "bot.motcua", "account_type": "BASIC"}

    async def _m_sendMessage(self, body: dict[str, Any]) -> Any:
        chat = self._chat(body)
        if isinstance(chat, web.Response):
            return chat
        text = body.get("text")
        if not isinstance(text, str) or not 1 <= _units(text) <= 2000:
            return self._error(400, "Bad Request: text must be 1-2000 characters")
        return {"message_id": secrets.token_hex(8), "date": 1763870000000}

    async def _m_sendPhoto(self, body: dict[str, Any]) -> Any:
        chat = self._chat(body)
        if isinstance(chat, web.Response):
            return chat
        photo = body.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            return self._error(400, "Bad Request: photo must be a URL")
        return {"message_id": secrets.token_hex(8), "date": 1763870000000}

    async def _m_sendChatAction(self, body: dict[str, Any]) -> Any:
        chat = self._chat(body)
        if isinstance(chat, web.Response):
            return chat
        if body.get("action") not in ("typing", "upload_photo"):
            return self._error(400, "Bad Request: unknown action")
        return True

    async def _m_setWebhook(self, body: dict[str, Any]) -> Any:
        url, secret = body.get("url"), body.get("secret_token")
        if not isinstance(url, str) or not url.startswith("https://"):
            return self._error(400, "Bad Request: url must be https")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return self._error(400, "Bad Request: secret_token must be 8-256 characters")
        return {"url": url, "updated_at": 1763870000000}

    async def _m_deleteWebhook(self, body: dict[str, Any]) -> Any:
        return {"url": ""}

    async def _m_getUpdates(self, body: dict[str, Any]) -> Any:
        timeout = body.get("timeout")
        if timeout is not None and not isinstance(timeout, str):
            return self._error(400, "Bad Request: timeout is a string")
        for _ in range(10):
            if self.updates:
                return self.updates.popleft()
            await asyncio.sleep(0.01)
        return self._error(408, "Request Timeout")


# --- Zalo Official Account (Open API v3 + OAuth v4) -------------------------------------


@dataclass
class OAMessage:
    user_id: str
    message: dict[str, Any]
    access_token: str

    @property
    def text(self) -> str:
        return str(self.message.get("text") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        attachment = self.message.get("attachment") or {}
        payload = attachment.get("payload") or {}
        return list(payload.get("buttons") or [])


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class FakeZaloOA(FakeServer):
    """``/v3.0/oa/message/cs`` and the OAuth v4 endpoints on one server."""

    def __init__(
        self,
        app_id: str = "3512345678901234567",
        app_secret: str = "fake-app-secret",  # noqa: S107
        oa_id: str = "2222333344445555666",
    ) -> None:
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.oa_id = oa_id
        self.access_tokens: dict[str, bool] = {}  # token -> still valid
        self.refresh_tokens: dict[str, bool] = {}  # token -> not used yet
        self.refresh_requests: list[str] = []  # refresh tokens presented, in order
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (challenge, redirect_uri)
        self.messages: list[OAMessage] = []
        self.refresh_delay = 0.0
        self._cs_failures: deque[Injected] = deque()
        self._token_failures: deque[Injected] = deque()
        self.app.router.add_post("/v3.0/oa/message/cs", self._cs)
        self.app.router.add_post("/v4/oa/access_token", self._token)
        self.app.router.add_get("/v4/oa/permission", self._permission)

    # what tests set up and inject
    def grant(self) -> str:
        """A valid, unused refresh token, as if an admin had authorized the app earlier."""
        token = "rt-" + secrets.token_urlsafe(24)
        self.refresh_tokens[token] = True
        return token

    def expire_access_tokens(self) -> None:
        for token in self.access_tokens:
            self.access_tokens[token] = False

    def fail_cs(
        self,
        status: int = 200,
        body: dict[str, Any] | None = None,
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        for _ in range(times):
            self._cs_failures.append(
                Injected(status, body or {"error": -1, "message": "fail"}, headers or {})
            )

    def fail_refresh(
        self, status: int = 200, body: dict[str, Any] | None = None, times: int = 1
    ) -> None:
        for _ in range(times):
            self._token_failures.append(
                Injected(
                    status,
                    body
                    or {
                        "error": -14002,
                        "error_name": "Internal error",
                        "error_description": "try later",
                    },
                )
            )

    # what tests read
    def to(self, user_id: str) -> list[OAMessage]:
        return [m for m in self.messages if m.user_id == user_id]

    def _issue(self) -> dict[str, Any]:
        access, refresh = "at-" + secrets.token_urlsafe(24), "rt-" + secrets.token_urlsafe(24)
        self.access_tokens[access] = True
        self.refresh_tokens[refresh] = True
        return {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}

    @staticmethod
    def _oa_error(code: int, message: str) -> web.Response:
        return web.json_response({"error": code, "message": message})

    async def _cs(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token")
        if token is None or token not in self.access_tokens:
            return self._oa_error(-216, "Access token is invalid")
        if not self.access_tokens[token]:
            return self._oa_error(-124, "Access token has expired")
        if request.content_type != "application/json":
            return self._oa_error(-201, "Content-Type must be application/json")
        try:
            body = await request.json()
        except ValueError:
            return self._oa_error(-201, "Body is not JSON")
        if self._cs_failures:
            injected = self._cs_failures.popleft()
            return web.json_response(
                injected.body, status=injected.status, headers=injected.headers
            )
        problem = _check_cs(body)
        if problem:
            return self._oa_error(-201, f"Parameters are invalid: {problem}")
        user_id = body["recipient"]["user_id"]
        self.messages.append(OAMessage(user_id, body["message"], token))
        return web.json_response(
            {
                "error": 0,
                "message": "Success",
                "data": {"message_id": secrets.token_hex(10), "user_id": user_id},
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        if request.headers.get("secret_key") != self.app_secret:
            return web.json_response({"error": -14014, "error_name": "Invalid secret key"})
        form = await request.post()
        if form.get("app_id") != self.app_id:
            return web.json_response({"error": -14001, "error_name": "Invalid app id"})
        grant_type = form.get("grant_type")
        if grant_type == "refresh_token":
            token = str(form.get("refresh_token") or "")
            self.refresh_requests.append(token)
            if self.refresh_delay:
                await asyncio.sleep(self.refresh_delay)
            if self._token_failures:
                injected = self._token_failures.popleft()
                return web.json_response(injected.body, status=injected.status)
            if not self.refresh_tokens.get(token):
                return web.json_response(
                    {
                        "error": -14020,
                        "error_name": "Invalid refresh token",
                        "error_description": "refresh token is invalid or was used",
                    }
                )
            self.refresh_tokens[token] = False  # single use
            return web.json_response(self._issue())
        if grant_type == "authorization_code":
            code = str(form.get("code") or "")
            verifier = str(form.get("code_verifier") or "")
            known = self.codes.pop(code, None)
            if known is None:
                return web.json_response(
                    {"error": -14019, "error_name": "Invalid authorization code"}
                )
            if _challenge(verifier) != known[0]:
                return web.json_response({"error": -14022, "error_name": "Invalid code verifier"})
            return web.json_response(self._issue())
        return web.json_response({"error": -14003, "error_name": "Invalid grant type"})

    async def _permission(self, request: web.Request) -> web.Response:
        """The admin's browser: Zalo asks the admin, who allows; then the redirect."""
        query = request.query
        if (
            query.get("app_id") != self.app_id
            or not query.get("code_challenge")
            or not query.get("redirect_uri")
        ):
            return web.Response(status=400, text="missing app_id, redirect_uri or code_challenge")
        code = "code-" + secrets.token_urlsafe(16)
        self.codes[code] = (query["code_challenge"], query["redirect_uri"])
        target = (
            query["redirect_uri"]
            + "?"
            + urlencode({"code": code, "oa_id": self.oa_id, "state": query.get("state", "")})
        )
        raise web.HTTPFound(target)


def _check_cs(body: Any) -> str | None:
    """What the fake OA insists on in a consultation message (verify: Zalo's limits)."""
    if not isinstance(body, dict):
        return "body"
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("user_id"), str):
        return "recipient.user_id must be a string"
    message = body.get("message")
    if not isinstance(message, dict):
        return "message"
    text = message.get("text")
    attachment = message.get("attachment")
    if text is None and attachment is None:
        return "text or attachment"
    if text is not None and (not isinstance(text, str) or not 1 <= _units(text) <= 2000):
        return "text must be 1-2000 characters"
    if attachment is not None:
        if not isinstance(attachment, dict) or attachment.get("type") != "template":
            return "attachment.type"
        payload = attachment.get("payload") or {}
        buttons = payload.get("buttons")
        if buttons is not None:
            if not isinstance(buttons, list) or not 1 <= len(buttons) <= 5:
                return "1-5 buttons"
            for button in buttons:
                if not isinstance(button.get("title"), str) or not 1 <= len(button["title"]) <= 100:
                    return "button title"
                if button.get("type") == "oa.query.show":
                    if not isinstance(button.get("payload"), str) or len(button["payload"]) > 1000:
                        return "query payload"
                elif button.get("type") == "oa.open.url":
                    if (
                        not isinstance(button.get("payload"), dict)
                        or "url" not in button["payload"]
                    ):
                        return "url payload"
                else:
                    return "button type"
        elif payload.get("template_type") == "media":
            elements = payload.get("elements") or []
            if not elements or not str(elements[0].get("url", "")).startswith("http"):
                return "media url"
        else:
            return "template payload"
    return None
