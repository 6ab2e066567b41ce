"""Passwords, second factor, session tokens and the client's address.

Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile); hashing runs in a
thread so a login does not stall the event loop. A login for an unknown name still
verifies against a dummy hash, so the answer time does not tell which names exist.
TOTP codes (RFC 6238, 30 s, 6 digits) are accepted one step either side and never twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import os
import secrets
from datetime import datetime

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD = 10
TOTP_ISSUER = "Một cửa"
TRUSTED_PROXIES_ENV = "MOTCUA_STAFF_TRUSTED_PROXIES"

_hasher = PasswordHasher()
_dummies: dict[int, str] = {}


def _dummy() -> str:
    """A hash made with the current parameters, verified when the name is unknown."""
    key = id(_hasher)
    if key not in _dummies:
        _dummies[key] = _hasher.hash("not a real password, only for timing")
    return _dummies[key]


class WeakPassword(ValueError):
    """The message is shown to the person choosing the password (Vietnamese)."""


def check_strength(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    if username and username.lower() in password.lower():
        raise WeakPassword("Mật khẩu không được chứa tên đăng nhập.")
    if len(set(password)) < 5:
        raise WeakPassword("Mật khẩu quá đơn giản.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _dummy(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password_async(stored: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, stored, password)


def needs_rehash(stored: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


# --- sessions and CSRF -------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


# --- second factor -------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def totp_qr_svg(uri: str) -> str:
    import io

    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue().decode()


def totp_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to, if valid and newer than ``last_step``."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


# --- the client's address ------------------------------------------------------------------


def trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = os.environ.get(TRUSTED_PROXIES_ENV, "")
    networks = []
    for part in raw.split(","):
        if part.strip():
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
    return networks


def client_ip(remote: str | None, forwarded_for: str | None) -> str:
    """The peer's address; X-Forwarded-For only when the peer is a configured proxy, and
    then the right-most address that is not itself a trusted proxy (the left-most is
    whatever the client wrote)."""
    peer = remote or "unknown"
    proxies = trusted_proxies()
    if not proxies or not forwarded_for or not _within(peer, proxies):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _within(hop, proxies):
            return hop[:64]
    return peer


def _within(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)
