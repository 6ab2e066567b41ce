"""Fetching files residents sent (photos), by the channel's file reference.

Handlers only record ``Attachment.file_ref``; downloading needs the channel's file API
and happens later in a sweep. A channel plugin that can download registers a fetcher in
``runtime.media[channel_name]`` in its ``start``; features look it up there, so neither
side imports the other.
"""

from __future__ import annotations

from typing import Protocol


class MediaError(Exception):
    """The file cannot be fetched now (network, expired reference...)."""


class MediaGone(MediaError):
    """The file no longer exists or is too large for the platform to hand out: give up."""


class MediaFetcher(Protocol):
    async def fetch(self, commune_slug: str, channel: str, file_ref: str) -> bytes:
        """The file's bytes. Raise MediaGone for permanent failures, MediaError otherwise.

        Implementations refuse files larger than ``MAX_FETCH_BYTES`` before reading them
        whole (raise MediaGone).
        """
        ...


MAX_FETCH_BYTES = 10 * 1024 * 1024
