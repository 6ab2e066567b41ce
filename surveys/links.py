"""Where an invitation token goes: a Telegram deep link and a QR code for the receipt.

Deliberately tiny and pure. The Telegram channel owns the general deep-link rules; this
module keeps the one link surveys print so the survey domain does not import a channel.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import segno

_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def deep_link(bot_username: str, payload: str) -> str:
    """``https://t.me/<bot>?start=<payload>``; Telegram allows 64 chars of [A-Za-z0-9_-]."""
    username = bot_username.lstrip("@")
    if not _USERNAME.match(username):
        raise ValueError(f"not a Telegram bot username: {bot_username!r}")
    if not _PAYLOAD.match(payload):
        raise ValueError("a deep-link payload is 1-64 characters of A-Z, a-z, 0-9, _ and -")
    return f"https://t.me/{username}?start={payload}"


def qr_png(data: str, path: Path | None = None, *, scale: int = 8) -> bytes:
    """A QR code (error correction M, readable from a crumpled receipt) as PNG bytes."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    png = buffer.getvalue()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
    return png


def qr_svg(data: str) -> str:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue().decode()
