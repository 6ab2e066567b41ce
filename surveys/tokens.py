"""Invitation tokens (QR codes, Telegram deep links) and short typed codes.

A token names the invitation and its expiry and carries an HMAC over both and the
commune, made with the deployment's secret key: a forged or altered token, or one
printed for another commune, is refused before the database is asked. Single use and
the real expiry are then checked on the invitation row. Tokens fit Telegram's deep-link
payload (at most 64 characters of ``[A-Za-z0-9_-]``).

The typed code is random (40 bits, Crockford base32, "DG-7K3M-2Q9X") for channels with
no deep link (Zalo, the web chat): short enough to copy from a receipt, too many to guess.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = "dg"
CODE_PREFIX = "DG"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 8
MAC_CHARS = 16  # 96 bits of HMAC-SHA256
_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TOKEN = re.compile(r"^dg_([0-9a-z]{1,13})_([0-9a-z]{1,8})_([A-Za-z0-9_-]{16})$")
# "DG-7K3M-2Q9X", "dg 7k3m 2q9x", "DG7K3M2Q9X"; the DG may be left out when asked for.
_CODE = re.compile(
    r"(?<![0-9A-Za-z])(?:dg\s*[-:.]?\s*)([0-9a-z]{4})\s*-?\s*([0-9a-z]{4})(?![0-9A-Za-z])",
    re.I,
)
_BARE_CODE = re.compile(r"^\s*([0-9a-z]{4})\s*-?\s*([0-9a-z]{4})\s*$", re.I)


class TokenError(ValueError):
    """Not a valid token (malformed, forged, or for another commune)."""


@dataclass(frozen=True)
class TokenClaims:
    invitation_id: int
    expires_at: datetime


def _b36(number: int) -> str:
    if number < 0:
        raise ValueError("negative")
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _DIGITS36[rest] + digits
        if number == 0:
            return digits


def _mac(secret: str, commune_id: int, invitation_id: int, hours: int) -> str:
    message = f"survey-invitation|{commune_id}|{invitation_id}|{hours}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_CHARS]


def make_token(secret: str, commune_id: int, invitation_id: int, expires_at: datetime) -> str:
    """The token printed in the QR code: ``dg_<id>_<expiry hour>_<mac>`` (about 35 chars)."""
    hours = int(expires_at.timestamp()) // 3600 + (1 if expires_at.timestamp() % 3600 else 0)
    mac = _mac(secret, commune_id, invitation_id, hours)
    return f"{PREFIX}_{_b36(invitation_id)}_{_b36(hours)}_{mac}"


def looks_like_token(text: str) -> bool:
    return bool(_TOKEN.match(text.strip()))


def read_token(secret: str, commune_id: int, token: str) -> TokenClaims:
    """The claims of a genuine token for this commune; raises TokenError otherwise.

    Expiry is not checked here (the caller says "expired" rather than "invalid").
    """
    match = _TOKEN.match(token.strip())
    if match is None:
        raise TokenError("malformed token")
    invitation_id, hours = int(match.group(1), 36), int(match.group(2), 36)
    expected = _mac(secret, commune_id, invitation_id, hours)
    if not hmac.compare_digest(expected, match.group(3)):
        raise TokenError("bad signature")
    return TokenClaims(invitation_id, datetime.fromtimestamp(hours * 3600, UTC))


def new_code() -> str:
    """A random typed code, stored and compared without prefix or dash.

    It always holds a digit, so two typed words ("khai sinh") never pass for a code.
    """
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code):
            return code


def format_code(code: str) -> str:
    return f"{CODE_PREFIX}-{code[:4]}-{code[4:]}"


def _normalise(raw: str) -> str | None:
    code = raw.upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return code if all(ch in CODE_ALPHABET for ch in code) else None


def find_code(text: str, *, bare: bool = False) -> str | None:
    """The typed code in a message ("mã của tôi là dg-7k3m-2q9x"), normalised.

    With ``bare`` (the bot just asked for the code) eight characters alone also count.
    """
    match = _CODE.search(text)
    if match is None and bare:
        match = _BARE_CODE.match(text)
    if match is None:
        return None
    raw = match.group(1) + match.group(2)
    if not any(ch.isdigit() for ch in raw):
        return None  # every code holds a digit: "dg khai sinh" is not one
    return _normalise(raw)


def new_nonce() -> str:
    return secrets.token_hex(16)


def receipt(nonce: str) -> str:
    """What a response keeps of its invitation: a hash of a nonce the invitation forgets."""
    return hashlib.sha256(f"survey-receipt|{nonce}".encode()).hexdigest()
