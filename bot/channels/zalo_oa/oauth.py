"""Zalo OAuth v4 for an Official Account: the PKCE permission link and the token calls.

(verify: Zalo's "Official Account API - Lấy Access Token" docs)
- permission: ``GET <oauth>/v4/oa/permission?app_id=&redirect_uri=&code_challenge=&state=``;
  Zalo redirects to ``redirect_uri?code=...&oa_id=...&state=...``.
- tokens: ``POST <oauth>/v4/oa/access_token``, header ``secret_key: <app secret>``, form
  ``app_id``, ``grant_type`` and either ``code`` + ``code_verifier`` or ``refresh_token``.
  The answer has ``access_token``, ``refresh_token`` and ``expires_in`` (seconds, often
  a string); errors have a negative ``error`` and an ``error_name``/``error_description``.
- ``code_challenge`` is base64url(SHA-256(code_verifier)) without padding (RFC 7636 S256).
Access tokens last about 25 hours, refresh tokens 3 months and only once.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import aiohttp

PERMISSION_PATH = "/v4/oa/permission"
TOKEN_PATH = "/v4/oa/access_token"  # noqa: S105 (a path, not a secret)
DEFAULT_ACCESS_LIFETIME = timedelta(hours=25)
REFRESH_LIFETIME = timedelta(days=90)  # not in the answer; 3 months per the docs (verify)


class OAuthError(Exception):
    """Zalo refused a token request, or could not be reached. Never carries a secret."""

    def __init__(self, message: str, *, code: int | None = None, transient: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime

    def __repr__(self) -> str:  # never print tokens
        return f"TokenPair(access_expires_at={self.access_expires_at.isoformat()})"


def new_verifier() -> str:
    """A PKCE code verifier: 43 characters of [A-Za-z0-9_-]."""
    return secrets.token_urlsafe(32)


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def permission_url(
    oauth_url: str, app_id: str, redirect_uri: str, verifier: str, state: str
) -> str:
    query = urlencode(
        {
            "app_id": app_id,
            "redirect_uri": redirect_uri,
            "code_challenge": challenge(verifier),
            "state": state,
        }
    )
    return f"{oauth_url.rstrip('/')}{PERMISSION_PATH}?{query}"


def code_from(text: str) -> tuple[str, str | None]:
    """The authorization code (and state) from a pasted code or the whole redirect URL."""
    text = text.strip()
    if "code=" in text:
        query = parse_qs(urlparse(text).query or text.split("?", 1)[-1])
        codes = query.get("code")
        if codes:
            states = query.get("state")
            return codes[0], states[0] if states else None
    return text, None


class OAuthClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        oauth_url: str,
        app_id: str,
        app_secret: str,
        *,
        timeout: float = 20.0,
    ) -> None:
        self._session = session
        self._url = oauth_url.rstrip("/") + TOKEN_PATH
        self.app_id = app_id
        self._secret = app_secret
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"OAuthClient(app_id={self.app_id!r})"

    async def exchange_code(self, code: str, verifier: str, now: datetime) -> TokenPair:
        return await self._token(
            {"code": code, "code_verifier": verifier, "grant_type": "authorization_code"}, now
        )

    async def refresh(self, refresh_token: str, now: datetime) -> TokenPair:
        return await self._token(
            {"refresh_token": refresh_token, "grant_type": "refresh_token"}, now
        )

    async def _token(self, form: dict[str, str], now: datetime) -> TokenPair:
        try:
            async with self._session.post(
                self._url,
                data={"app_id": self.app_id, **form},
                headers={"secret_key": self._secret},
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            ) as response:
                status = response.status
                try:
                    data: Any = await response.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise OAuthError(
                f"cannot reach Zalo OAuth: {type(exc).__name__}", transient=True
            ) from None
        if status >= 500 or status == 429:
            raise OAuthError(f"Zalo OAuth answered HTTP {status}", transient=True)
        if not isinstance(data, dict):
            raise OAuthError(f"Zalo OAuth answered HTTP {status} without JSON", transient=True)
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not access or not refresh:
            code = _int(data.get("error"))
            reason = data.get("error_description") or data.get("error_name") or data.get("message")
            raise OAuthError(
                f"Zalo OAuth refused ({code}): {reason or 'no tokens'}"[:300], code=code
            )
        seconds = _int(data.get("expires_in"))
        lifetime = (
            timedelta(seconds=seconds) if seconds and seconds > 0 else DEFAULT_ACCESS_LIFETIME
        )
        return TokenPair(str(access), str(refresh), now + lifetime, now + REFRESH_LIFETIME)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
