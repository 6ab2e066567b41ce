"""A fake Telegram Bot API server on loopback, strict enough to fail tests.

The real python-telegram-bot client talks to it through its ``base_url`` setting
(``<root>/bot<token>/<method>``). Every call is checked against the published method and
type tables (``telegram_spec``): an unknown method, an unknown parameter, a missing
required field or a wrong type is answered 400 (404 for a method) as Telegram would, and
recorded in ``violations``. So is what Telegram rejects beyond shape: HTML that does not
parse, a text over 4096 characters, ``callback_data`` over 64 bytes. A test fixture
asserts ``violations == []`` at the end.

It also referees Telegram's flood limits (per chat ~1 message/s with short bursts, 30/s
per bot, 20/minute per group), counting breaches instead of answering 429, so a test can
show a sender stays inside them; and it can inject faults: 429 with ``retry_after``, 5xx,
slow answers (client time-outs), 403 "blocked by the user", 400 "chat not found", or hold
send calls until released (a message whose sender died while held is not delivered).

Updates reach the bot either through ``deliver`` (a webhook POST with the secret header,
as Telegram does, including methods the bot answers in the webhook response) or through
``push_update`` and ``getUpdates`` (polling).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.telegram_spec import BotApiSpec, html_problem, utf16_length, visible_text

SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendLocation",
        "sendContact",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Fault:
    """What the fake answers instead of success."""

    status: int
    description: str
    retry_after: int | None = None
    delay: float = 0.0  # answer this late (the client may have given up)
    migrate_to_chat_id: int | None = None

    @classmethod
    def too_many_requests(cls, retry_after: int = 1) -> Fault:
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        return cls(status, "Internal Server Error" if status == 500 else "Bad Gateway")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Answer success, but only after ``seconds`` (a client time-out, usually)."""
        return cls(200, "", delay=seconds)

    @classmethod
    def blocked(cls) -> Fault:
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def chat_not_found(cls) -> Fault:
        return cls(400, "Bad Request: chat not found")

    @classmethod
    def bad_request(cls, description: str = "Bad Request: message to edit not found") -> Fault:
        return cls(400, description)

    @classmethod
    def migrated(cls, new_chat_id: int) -> Fault:
        """A group that became a supergroup answers with its new id."""
        return cls(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=new_chat_id,
        )


@dataclass
class _Injection:
    method: str
    fault: Fault
    times: int
    chat_id: str | None
    skip: int = 0


@dataclass(frozen=True)
class Call:
    token: str
    method: str
    params: dict[str, Any]
    at: float
    via_webhook_response: bool = False


@dataclass(frozen=True)
class SentMessage:
    """A message the fake delivered to a chat."""

    token: str
    method: str
    chat_id: str
    text: str  # visible text (HTML parsed)
    params: dict[str, Any]
    at: float
    message_id: int

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    @property
    def inline_buttons(self) -> list[dict[str, Any]]:
        markup = self.reply_markup or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass(frozen=True)
class RateRules:
    """Telegram's published flood limits, as the referee applies them."""

    chat_interval: float = 1.0  # one message per second per chat...
    chat_burst: int = 3  # ...with short bursts of this many
    global_per_second: int = 30  # per bot
    group_per_minute: int = 20  # per group chat
    tolerance: float = 0.02  # loopback jitter between the sender's clock and ours


class RateReferee:
    """Counts sends that break the flood limits (per bot token)."""

    def __init__(self, rules: RateRules) -> None:
        self.rules = rules
        self.violations: list[str] = []
        self._chat_tat: dict[tuple[str, str], float] = {}
        self._global: dict[str, deque[float]] = {}
        self._groups: dict[tuple[str, str], deque[float]] = {}

    def record(self, token: str, chat_id: str, now: float) -> None:
        r = self.rules
        # Per chat: a GCRA check (token bucket of ``chat_burst`` refilled every interval).
        key = (token, chat_id)
        tat = self._chat_tat.get(key, now)
        if now < tat - (r.chat_burst - 1) * r.chat_interval - r.tolerance:
            self.violations.append(
                f"chat {chat_id}: faster than 1/s beyond a burst of {r.chat_burst}"
            )
        self._chat_tat[key] = max(tat, now) + r.chat_interval
        # Per bot: at most N in any one-second window.
        window = self._global.setdefault(token, deque(maxlen=r.global_per_second))
        if len(window) == window.maxlen and now - window[0] < 1.0 - r.tolerance:
            self.violations.append(f"bot: more than {r.global_per_second} messages in one second")
        window.append(now)
        if chat_id.startswith("-"):
            group = self._groups.setdefault(key, deque(maxlen=r.group_per_minute))
            if len(group) == group.maxlen and now - group[0] < 60.0 - r.tolerance:
                self.violations.append(
                    f"group {chat_id}: more than {r.group_per_minute} messages in a minute"
                )
            group.append(now)


