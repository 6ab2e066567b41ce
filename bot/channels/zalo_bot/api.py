"""The Zalo Bot HTTP API client: one method, ``call``, and the error translation.

Every call is ``POST <root>/bot<token>/<method>`` with a JSON body; answers are
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description":
...}`` (verify). Errors become the delivery exceptions the outbox relay acts on. The
token is part of the URL, so no error message here ever includes the URL.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.delivery import (
    DeliveryError,
    RecipientUnreachable,
    Rejected,
    RetryAfter,
    TransientError,
)

DEFAULT_TIMEOUT = 15.0
DEFAULT_RETRY_AFTER = 5.0


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class ZaloBotError(DeliveryError):
    """The API answered ``ok: false`` with an error we cannot act on."""

    def __init__(self, method: str, code: int | None, description: str) -> None:
        super().__init__(f"zalo bot {method}: error {code}: {description}"[:500])
        self.code = code


class PollTimeout(Exception):
    """``getUpdates`` found nothing before its timeout (error_code 408)."""


class ZaloBotApi:
    """Calls for one bot. The session is shared and owned by the plugin."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_url: str,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._session = session
        self._root = api_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    def __repr__(self) -> str:  # never show the token
        return f"ZaloBotApi({self._root!r})"

    async def call(
        self, method: str, body: dict[str, Any] | None = None, *, seconds: float | None = None
    ) -> Any:
        """Call ``method`` and return its ``result``, or raise a ``DeliveryError``."""
        url = f"{self._root}/bot{self._token}/{method}"
        try:
            async with self._session.post(
                url,
                json=body or {},
                timeout=aiohttp.ClientTimeout(total=seconds or self._timeout),
            ) as response:
                status = response.status
                retry_header = response.headers.get("Retry-After")
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientError(f"zalo bot {method}: {type(exc).__name__}") from None
        return _result(method, status, data, retry_header)


def _result(method: str, status: int, data: Any, retry_header: str | None) -> Any:
    if isinstance(data, dict) and data.get("ok") is True and status < 400:
        return data.get("result")
    info = data if isinstance(data, dict) else {}
    code = _int(info.get("error_code")) or status
    description = str(info.get("description") or f"HTTP {status}")
    if status == 429 or code == 429:
        parameters = _obj(info.get("parameters"))
        seconds = _float(parameters.get("retry_after")) or _float(retry_header)
        raise RetryAfter(seconds or DEFAULT_RETRY_AFTER, f"zalo bot {method} rate limited")
    if status >= 500 or code >= 500:
        raise TransientError(f"zalo bot {method}: HTTP {status}")
    if code == 408:
        raise PollTimeout()
    if code == 403:
        # Telegram-like semantics: the person blocked the bot (verify).
        raise RecipientUnreachable(f"zalo bot {method}: {description}"[:500])
    if code == 400 and method.startswith("send"):
        # The platform refuses this message as it is: retrying cannot help.
        raise Rejected(f"zalo bot {method}: {description}"[:500])
    raise ZaloBotError(method, code, description)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if result > 0 else None
