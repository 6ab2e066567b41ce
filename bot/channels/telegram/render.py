"""A ``Reply`` as the Bot API calls that show it (pure, no I/O).

Text is HTML-escaped and sent with ``parse_mode=HTML``: handlers write plain text, and a
resident's "<" or "&" quoted back must not break the message. Telegram refuses texts over
4096 characters (counted in UTF-16 units after entity parsing), so long answers are cut
on paragraph boundaries, then lines, then words. Choices become an inline keyboard, one
button per row (labels are long Vietnamese phrases), attached to the last part so they
sit under the end of the answer. A request for the resident's phone number or location
is a one-time reply keyboard; a message can carry only one keyboard, so when a reply has
both, the inline buttons follow in a short message of their own.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.channels.telegram import texts
from bot.delivery import Rejected
from bot.types import Button, Reply

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64  # bytes
_SEPARATORS = ("\n\n", "\n", ". ", " ")

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ForceReply


@dataclass(frozen=True)
class Part:
    """One Bot API call: a text message, or a photo (``photo`` set, no text)."""

    text: str | None = None  # HTML
    photo: str | None = None
    markup: Markup | None = None

    @property
    def method(self) -> str:
        return "sendPhoto" if self.photo else "sendMessage"


def render(reply: Reply) -> list[Part]:
    parts: list[Part] = []
    if reply.photo:
        parts.append(Part(photo=reply.photo))
    chunks = [html.escape(c, quote=False) for c in split_text(reply.text)]
    inline = inline_keyboard(reply.buttons)
    request = request_keyboard(reply)
    if not chunks and (inline or request):
        chunks = [html.escape(texts.CHOOSE, quote=False)]
    texts_ = [Part(text=c) for c in chunks]
    if texts_:
        last = texts_[-1]
        if request is not None:
            texts_[-1] = Part(text=last.text, markup=request)
            if inline is not None:
                texts_.append(Part(text=html.escape(texts.CHOOSE, quote=False), markup=inline))
        elif inline is not None:
            texts_[-1] = Part(text=last.text, markup=inline)
        elif reply.expect_answer:
            # Opens the reply box on this message for the group (the staff group is staff
            # only); "selective" would reach no one: the prompt answers a button press.
            texts_[-1] = Part(text=last.text, markup=ForceReply())
    return parts + texts_


def inline_keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = []
    for button in buttons:
        if button.url is not None:
            rows.append([InlineKeyboardButton(button.label, url=button.url)])
            continue
        data = button.payload or ""
        if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise Rejected(f"button payload {data!r} is not 1-{MAX_CALLBACK_DATA} bytes")
        rows.append([InlineKeyboardButton(button.label, callback_data=data)])
    return InlineKeyboardMarkup(rows)


def request_keyboard(reply: Reply) -> ReplyKeyboardMarkup | None:
    rows = []
    if reply.request_contact:
        rows.append([KeyboardButton(texts.SHARE_PHONE, request_contact=True)])
    if reply.request_location:
        rows.append([KeyboardButton(texts.SHARE_LOCATION, request_location=True)])
    if not rows:
        return None
    return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji is often two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` units, at the widest boundary that fits."""
    text = text.strip()
    if not text:
        return []
    return [p for p in _split(text, limit, 0) if p]


def _split(text: str, limit: int, level: int) -> list[str]:
    if utf16_length(text) <= limit:
        return [text.strip()]
    if level == len(_SEPARATORS):
        return _hard_cut(text, limit)
    separator = _SEPARATORS[level]
    pieces = text.split(separator)
    if len(pieces) == 1:
        return _split(text, limit, level + 1)
    kept = separator.strip()  # a sentence keeps its full stop when cut after it
    if kept:
        pieces = [p + kept for p in pieces[:-1]] + [pieces[-1]]
        separator = separator[len(kept) :]
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if utf16_length(candidate.strip()) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current.strip())
        if utf16_length(piece) <= limit:
            current = piece
        else:
            *full, current = _split(piece, limit, level + 1)
            parts += full
    if current.strip():
        parts.append(current.strip())
    return parts


def _hard_cut(text: str, limit: int) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = utf16_length(char)
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return parts