@dataclass
class WebhookState:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Bot:
    token: str
    id: int
    username: str
    webhook: WebhookState = field(default_factory=WebhookState)
    updates: list[dict[str, Any]] = field(default_factory=list)  # for getUpdates
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class FakeBotApi:
    """The fake server. ``async with FakeBotApi() as api:``; ``api.url`` is the API root."""

    def __init__(
        self,
        *,
        rules: RateRules | None = None,
        spec: BotApiSpec | None = None,
        known_tokens: set[str] | None = None,
    ) -> None:
        self.spec = spec or BotApiSpec.load()
        self.referee = RateReferee(rules or RateRules())
        self.known_tokens = known_tokens
        self.calls: list[Call] = []
        self.sent: list[SentMessage] = []
        self.abandoned: list[Call] = []  # held or slow calls whose client went away
        self.problems: list[str] = []
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and downloads
        self._bots: dict[str, _Bot] = {}
        self._injections: list[_Injection] = []
        self._message_ids = itertools.count(1000)
        self._hold: asyncio.Event | None = None
        self.held = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.url = ""

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=50 * 1024**2)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}"
        return self.url

    async def close(self) -> None:
        if self._hold is not None:
            self._hold.set()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- what tests look at -------------------------------------------------------------------

    @property
    def violations(self) -> list[str]:
        """Spec and flood-limit breaches, in arrival order of their kind."""
        return [*self.problems, *self.referee.violations]

    def bot(self, token: str) -> _Bot:
        if token not in self._bots:
            bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
            self._bots[token] = _Bot(token, bot_id, f"fake{bot_id}_bot")
        return self._bots[token]

    def webhook(self, token: str) -> WebhookState:
        return self.bot(token).webhook

    def commands(self, token: str, scope: str = "default", language: str = "") -> list[str]:
        return [c["command"] for c in self.bot(token).commands.get(f"{scope}:{language}", [])]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def messages_to(self, chat_id: str | int) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == str(chat_id)]

    def answered_callbacks(self) -> list[str]:
        return [
            str(c.params.get("callback_query_id")) for c in self.calls_to("answerCallbackQuery")
        ]

    async def wait_until(
        self, predicate: Callable[[], bool], within: float = 10.0, what: str = "condition"
    ) -> None:
        """Wait for ``predicate`` to hold, re-checking whenever a call arrives."""
        deadline = asyncio.get_running_loop().time() + within
        async with self._changed:
            while not predicate():
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    raise TimeoutError(f"fake Bot API: timed out waiting for {what}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    # --- scripting ----------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        fault: Fault,
        *,
        times: int = 1,
        chat_id: str | int | None = None,
        skip: int = 0,
    ) -> None:
        """Answer ``times`` calls of ``method`` (to ``chat_id``) with ``fault``, after
        letting ``skip`` such calls through."""
        chat = None if chat_id is None else str(chat_id)
        self._injections.append(_Injection(method, fault, times, chat, skip))

    def hold_sends(self) -> None:
        """Keep send calls waiting (undelivered) until ``release_sends``."""
        self._hold = asyncio.Event()

    def release_sends(self) -> None:
        if self._hold is not None:
            self._hold.set()
            self._hold = None

    def push_update(self, token: str, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        self.bot(token).updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())

    def set_webhook_error(self, token: str, message: str, when: int | None = None) -> None:
        state = self.webhook(token)
        state.last_error_message = message
        state.last_error_date = when or int(time.time())

    async def deliver(
        self,
        token: str,
        update: dict[str, Any] | bytes,
        *,
        secret: str | None = None,
        url: str | None = None,
    ) -> tuple[int, dict[str, Any] | None]:
        """POST an update to the bot's webhook as Telegram does; returns (status, body).

        A method in the response body (``{"method": "answerCallbackQuery", ...}``) is
        checked and carried out like a call.
        """
        state = self.webhook(token)
        target = url or state.url
        if not target:
            raise AssertionError("no webhook set for this bot")
        headers = {"Content-Type": "application/json"}
        secret = state.secret_token if secret is None else secret
        if secret:
            headers[SECRET_HEADER] = secret
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        if self._client is None:
            self._client = aiohttp.ClientSession()
        async with self._client.post(target, data=body, headers=headers) as response:
            raw = await response.read()
            status = response.status
        reply: dict[str, Any] | None = None
        if raw.strip():
            with contextlib.suppress(ValueError):
                parsed = json.loads(raw)
                reply = parsed if isinstance(parsed, dict) else None
        if status == 200 and reply and "method" in reply:
            params = {k: v for k, v in reply.items() if k != "method"}
            method = str(reply["method"])
            problems = self.spec.check_call(method, params)
            self.calls.append(Call(token, method, params, time.monotonic(), True))
            if problems:
                self.problems += [f"webhook response: {p}" for p in problems]
            await self._notify()
        return status, reply

    # --- the server -------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method_name = request.match_info["method"]
        if self.known_tokens is not None and token not in self.known_tokens:
            return _error(401, "Unauthorized")
        method = self.spec.method_key(method_name)
        if method is None:
            self.problems.append(f"unknown method {method_name!r}")
            return _error(404, "Not Found")
        params, files = await self._params(request, method)
        call = Call(token, method, params, time.monotonic())
        self.calls.append(call)
        try:
            problems = self.spec.check_call(method, params, files=frozenset(files))
            if not problems:
                problems = self._semantic_problems(method, params)
            if problems:
                self.problems += problems
                return _error(400, "Bad Request: " + "; ".join(problems))
            return await self._answer(request, token, method, params, call)
        finally:
            await self._notify()

    async def _params(self, request: web.Request, method: str) -> tuple[dict[str, Any], set[str]]:
        files: set[str] = set()
        if request.content_type == "application/json":
            body = await request.json()
            return (dict(body) if isinstance(body, dict) else {}), files
        raw: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, str):
                    raw[name] = value
                else:
                    files.add(name)
        params = {k: self.spec.decode_form_value(method, k, v) for k, v in raw.items()}
        return params, files

    def _semantic_problems(self, method: str, params: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        text_key = "text" if method == "sendMessage" else "caption"
        text = params.get(text_key)
        if isinstance(text, str):
            parse_mode = params.get("parse_mode")
            if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
                problem = html_problem(text)
                if problem:
                    problems.append(f"{method}.{text_key}: {problem}")
            limit = 4096 if text_key == "text" else 1024
            length = utf16_length(visible_text(text, parse_mode))
            if text_key == "text" and length == 0:
                problems.append("sendMessage: message text is empty")
            if length > limit:
                problems.append(f"{method}.{text_key}: {length} characters, over {limit}")
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    if isinstance(data, str) and not 1 <= len(data.encode()) <= 64:
                        problems.append(f"{method}: callback_data {data!r} is not 1-64 bytes")
        if method == "answerCallbackQuery" and len(str(params.get("text", ""))) > 200:
            problems.append("answerCallbackQuery: text over 200 characters")
        return problems

    def _take_injection(self, method: str, chat_id: str | None) -> Fault | None:
        for injection in self._injections:
            if injection.method == method and injection.chat_id in (None, chat_id):
                if injection.skip > 0:
                    injection.skip -= 1
                    return None
                injection.times -= 1
                if injection.times <= 0:
                    self._injections.remove(injection)
                return injection.fault
        return None

    async def _client_gone(self, request: web.Request, seconds: float | None) -> bool:
        """Wait (for ``seconds`` or while held); True if the client disconnected meanwhile."""
        loop = asyncio.get_running_loop()
        deadline = None if seconds is None else loop.time() + seconds
        while True:
            transport = request.transport
            if transport is None or transport.is_closing():
                return True
            if deadline is not None and loop.time() >= deadline:
                return False
            if deadline is None and (self._hold is None or self._hold.is_set()):
                return False
            await asyncio.sleep(0.02)

    async def _answer(
        self, request: web.Request, token: str, method: str, params: dict[str, Any], call: Call
    ) -> web.StreamResponse:
        chat_id = str(params["chat_id"]) if "chat_id" in params else None
        fault = self._take_injection(method, chat_id)
        if fault is not None and fault.delay:
            if await self._client_gone(request, fault.delay):
                self.abandoned.append(call)
                return _error(500, "client went away")
            fault = None
        if fault is not None:
            return _error(
                fault.status, fault.description, fault.retry_after, fault.migrate_to_chat_id
            )
        if method in SEND_METHODS and self._hold is not None and not self._hold.is_set():
            self.held += 1
            await self._notify()
            try:
                if await self._client_gone(request, None):
                    self.abandoned.append(call)
                    return _error(500, "client went away")
            finally:
                self.held -= 1
        bot = self.bot(token)
        handler = getattr(self, f"_m_{method}", None)
        if handler is not None:
            result = handler(bot, params)
        elif method in SEND_METHODS:
            result = self._deliver_message(bot, method, params)
        else:
            result = True
        if isinstance(result, web.StreamResponse):
            return result
        if method == "getUpdates":
            result = await self._get_updates(bot, params)
            if isinstance(result, web.StreamResponse):
                return result
        return web.json_response({"ok": True, "result": result})

    def _deliver_message(self, bot: _Bot, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = str(params["chat_id"])
        now = time.monotonic()
        self.referee.record(bot.token, chat_id, now)
        message_id = next(self._message_ids)
        text_key = "text" if method == "sendMessage" else "caption"
        raw_text = params.get(text_key)
        text = visible_text(raw_text, params.get("parse_mode")) if isinstance(raw_text, str) else ""
        self.sent.append(SentMessage(bot.token, method, chat_id, text, params, now, message_id))
        numeric = int(chat_id) if chat_id.lstrip("-").isdigit() else 0
        chat: dict[str, Any] = {"id": numeric, "type": "private" if numeric > 0 else "supergroup"}
        if numeric < 0:
            chat["title"] = "Nhóm"
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": bot.id, "is_bot": True, "first_name": "Bot", "username": bot.username},
        }
        if method == "sendMessage":
            message["text"] = text
        elif method == "sendPhoto":
            message["photo"] = [
                {
                    "file_id": f"photo-{message_id}",
                    "file_unique_id": f"u{message_id}",
                    "width": 640,
                    "height": 480,
                }
            ]
        return message

    # --- methods with state -------------------------------------------------------------------

    def _m_getMe(self, bot: _Bot, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": bot.id,
            "is_bot": True,
            "first_name": "Một cửa",
            "username": bot.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_setWebhook(self, bot: _Bot, params: dict[str, Any]) -> bool:
        bot.webhook = WebhookState(
            url=str(params["url"]),
            secret_token=params.get("secret_token"),
            allowed_updates=params.get("allowed_updates"),
            max_connections=params.get("max_connections"),
        )
        if params.get("drop_pending_updates"):
            bot.updates.clear()
        return True

    def _m_deleteWebhook(self, bot: _Bot, params: dict[str, Any]) -> bool:
        bot.webhook = WebhookState()
        if params.get("drop_pending_updates"):
            bot.updates.clear()
        return True

    def _m_getWebhookInfo(self, bot: _Bot, params: dict[str, Any]) -> dict[str, Any]:
        state = bot.webhook
        info: dict[str, Any] = {
            "url": state.url,
            "has_custom_certificate": False,
            "pending_update_count": len(bot.updates),
        }
        if state.url:
            info["max_connections"] = state.max_connections or 40
            info["ip_address"] = "127.0.0.1"
        if state.allowed_updates is not None:
            info["allowed_updates"] = state.allowed_updates
        if state.last_error_date is not None:
            info["last_error_date"] = state.last_error_date
            info["last_error_message"] = state.last_error_message or ""
        return info

    def _m_setMyCommands(self, bot: _Bot, params: dict[str, Any]) -> bool:
        scope = params.get("scope") or {"type": "default"}
        key = f"{scope.get('type', 'default')}:{params.get('language_code', '')}"
        bot.commands[key] = list(params["commands"])
        return True

    def _m_answerCallbackQuery(self, bot: _Bot, params: dict[str, Any]) -> bool:
        return True

    def _m_getFile(self, bot: _Bot, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        if size > 20 * 1024 * 1024:
            return _error(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": size,
            "file_path": f"photos/{file_id}.jpg",
        }

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].removeprefix("photos/").removesuffix(".jpg")
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="image/jpeg")

    async def _get_updates(
        self, bot: _Bot, params: dict[str, Any]
    ) -> list[dict[str, Any]] | web.Response:
        if bot.webhook.url:
            return _error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        timeout = float(params.get("timeout", 0) or 0)
        if offset:
            bot.updates[:] = [u for u in bot.updates if u["update_id"] >= offset]
        if not bot.updates and timeout > 0:
            with contextlib.suppress(TimeoutError):
                await self.wait_until(lambda: bool(bot.updates), within=timeout)
        return bot.updates[:limit]


def _error(
    status: int,
    description: str,
    retry_after: int | None = None,
    migrate_to_chat_id: int | None = None,
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    if migrate_to_chat_id is not None:
        body["parameters"] = {"migrate_to_chat_id": migrate_to_chat_id}
    return web.json_response(body, status=status)
