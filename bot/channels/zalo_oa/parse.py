"""Zalo OA webhook events to ``Incoming`` messages. Pure: tested from captured payloads.

An event is ``{"app_id", "event_name", "timestamp", "sender": {"id"}, "recipient":
{"id"}, "message": {...}}``; ``follow``/``unfollow`` carry ``follower`` instead of a
message. Ids are strings (they overflow JSON numbers).

A tapped query button (``oa.query.show``) comes back as a text the resident "sent":
the adapter renders it as ``<label> #<payload>`` (see render.py), and this module reads
the payload back, so a tap on an old message still means what it said.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from bot.channels.base import INVALID, parse_command
from bot.channels.zalo_oa import NAME
from bot.sanitize import is_place
from bot.types import Attachment, Incoming, Location, UserRef

TEXT = "user_send_text"
IMAGE = "user_send_image"
LOCATION = "user_send_location"
FOLLOW = "follow"
UNFOLLOW = "unfollow"
MEDIA = {
    "user_send_image": "photo",
    "user_send_gif": "photo",
    "user_send_sticker": "sticker",
    "user_send_file": "document",
    "user_send_audio": "audio",
    "user_send_video": "document",
    "user_send_business_card": "document",
    "user_send_link": "document",
}

# "<label> #<payload>": what a query button sends back (see render.query_text).
_BUTTON = re.compile(r"^(?:(?P<label>.*\S)\s+)?#(?P<payload>[^\s#]{1,64})$", re.S)


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def button_payload(text: str) -> str | None:
    """The payload of a tapped query button, or None for an ordinary text."""
    match = _BUTTON.match(text.strip())
    return match.group("payload") if match else None


def _id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _user_id(event: dict[str, Any]) -> str | None:
    for key in ("sender", "follower", "user"):
        part = event.get(key)
        if isinstance(part, dict) and _id(part.get("id")) is not None:
            return _id(part.get("id"))
    return None


def _message(event: dict[str, Any]) -> dict[str, Any]:
    message = event.get("message")
    return message if isinstance(message, dict) else {}


class ZaloOA:
    name = NAME

    def update_key(self, payload: dict[str, Any]) -> str:
        event = str(payload.get("event_name") or "")
        msg_id = _id(_message(payload).get("msg_id"))
        if msg_id is not None:
            return f"{event}:{msg_id}"[:200]
        user = _user_id(payload) or "-"
        timestamp = _id(payload.get("timestamp"))
        if timestamp is not None:
            return f"{event}:{user}:{timestamp}"[:200]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        return f"{event}:sha256:{digest[:40]}"

    def conversation_key(self, payload: dict[str, Any]) -> str:
        return _user_id(payload) or "unknown"

    def parse(self, payload: dict[str, Any]) -> list[Incoming]:
        if INVALID in payload:
            raise ValueError(f"not a Zalo OA event: {payload.get('reason')}")
        event = str(payload.get("event_name") or "")
        user_id = _user_id(payload)
        if user_id is None or not (event.startswith("user_send_") or event == FOLLOW):
            # oa_send_* (staff answering from the OA manager), seen/received receipts,
            # unfollow: nothing for the bot to answer.
            return []
        name = None
        sender = payload.get("sender")
        if isinstance(sender, dict) and sender.get("display_name"):
            name = str(sender["display_name"])
        user = UserRef(NAME, user_id, user_id, name)
        message = _message(payload)
        message_id = _id(message.get("msg_id"))
        if event == FOLLOW:
            # Following is the OA's "Start": greet the resident.
            return [Incoming(user, command="start", message_id=message_id, raw=payload)]
        if event == TEXT:
            text = str(message.get("text") or "")
            payload_ = button_payload(text)
            if payload_ is not None:
                return [Incoming(user, payload=payload_, message_id=message_id, raw=payload)]
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
                            raw=payload,
                        )
                    ]
            return [Incoming(user, text=text, message_id=message_id, raw=payload)]
        if event == LOCATION:
            return [Incoming(user, location=_location(message), message_id=message_id, raw=payload)]
        kind = MEDIA.get(event, "document")
        return [
            Incoming(
                user,
                attachments=tuple(_attachments(message, kind)) or (Attachment(kind, ""),),
                message_id=message_id,
                raw=payload,
            )
        ]


def _attachments(message: dict[str, Any], kind: str) -> list[Attachment]:
    found: list[Attachment] = []
    for item in message.get("attachments") or ():
        if not isinstance(item, dict):
            continue
        body = _obj(item.get("payload"))
        ref = body.get("url") or body.get("thumbnail") or ""
        found.append(Attachment(kind, str(ref)))
    return found


def _location(message: dict[str, Any]) -> Location | None:
    """Coordinates arrive as strings in ``attachments[0].payload.coordinates``."""
    for item in message.get("attachments") or ():
        if not isinstance(item, dict):
            continue
        body = _obj(item.get("payload"))
        coordinates = body.get("coordinates")
        if isinstance(coordinates, dict):
            try:
                found = Location(float(coordinates["latitude"]), float(coordinates["longitude"]))
            except (KeyError, TypeError, ValueError):
                return None
            return found if is_place(found) else None  # float("nan") parses
    return None
