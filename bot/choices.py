"""Typed answers to offered buttons: "2", "số 2" or the option's words stand for a press.

Zalo Bot has no buttons, so its adapter shows choices as a numbered list; elderly
residents on every channel often type instead of tapping. The numbering is defined here
once (payload buttons in order, starting at 1; link buttons are not numbered) and used
both to render the list and to read the answer back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.types import Reply

_NUMBER = re.compile(
    r"^\s*(?:so|số|chon|chọn|muc|mục|phuong an|phương án)?\s*(\d{1,2})\s*[.)]?\s*$", re.I
)


def offered(replies: Sequence[Reply]) -> list[list[str]]:
    """The [label, payload] pairs of the last reply that offered choices."""
    for reply in reversed(replies):
        pairs = [[b.label, b.payload] for b in reply.buttons if b.payload is not None]
        if pairs:
            return pairs
    return []


def resolve(text: str, choices: Sequence[Sequence[str]]) -> str | None:
    """The payload the resident meant by typing ``text``, or None."""
    if not choices or not text.strip():
        return None
    match = _NUMBER.match(_fold(text))
    if match:
        number = int(match.group(1))
        # A label that starts with the number ("5 - Rất hài lòng") wins over position.
        for label, payload in choices:
            if re.match(rf"^\D{{0,3}}{number}\b", _fold(label)):
                return payload
        return choices[number - 1][1] if 1 <= number <= len(choices) else None
    folded = _fold(text)
    for label, payload in choices:
        if folded == _fold(label):
            return payload
    return None


def numbered_text(reply: Reply) -> str:
    """The reply's text followed by its choices as a numbered list, for text-only channels."""
    lines = [reply.text]
    number = 0
    for button in reply.buttons:
        if button.payload is not None:
            number += 1
            lines.append(f"{number}. {button.label}")
        elif button.url:
            lines.append(f"{button.label}: {button.url}")
    if number:
        lines.append("(Gõ số thứ tự để chọn)")
    return "\n".join(lines)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
