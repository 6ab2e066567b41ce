"""Sending replies through the Bot API, for the outbox relay.

The relay owns retries and ordering; this module only turns one outbox row into Bot API
calls inside Telegram's flood limits and translates python-telegram-bot's errors into
the core's delivery outcomes:

- ``RetryAfter`` (429) -> wait ``retry_after`` (the relay reschedules the row);
- ``Forbidden`` (403: blocked, kicked, deactivated) and "chat not found" -> the person
  is unreachable; retrying forever would only earn more 403s;
- network errors, time-outs and 5xx -> transient, retried with backoff;
- any other 400 -> ``Rejected``: the message itself is wrong, dead-lettered at once.

A long reply goes out as several messages. If a later part fails, the parts already
delivered are remembered for a while, so the retry does not send them twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import warnings
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from telegram import Bot, InputFile
from telegram import error as tg
from telegram.constants import ParseMode

from bot.channels.telegram.bots import MotcuaBot, bot_key
from bot.channels.telegram.ratelimit import FloodLimiter, FloodWait
from bot.channels.telegram.render import Part, render
from bot.delivery import (
    DeliveryError,
    RecipientUnreachable,
    Rejected,
    RetryAfter,
    TransientError,
    Undeliverable,
)
from bot.types import Reply

log = logging.getLogger(__name__)

UNREACHABLE_400 = ("chat not found", "user not found", "peer_id_invalid", "bot was kicked")
PROGRESS_TTL = 3600.0


class TelegramSender:
    def __init__(
        self,
        bots: Mapping[str, Bot],
        limiter: FloodLimiter | None = None,
        *,
        max_wait: float = 20.0,
    ) -> None:
        self.bots = dict(bots)  # by commune slug
        self.limiter = limiter
        self.max_wait = max_wait
        self._progress: dict[tuple[str, str, str], tuple[int, float]] = {}

    async def send(self, commune_slug: str, chat_id: str, reply: Reply) -> None:
        bot = self.bots.get(commune_slug)
        if bot is None:
            raise Undeliverable(f"no Telegram bot configured for commune {commune_slug!r}")
        parts = render(reply)
        if len(parts) == 1:  # nothing to resume: no digest to compute
            await self._send_part(bot, chat_id, parts[0])
            return
        key = (commune_slug, chat_id, _digest(reply))
        done = self._done(key)
        for index in range(done, len(parts)):
            try:
                await self._send_part(bot, chat_id, parts[index])
            except DeliveryError:
                if index > 0:
                    self._progress[key] = (index, time.monotonic())
                raise
        self._progress.pop(key, None)

    async def answer_callback(self, commune_slug: str, query_id: str) -> None:
        """Stop the button's spinner (polling mode; webhooks answer in the response)."""
        bot = self.bots.get(commune_slug)
        if bot is None:
            return
        try:
            await bot.answer_callback_query(query_id)
        except tg.TelegramError as exc:  # too old, already answered: nothing to do
            log.debug("answerCallbackQuery %s failed: %s", query_id, exc)

    async def _send_part(self, bot: Bot, chat_id: str, part: Part) -> None:
        if self.limiter is None:
            await _call_translated(bot, chat_id, part)
            return
        try:
            async with self.limiter.sending(bot_key(bot.token), chat_id, max_wait=self.max_wait):
                await _call_translated(bot, chat_id, part)
        except FloodWait as exc:
            raise RetryAfter(exc.seconds, "flood limit of this chat") from None

    def _done(self, key: tuple[str, str, str]) -> int:
        now = time.monotonic()
        if len(self._progress) > 1000:
            self._progress = {k: v for k, v in self._progress.items() if now - v[1] < PROGRESS_TTL}
        done, at = self._progress.get(key, (0, now))
        return done if now - at < PROGRESS_TTL else 0


async def _call_translated(bot: Bot, chat_id: str, part: Part) -> None:
    try:
        await _call(bot, chat_id, part)
    except tg.ChatMigrated as exc:
        # A group became a supergroup: same people, new id. Send there this time.
        log.warning("Telegram chat %s moved to %s; update the config", chat_id, exc.new_chat_id)
        try:
            await _call(bot, str(exc.new_chat_id), part)
        except tg.TelegramError as again:
            raise translate(again) from again
    except tg.TelegramError as exc:
        raise translate(exc) from exc


async def _call(bot: Bot, chat_id: str, part: Part) -> None:
    if part.photo:
        await bot.send_photo(chat_id=chat_id, photo=_photo(part.photo), reply_markup=part.markup)
        return
    assert part.text is not None
    if isinstance(bot, MotcuaBot):
        await bot.send_html(chat_id, part.text, part.markup)
        return
    await bot.send_message(
        chat_id=chat_id, text=part.text, parse_mode=ParseMode.HTML, reply_markup=part.markup
    )


def _photo(ref: str) -> str | InputFile:
    """A URL or Telegram file id is passed on; a local path is uploaded."""
    if ref.startswith(("http://", "https://")):
        return ref
    path = Path(ref)
    if path.is_absolute() or path.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp", ".gif"):
        try:
            return InputFile(path.read_bytes(), filename=path.name)
        except OSError as exc:
            raise Rejected(f"photo {ref!r} cannot be read: {exc}") from exc
    return ref


def translate(exc: tg.TelegramError) -> DeliveryError:
    """python-telegram-bot's error as the relay's outcome (see the module docstring)."""
    message = f"{type(exc).__name__}: {exc.message}"
    if isinstance(exc, tg.RetryAfter):
        return RetryAfter(retry_seconds(exc), "Telegram flood control")
    if isinstance(exc, tg.Forbidden):
        return RecipientUnreachable(message)
    if isinstance(exc, tg.BadRequest):  # before NetworkError: BadRequest is one
        if any(s in exc.message.lower() for s in UNREACHABLE_400):
            return RecipientUnreachable(message)
        return Rejected(message)
    if isinstance(exc, tg.NetworkError):  # TimedOut, 5xx, connection errors
        return TransientError(message)
    return DeliveryError(message)  # InvalidToken, Conflict...: retried, then dead-lettered


def retry_seconds(exc: tg.RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _digest(reply: Reply) -> str:
    data = json.dumps(reply.to_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:16]
