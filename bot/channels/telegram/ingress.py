"""What the webhook and polling share: admit an update, store it, hand it to a worker.

Storing comes before anything else that can fail, so an update Telegram considers
delivered is never lost; a repeated ``update_id`` is a no-op. What we will not handle is
not stored at all:

- edited messages (see ``parse``), channel posts, member changes and other kinds;
- group messages, except in the commune's staff group, from listed staff members, and
  only commands, button presses and replies to the bot: staff chatting among themselves
  is neither stored nor answered, whatever the bot's privacy mode in BotFather is.

A body that is not a readable update (bad JSON, no ``update_id``) is stored as a failed
"poison" item under a hash of the body, so it is on record and a redelivery of the same
body is recognised, and is never retried.

Storing goes through ``Processor.accept``, which writes updates arriving together in one
transaction (``bot.intake``) and queues them for processing.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import update as sql_update

from bot import inbox
from bot.channels.telegram import NAME
from bot.channels.telegram.chooser import SharedBot
from bot.channels.telegram.parse import GROUP_TYPES, INVALID, TelegramChannel, sender_and_chat
from bot.communes import CommuneProfile
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.db.models import InboxItem
from bot.outbox import Envelope, enqueue
from bot.sanitize import parse_json
from bot.throttle import ResidentLimits, Verdict

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]  # what we ask Telegram to send at all


class Outcome(enum.Enum):
    STORED = "stored"
    CHOOSER = "chooser"  # stored and answered with the commune chooser
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    POISON = "poison"
    THROTTLED = "throttled"  # over the resident's rate limit: on record, not processed


class Accepting(Protocol):
    """The part of ``bot.processing.Processor`` the ingress needs."""

    async def accept(
        self,
        commune: CommuneProfile,
        channel: str,
        update_key: str,
        payload: dict[str, Any],
        conversation: str | None = None,
    ) -> int | None: ...


class Ingress:
    def __init__(
        self,
        processor: Accepting,
        channel: TelegramChannel,
        db: Database | None = None,
        wake: Callable[[], None] = lambda: None,
        limits: ResidentLimits | None = None,
    ) -> None:
        self.processor = processor
        self.channel = channel
        self.db = db
        self.limits = limits
        self.wake = wake  # the outbox relay, when the ingress itself enqueues a reply

    async def take_body(
        self, commune: CommuneProfile, body: bytes, shared: SharedBot | None = None
    ) -> tuple[Outcome, Any]:
        """A webhook body: returns the outcome and the decoded update (if it decoded)."""
        try:
            update: Any = parse_json(body)
        except ValueError:
            update = None
        if not is_update(update):
            text = body.decode("utf-8", "replace")
            return await self._poison(commune, body, text), None
        return await self.take(commune, update, shared), update

    async def take(
        self, commune: CommuneProfile, update: Any, shared: SharedBot | None = None
    ) -> Outcome:
        """Store one update for ``commune`` (or, on a shared bot, the commune it is for)."""
        if not is_update(update):
            raw = json.dumps(update, ensure_ascii=False, default=str)
            return await self._poison(commune, raw.encode(), raw)
        if shared is not None:
            routed = await shared.route(update)
            if routed is None:
                return await self._choose(shared, update)
            commune = routed
        if not admitted(commune, update) or self._elsewhere(update):
            return Outcome.IGNORED
        key, conversation = self.channel.update_key(update), self.channel.conversation_key(update)
        held = await self._over_limit(commune, key, update)
        if held is not None:
            return held
        storing = self.processor.accept(commune, NAME, key, update, conversation)
        limited = self._limited(update)
        if limited is None:
            inbox_id = await storing
        else:
            limits, sender, _ = limited
            inbox_id = await limits.counted_if_stored(commune.id, NAME, sender, storing)
        return Outcome.DUPLICATE if inbox_id is None else Outcome.STORED

    def _limited(self, update: dict[str, Any]) -> tuple[ResidentLimits, str, str] | None:
        """The limits and the (sender, chat) an update counts for: private chats only;
        the staff group is not limited."""
        origin = sender_and_chat(update)
        if self.limits is None or origin is None or origin[2] != "private":
            return None
        return self.limits, origin[0], origin[1]

    async def _over_limit(
        self, commune: CommuneProfile, key: str, update: dict[str, Any]
    ) -> Outcome | None:
        """A resident over the rate limit: stored as throttled (see bot/throttle.py)."""
        limited = self._limited(update)
        if limited is None:
            return None
        limits, sender, chat = limited
        verdict = limits.check(commune.id, NAME, sender)
        if verdict is Verdict.ALLOW:
            return None
        held = await limits.hold(
            commune.id, NAME, key, update, user_id=sender, chat_id=chat, verdict=verdict
        )
        return Outcome.DUPLICATE if held is None else Outcome.THROTTLED

    def _elsewhere(self, update: dict[str, Any]) -> bool:
        message = update.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        return isinstance(text, str) and self.channel.addressed_elsewhere(text)

    async def _choose(self, shared: SharedBot, update: dict[str, Any]) -> Outcome:
        """Store the update as handled and answer it with the chooser, in one transaction."""
        origin = sender_and_chat(update)
        if self.db is None or origin is None or origin[2] != "private":
            return Outcome.IGNORED
        sender, chat, _ = origin
        first = shared.communes()[0]
        key = self.channel.update_key(update)
        now = utcnow()
        async with self.db.transaction(urgent=True) as session:
            inbox_id = await inbox.store(session, first.id, NAME, key, update, now)
            if inbox_id is None:
                return Outcome.DUPLICATE
            envelope = Envelope(NAME, chat, shared.chooser(), sender)
            enqueue(session, first.id, [envelope], inbox_id=inbox_id, now=now)
            await session.execute(
                sql_update(InboxItem)
                .where(InboxItem.id == inbox_id)
                .values(status=inbox.DONE, processed_at=now, attempts=1)
            )
        self.wake()
        return Outcome.CHOOSER

    async def _poison(self, commune: CommuneProfile, body: bytes, text: str) -> Outcome:
        key = "invalid:" + hashlib.sha256(body).hexdigest()[:40]
        log.warning("unreadable Telegram update for %s stored as %s", commune.slug, key)
        # Queued like any update: the parser refuses it, and that is recorded.
        await self.processor.accept(commune, NAME, key, {INVALID: text[:4000]}, "invalid")
        return Outcome.POISON


def is_update(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("update_id"), int)
        and not isinstance(value.get("update_id"), bool)
    )


def callback_query_id(update: Any) -> str | None:
    query = update.get("callback_query") if isinstance(update, dict) else None
    if isinstance(query, dict) and isinstance(query.get("id"), str):
        return str(query["id"])
    return None


def admitted(commune: CommuneProfile, update: dict[str, Any]) -> bool:
    """Whether to store and handle this update (see the module docstring)."""
    if "message" not in update and "callback_query" not in update:
        return False
    origin = sender_and_chat(update)
    if origin is None:
        return True  # malformed: the parser will refuse it and it is recorded as failed
    sender, chat, chat_type = origin
    if chat_type == "private":
        return True
    if chat_type not in GROUP_TYPES:
        return False
    if (NAME, chat) not in commune.staff_chats or not commune.is_staff(NAME, sender):
        return False
    if "callback_query" in update:
        return True
    message = update["message"]
    text = message.get("text")
    if isinstance(text, str) and text.startswith("/"):
        return True
    replied = message.get("reply_to_message")
    return isinstance(replied, dict) and bool((replied.get("from") or {}).get("is_bot"))
