"""Text as the databases will store it and people can read it.

Residents' texts arrive from JSON, which can carry characters no database column takes:
NUL (PostgreSQL refuses it in ``text`` and in ``jsonb``) and lone UTF-16 surrogates such
as ``"\\ud800"`` (neither SQLite's UTF-8 nor PostgreSQL accepts them). Other C0 control
characters (escape sequences, backspace) carry no meaning in a chat message and only
garble logs, terminals and exports. They are cleaned once, where a message enters: NUL
and controls are dropped, a lone surrogate becomes U+FFFD. Tab, newline and carriage
return stay. Stdlib only, so any layer may use it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import Any, TypeVar

from bot.types import Attachment, Contact, Incoming, Location, UserRef

# Platform ids are short (Telegram's are numbers, Zalo's about 20 characters) and the
# tables keep 100; a longer "id" is not one. Names are for display: cut to what is kept.
MAX_ID_LENGTH = 100
MAX_NAME_LENGTH = 200

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
REPLACEMENT = "\ufffd"
T = TypeVar("T")


def _replace(match: re.Match[str]) -> str:
    return REPLACEMENT if match.group() >= "\ud800" else ""


def clean_text(text: str) -> str:
    """``text`` without the characters named in the module docstring."""
    return _UNSAFE.sub(_replace, text) if _UNSAFE.search(text) else text


def clean_json(value: T) -> T:
    """A JSON value (dicts, lists, strings...) with every string and key cleaned."""
    if isinstance(value, str):
        return clean_text(value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [clean_json(v) for v in value]  # type: ignore[return-value]
    return value


def _clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


def check_ids(messages: list[Incoming]) -> list[Incoming]:
    """The messages, if every sender and chat id is one the tables can keep.

    Raises ValueError otherwise: the update is recorded as unreadable, like one that does
    not parse. Cutting the id instead would answer a different chat, and storing it
    would fail at every retry.
    """
    for msg in messages:
        if max(len(msg.user.user_id), len(msg.user.chat_id)) > MAX_ID_LENGTH:
            raise ValueError(f"an id longer than {MAX_ID_LENGTH} characters")
    return messages


def is_place(location: Location) -> bool:
    """Coordinates on Earth: NaN and infinity (a Zalo OA location's strings can say
    "nan") are not, and PostgreSQL's jsonb refuses them in a stored draft."""
    lat, lon = location.latitude, location.longitude
    return math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180


def clean_incoming(msg: Incoming) -> Incoming:
    """The message with its texts cleaned and a location that is not a place dropped;
    the same object when nothing needed it."""
    user = msg.user
    clean_user = UserRef(
        user.channel,
        clean_text(user.user_id),
        clean_text(user.chat_id),
        None if user.display_name is None else clean_text(user.display_name[:MAX_NAME_LENGTH]),
    )
    contact = msg.contact
    if contact is not None:
        contact = Contact(clean_text(contact.phone), _clean_optional(contact.name), contact.own)
    attachments = tuple(
        Attachment(a.kind, clean_text(a.file_ref), _clean_optional(a.mime_type), a.size)
        for a in msg.attachments
    )
    cleaned = dataclasses.replace(
        msg,
        user=clean_user,
        text=clean_text(msg.text),
        payload=_clean_optional(msg.payload),
        command=_clean_optional(msg.command),
        message_id=_clean_optional(msg.message_id),
        attachments=attachments,
        contact=contact,
        location=msg.location if msg.location is None or is_place(msg.location) else None,
    )
    return msg if cleaned == msg else cleaned


def needs_cleaning(value: Any) -> bool:
    """Whether ``clean_json(value)`` would change anything (cheap for the usual case)."""
    if isinstance(value, str):
        return _UNSAFE.search(value) is not None
    if isinstance(value, dict):
        return any(needs_cleaning(k) or needs_cleaning(v) for k, v in value.items())
    if isinstance(value, list):
        return any(needs_cleaning(v) for v in value)
    return False


MAX_JSON_DEPTH = 32  # a Telegram update nests about 6 levels; Zalo's fewer


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes | str) -> Any:
    """A webhook or API body as JSON, or ValueError for anything a platform never sends.

    ``json.loads`` alone lets through NaN and Infinity (PostgreSQL's jsonb refuses them)
    and raises RecursionError, not ValueError, for deeply nested arrays; a body nested
    deeper than ``MAX_JSON_DEPTH`` would fail later in code that walks it recursively.
    """
    try:
        value = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise ValueError("nested too deeply")
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest
