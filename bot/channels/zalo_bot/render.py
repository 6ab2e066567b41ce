"""A ``Reply`` as Zalo Bot API calls: choices become a numbered list in the text.

Also home of ``split_text``, shared with the Zalo OA adapter: both platforms cap a text
message at 2000 characters (verify). Length is counted in UTF-16 code units, as the
JavaScript clients of both platforms count, so an emoji never pushes a part over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.choices import numbered_text
from bot.types import Reply

MAX_TEXT = 2000


@dataclass(frozen=True)
class Call:
    """One Bot API call: ``<root>/bot<token>/<method>`` with a JSON body."""

    method: str
    body: dict[str, Any] = field(default_factory=dict)


def units(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most ``limit`` units, cut at a blank line, a line end or a space.

    A part is never empty; a word longer than the limit is cut where it must be.
    """
    rest = text.strip()
    parts: list[str] = []
    while rest and units(rest) > limit:
        fit = _fitting_prefix(rest, limit)
        cut = _natural_cut(rest[:fit], fit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return [p for p in parts if p]


def _fitting_prefix(text: str, limit: int) -> int:
    """The number of characters whose UTF-16 length is within ``limit``."""
    total = 0
    for index, char in enumerate(text):
        total += 2 if ord(char) > 0xFFFF else 1
        if total > limit:
            return index
    return len(text)


def _natural_cut(prefix: str, fit: int) -> int:
    for separator in ("\n\n", "\n", " "):
        at = prefix.rfind(separator)
        if at > fit // 2:
            return at + len(separator)
    return fit


def is_web_url(ref: str | None) -> bool:
    return bool(ref) and str(ref).startswith(("https://", "http://"))


def render(chat_id: str, reply: Reply) -> list[Call]:
    """The calls that show ``reply``: the photo first (by URL), then the text in parts."""
    calls: list[Call] = []
    if reply.photo and is_web_url(reply.photo):
        calls.append(Call("sendPhoto", {"chat_id": chat_id, "photo": reply.photo}))
    for part in split_text(numbered_text(reply)):
        calls.append(Call("sendMessage", {"chat_id": chat_id, "text": part}))
    return calls
