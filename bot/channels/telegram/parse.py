"""Telegram updates into channel-neutral ``Incoming`` messages (pure, no I/O).

python-telegram-bot's ``Update.de_json`` reads the update, so a shape it cannot read
raises here and the processor records the update as failed (a poison update) instead
of retrying it.

Decisions:
- Edited messages are ignored. An edit usually fixes a typo in a message that was
  already answered; replaying it as new text would answer twice, or feed an old answer
  into whatever step the conversation has moved on to. The ingress does not even store
  them.
- Photos arrive as the largest size's ``file_id``; stickers, documents, voice and video
  as attachments of their kind, with the caption (if any) as text.
- A shared contact is "own" only when its ``user_id`` is the sender's: Telegram's
  share-my-number button produces exactly that, a forwarded card does not.
- In groups, a command addressed to another bot (``/start@other_bot``) is not ours.
- Channel posts, member changes, inline queries and other update kinds produce nothing.
- On a bot serving several communes, pressing a commune in the chooser is ``/start``
  for that commune.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from telegram import CallbackQuery, Message, Update

from bot.channels.base import parse_command
from bot.channels.telegram import NAME
from bot.types import Attachment, Contact, Incoming, Location, UserRef

GROUP_TYPES = frozenset({"group", "supergroup"})
INVALID = "invalid_update"  # key of the payload the ingress stores for an unreadable body
CHOOSE_PREFIX = "xa:"  # a commune chosen on a bot serving several (see ``chooser``)
_ADDRESSED = re.compile(r"^/[A-Za-z0-9_]+@([A-Za-z0-9_]+)")


class TelegramChannel:
    name = NAME

    def __init__(self, bot_usernames: Iterable[str] = ()) -> None:
        # Lower-cased usernames of our bots; empty means "accept any addressee".
        self.bot_usernames = {u.lower().lstrip("@") for u in bot_usernames if u}

    def update_key(self, payload: dict[str, Any]) -> str:
        return str(payload["update_id"])

    def conversation_key(self, payload: dict[str, Any]) -> str:
        origin = sender_and_chat(payload)
        return f"user:{origin[0]}" if origin else "unknown"

    def parse(self, payload: dict[str, Any]) -> list[Incoming]:
        if INVALID in payload:
            raise ValueError(f"not a Telegram update: {str(payload[INVALID])[:200]!r}")
        update = Update.de_json(payload, None)
        if update is None:
            raise ValueError("empty update")
        key = str(update.update_id)
        if update.message is not None:
            return self._message(update.message, key, payload)
        if update.callback_query is not None:
            return self._callback(update.callback_query, key, payload)
        return []

    def _message(self, msg: Message, key: str, raw: dict[str, Any]) -> list[Incoming]:
        sender = msg.from_user
        if sender is None or sender.is_bot or msg.chat.type not in (*GROUP_TYPES, "private"):
            return []
        is_group = msg.chat.type in GROUP_TYPES
        user = UserRef(NAME, str(sender.id), str(msg.chat.id), sender.full_name or None)
        text = msg.text or msg.caption or ""
        command = argument = None
        if msg.text and msg.text.startswith("/"):
            if self.addressed_elsewhere(msg.text):
                return []
            command, argument = parse_command(msg.text)
        contact = None
        if msg.contact is not None:
            c = msg.contact
            name = " ".join(p for p in (c.first_name, c.last_name) if p) or None
            contact = Contact(c.phone_number, name, own=c.user_id == sender.id)
        location = None
        if msg.location is not None:
            location = Location(msg.location.latitude, msg.location.longitude)
        return [
            Incoming(
                user,
                text=text,
                payload=argument,
                command=command,
                message_id=key,
                attachments=attachments(msg),
                location=location,
                contact=contact,
                is_group=is_group,
                raw=raw,
            )
        ]

    def addressed_elsewhere(self, text: str) -> bool:
        """``/start@other_bot``: a command for another bot in the same group."""
        addressed = _ADDRESSED.match(text)
        return bool(
            addressed and self.bot_usernames and addressed[1].lower() not in self.bot_usernames
        )

    def _callback(self, query: CallbackQuery, key: str, raw: dict[str, Any]) -> list[Incoming]:
        if query.data is None or query.from_user.is_bot:
            return []  # a game button, or nothing we sent
        chat = query.message.chat if query.message is not None else None
        chat_id = str(chat.id) if chat is not None else str(query.from_user.id)
        user = UserRef(NAME, str(query.from_user.id), chat_id, query.from_user.full_name or None)
        is_group = chat is not None and chat.type in GROUP_TYPES
        if query.data.startswith(CHOOSE_PREFIX):
            # The commune was chosen (the ingress stored the update under it): start there.
            return [Incoming(user, text="/start", command="start", message_id=key, raw=raw)]
        return [Incoming(user, payload=query.data, message_id=key, is_group=is_group, raw=raw)]


def attachments(msg: Message) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if msg.photo:
        largest = max(msg.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        found.append(Attachment("photo", largest.file_id, "image/jpeg", largest.file_size))
    if msg.sticker is not None:
        s = msg.sticker
        mime = "video/webm" if s.is_video else "application/x-tgsticker" if s.is_animated else None
        found.append(Attachment("sticker", s.file_id, mime or "image/webp", s.file_size))
    if msg.document is not None:
        d = msg.document
        found.append(Attachment("document", d.file_id, d.mime_type, d.file_size))
    for audio in (msg.voice, msg.audio):
        if audio is not None:
            found.append(Attachment("audio", audio.file_id, audio.mime_type, audio.file_size))
    if msg.video is not None:
        v = msg.video
        found.append(Attachment("video", v.file_id, v.mime_type, v.file_size))
    return tuple(found)


def sender_and_chat(payload: dict[str, Any]) -> tuple[str, str, str] | None:
    """(sender id, chat id, chat type) of a message or button press, from the raw JSON.

    Used before storing (admission, ordering), so it reads the dict without parsing.
    """
    for kind in ("message", "edited_message"):
        msg = payload.get(kind)
        if isinstance(msg, dict):
            sender, chat = msg.get("from"), msg.get("chat")
            if isinstance(sender, dict) and isinstance(chat, dict):
                return str(sender.get("id")), str(chat.get("id")), str(chat.get("type"))
            return None
    query = payload.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("from"), dict):
        sender_id = str(query["from"].get("id"))
        message = query.get("message")
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict):
            return sender_id, str(chat.get("id")), str(chat.get("type"))
        return sender_id, sender_id, "private"
    return None
