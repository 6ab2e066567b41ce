"""Zalo Bot updates to ``Incoming`` messages. Pure: tested from captured payloads.

An update looks like ``{"event_name": "message.text.received", "message": {...}}``;
``getUpdates`` and some webhook deliveries wrap it in ``{"ok": true, "result": {...}}``
(verify: both shapes are seen in the wild, so both are accepted everywhere).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.channels.base import INVALID, parse_command
from bot.channels.zalo_bot import NAME
from bot.types import Attachment, Incoming, UserRef

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class BadUpdate(ValueError):
    """The body is not a Zalo Bot update."""


def unwrap(body: Any) -> dict[str, Any]:
    """The update itself, whether it came flat or as ``{"ok": true, "result": {...}}``."""
    if not isinstance(body, dict):
        raise BadUpdate("an update is a JSON object")
    if "event_name" not in body and body.get("ok") is True and isinstance(body.get("result"), dict):
        body = body["result"]
    if not isinstance(body.get("event_name"), str):
        raise BadUpdate("an update has an event_name")
    return dict(body)


def _message(update: dict[str, Any]) -> dict[str, Any]:
    message = update.get("message")
    return message if isinstance(message, dict) else {}


def _id(value: Any) -> str | None:
    """Ids as strings: Zalo ids overflow JSON numbers in some clients."""
    if value is None or value == "":
        return None
    return str(value)


class ZaloBot:
    name = NAME

    def update_key(self, payload: dict[str, Any]) -> str:
        update = unwrap(payload)
        message_id = _id(_message(update).get("message_id"))
        if message_id is not None:
            return f"{update['event_name']}:{message_id}"[:200]
        digest = hashlib.sha256(json.dumps(update, sort_keys=True).encode()).hexdigest()
        return f"{update['event_name']}:sha256:{digest[:40]}"

    def conversation_key(self, payload: dict[str, Any]) -> str:
        message = _message(unwrap(payload))
        sender = _obj(message.get("from"))
        chat = _obj(message.get("chat"))
        return _id(sender.get("id")) or _id(chat.get("id")) or "unknown"

    def parse(self, payload: dict[str, Any]) -> list[Incoming]:
        if INVALID in payload:
            raise ValueError(f"not a Zalo Bot update: {payload.get('reason')}")
        update = unwrap(payload)
        message = _message(update)
        sender = _obj(message.get("from"))
        chat = _obj(message.get("chat"))
        user_id = _id(sender.get("id"))
        if user_id is None or sender.get("is_bot") is True:
            return []
        chat_id = _id(chat.get("id")) or user_id
        name = sender.get("display_name") or sender.get("name")
        user = UserRef(NAME, user_id, chat_id, str(name) if name else None)
        message_id = _id(message.get("message_id"))
        is_group = str(chat.get("chat_type") or "").upper() == "GROUP"
        event = update["event_name"]
        if event == TEXT:
            text = str(message.get("text") or "")
            if text.startswith("/"):
                command, argument = parse_command(text)
                if command is not None:
                    return [
                        Incoming(
                            user,
                            text=text,
                            command=command,
                            payload=argument,
                            message_id=message_id,
                            is_group=is_group,
                            raw=update,
                        )
                    ]
            return [Incoming(user, text=text, message_id=message_id, is_group=is_group, raw=update)]
        if event in (IMAGE, STICKER):
            kind = "photo" if event == IMAGE else "sticker"
            caption = str(message.get("caption") or "") if event == IMAGE else ""
            return [
                Incoming(
                    user,
                    text=caption,
                    message_id=message_id,
                    attachments=(Attachment(kind, _media_url(message) or ""),),
                    is_group=is_group,
                    raw=update,
                )
            ]
        if event == UNSUPPORTED:
            # A voice note, a file, a video...: the resident still gets an answer.
            return [
                Incoming(
                    user,
                    message_id=message_id,
                    attachments=(Attachment("document", ""),),
                    is_group=is_group,
                    raw=update,
                )
            ]
        return []


def _media_url(message: dict[str, Any]) -> str | None:
    """The image or sticker URL; the field name varies between captures (verify)."""
    for key in ("photo_url", "url", "sticker_url", "photo", "sticker"):
        value = message.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
