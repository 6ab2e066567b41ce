"""Deep links (``https://t.me/<bot>?start=<payload>``) and QR codes for them.

A deep link opens the bot and sends ``/start <payload>`` once the resident presses
Start, so a printed QR code at the counter can carry a survey invitation or a complaint
reference. Telegram accepts payloads of 1-64 characters of ``[A-Za-z0-9_-]``; anything
else is silently dropped by the client, which would lose the invitation, so building a
link with a bad payload fails loudly here instead.
"""

from __future__ import annotations

import base64
import io
import re

import segno

PAYLOAD_MAX = 64
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def is_payload(value: str) -> bool:
    return bool(_PAYLOAD.match(value))


def make_payload(*parts: str) -> str:
    """Join parts with ``_`` (``make_payload("sv", "a1b2")`` -> ``sv_a1b2``), checked."""
    payload = "_".join(parts)
    if not is_payload(payload):
        raise ValueError(
            f"deep-link payload must be 1-{PAYLOAD_MAX} characters of A-Z a-z 0-9 _ -: {payload!r}"
        )
    return payload


def encode_bytes(data: bytes) -> str:
    """Opaque bytes (a token, a signed id) as a payload: base64url without padding.

    At most 48 bytes fit in 64 characters.
    """
    payload = base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    if not payload or len(payload) > PAYLOAD_MAX:
        raise ValueError(f"{len(data)} bytes do not fit a deep-link payload (1-48 bytes)")
    return payload


def decode_bytes(payload: str) -> bytes:
    if not is_payload(payload):
        raise ValueError("not a deep-link payload")
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))


def deep_link(bot_username: str, payload: str | None = None, *, group: bool = False) -> str:
    """``https://t.me/<bot>?start=<payload>``; ``group`` adds the bot to a group instead."""
    username = bot_username.lstrip("@")
    if not _USERNAME.match(username):
        raise ValueError(f"not a Telegram bot username: {bot_username!r}")
    if payload is None:
        return f"https://t.me/{username}"
    if not is_payload(payload):
        raise ValueError(f"invalid deep-link payload {payload!r}")
    return f"https://t.me/{username}?{'startgroup' if group else 'start'}={payload}"


def qr_svg(link: str, *, scale: int = 4, title: str | None = None) -> str:
    """An SVG QR code (error correction M: survives a crease or a coffee ring)."""
    qr = segno.make_qr(link, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=scale, border=2, title=title, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def qr_png(link: str, *, scale: int = 8) -> bytes:
    """A PNG QR code, for printing or sending as a photo."""
    qr = segno.make_qr(link, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
