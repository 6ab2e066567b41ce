"""The Zalo OA Open API v3 client for consultation messages, and its error translation.

``POST <api>/v3.0/oa/message/cs`` with header ``access_token``; the answer is
``{"error": 0, "message": "Success", "data": {...}}`` or a negative ``error``. The
error codes below are from secondary sources (verify) and pinned by tests; the reply
window is enforced locally first, so the window codes only show up when Zalo and our
bookkeeping disagree.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.delivery import DeliveryError, Rejected, RetryAfter, TransientError, Undeliverable

CS_PATH = "/v3.0/oa/message/cs"
DEFAULT_TIMEOUT = 15.0

# Zalo OA error codes (verify).
TOKEN_ERRORS = frozenset({-216, -124})  # access token invalid / expired
RATE_LIMITED = frozenset({-32})  # too many requests
WINDOW_ERRORS = frozenset({-213, -230})  # not a follower / no recent interaction
REJECTED = frozenset({-201})  # parameters invalid: this message can never go out as it is
RATE_LIMIT_PAUSE = 60.0


class AccessTokenRejected(DeliveryError):
    """Zalo says the access token is invalid or expired: refresh and try once more."""


class ZaloOAError(DeliveryError):
    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"zalo oa error {code}: {message}"[:500])
        self.code = code


class ZaloOAApi:
    def __init__(
        self, session: aiohttp.ClientSession, api_url: str, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self._session = session
        self._root = api_url.rstrip("/")
        self._timeout = timeout

    async def send_cs(self, access_token: str, body: dict[str, Any]) -> dict[str, Any]:
        """Send one consultation message; returns Zalo's ``data`` (message id, quota)."""
        try:
            async with self._session.post(
                self._root + CS_PATH,
                json=body,
                headers={"access_token": access_token},
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            ) as response:
                status = response.status
                retry_header = response.headers.get("Retry-After")
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientError(f"zalo oa message/cs: {type(exc).__name__}") from None
        return _result(status, data, retry_header)


def _result(status: int, data: Any, retry_header: str | None) -> dict[str, Any]:
    if status == 429:
        raise RetryAfter(_seconds(retry_header) or RATE_LIMIT_PAUSE, "zalo oa rate limited")
    if status >= 500:
        raise TransientError(f"zalo oa message/cs: HTTP {status}")
    if not isinstance(data, dict):
        raise TransientError(f"zalo oa message/cs: HTTP {status}, no JSON answer")
    try:
        code = int(data.get("error", 0))
    except (TypeError, ValueError):
        code = None
    message = str(data.get("message") or "")
    if code == 0 and status < 400:
        result = data.get("data")
        return result if isinstance(result, dict) else {}
    if code in TOKEN_ERRORS or status == 401:
        raise AccessTokenRejected(f"zalo oa access token rejected ({code})")
    if code in RATE_LIMITED:
        raise RetryAfter(RATE_LIMIT_PAUSE, "zalo oa rate limited")
    if code in WINDOW_ERRORS:
        raise Undeliverable(f"zalo oa refused: outside the reply window ({code}: {message})"[:500])
    if code in REJECTED:
        raise Rejected(f"zalo oa error {code}: {message}"[:500])
    raise ZaloOAError(code, message or f"HTTP {status}")


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds and seconds > 0 else None
