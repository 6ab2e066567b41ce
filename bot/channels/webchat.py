"""The web chat: a page anyone can open, so the bot runs with no Telegram or Zalo account.

It is a pull channel: replies to a message come back in the HTTP response, and anything
sent later (a staff answer, a survey invitation) waits in the outbox until the page asks
for updates. A browser-generated session id stands in for the user id.
"""

from __future__ import annotations

import re
from typing import Any

from bot.channels.base import parse_command
from bot.types import Incoming, UserRef

NAME = "web"
MAX_TEXT = 2000
SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


class BadRequest(ValueError):
    """The request cannot be a chat message; the message is safe to show to the page."""


def validate(body: Any) -> dict[str, Any]:
    """Check a POST /api/chat body and return the payload to store in the inbox."""
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    session = body.get("session")
    if not isinstance(session, str) or not SESSION.match(session):
        raise BadRequest("session must be 8-64 characters of letters, digits, '-' or '_'")
    text = body.get("text")
    payload = body.get("payload")
    if text is not None and not isinstance(text, str):
        raise BadRequest("text must be a string")
    if payload is not None and (not isinstance(payload, str) or len(payload) > 64):
        raise BadRequest("payload must be a string of at most 64 characters")
    if not (text and text.strip()) and not payload:
        raise BadRequest("send a text or a payload")
    if text and len(text) > MAX_TEXT:
        raise BadRequest(f"text is longer than {MAX_TEXT} characters")
    message_id = body.get("id")
    if message_id is not None and (
        not isinstance(message_id, str) or not MESSAGE_ID.match(message_id)
    ):
        raise BadRequest("id must be up to 100 characters of letters, digits and '-_.:'")
    return {"session": session, "text": text or "", "payload": payload, "id": message_id}


class WebChat:
    name = NAME

    def update_key(self, payload: dict[str, Any]) -> str:
        return f"{payload['session']}:{payload['id']}"

    def conversation_key(self, payload: dict[str, Any]) -> str:
        return str(payload["session"])

    def parse(self, payload: dict[str, Any]) -> list[Incoming]:
        session = str(payload["session"])
        user = UserRef(NAME, session, session)
        text = str(payload.get("text") or "")
        command, argument = parse_command(text) if text.startswith("/") else (None, None)
        if command is not None:
            return [
                Incoming(
                    user, text=text, command=command, payload=argument, message_id=payload.get("id")
                )
            ]
        return [
            Incoming(user, text=text, payload=payload.get("payload"), message_id=payload.get("id"))
        ]
