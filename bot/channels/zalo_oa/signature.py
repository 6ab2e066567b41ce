"""The ``X-ZEvent-Signature`` check, with the formula in one place.

Zalo signs each webhook event with ``X-ZEvent-Signature: mac=<hex>`` where
``hex = sha256(app_id + raw body + timestamp + OA secret key)``; ``timestamp`` is the
``timestamp`` field of the body (verify: Zalo's OA webhook docs, "Xác thực webhook").
It is a plain SHA-256 of the concatenation, not an HMAC.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.sanitize import parse_json

HEADER = "X-ZEvent-Signature"


def signature(app_id: str, raw_body: bytes, timestamp: str, secret_key: str) -> str:
    """The hex digest Zalo puts after ``mac=``."""
    data = app_id.encode() + raw_body + timestamp.encode() + secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def verify(raw_body: bytes, header: str | None, *, app_id: str, secret_key: str) -> bool:
    """True when ``header`` signs ``raw_body`` for our app. Compares in constant time.

    The configured ``app_id`` goes into the digest, so an event signed for another app
    (or carrying another ``app_id``) fails too.
    """
    if not header or not secret_key or not app_id:
        return False
    given = header.strip()
    if given[:4].lower() == "mac=":
        given = given[4:].strip()
    try:
        body = parse_json(raw_body)
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    timestamp = body.get("timestamp")
    if timestamp is None or str(body.get("app_id", app_id)) != app_id:
        return False
    expected = signature(app_id, raw_body, str(timestamp), secret_key)
    return hmac.compare_digest(expected.encode(), given.lower().encode())
