"""Downloading photos residents sent on Zalo (both products hand out plain URLs).

The URL comes from a verified webhook event, so it is Zalo's CDN in practice; the
download is still capped at ``MAX_FETCH_BYTES`` before anything is kept in memory.
"""

from __future__ import annotations

import aiohttp

from bot.media import MAX_FETCH_BYTES, MediaError, MediaGone

GONE = frozenset({403, 404, 410})


class UrlMedia:
    def __init__(self, session: aiohttp.ClientSession, *, timeout: float = 30.0) -> None:
        self._session = session
        self._timeout = timeout

    async def fetch(self, commune_slug: str, channel: str, file_ref: str) -> bytes:
        if not file_ref.startswith(("https://", "http://")):
            raise MediaGone(f"{channel}: not a downloadable reference")
        try:
            async with self._session.get(
                file_ref, timeout=aiohttp.ClientTimeout(total=self._timeout)
            ) as response:
                if response.status in GONE:
                    raise MediaGone(f"{channel}: HTTP {response.status}")
                if response.status >= 400:
                    raise MediaError(f"{channel}: HTTP {response.status}")
                if (response.content_length or 0) > MAX_FETCH_BYTES:
                    raise MediaGone(f"{channel}: file over {MAX_FETCH_BYTES} bytes")
                data = await response.content.read(MAX_FETCH_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise MediaError(f"{channel}: {type(exc).__name__}") from None
        if len(data) > MAX_FETCH_BYTES:
            raise MediaGone(f"{channel}: file over {MAX_FETCH_BYTES} bytes")
        return data
