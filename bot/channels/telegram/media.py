"""Downloading files residents sent (complaint photos) by their Telegram ``file_id``.

``getFile`` says where the file is and how big; the Bot API serves files up to 20 MB
and a file reference stays valid for at least an hour, so the sweep that downloads
photos should not lag far behind.
"""

from __future__ import annotations

from collections.abc import Mapping

from telegram import Bot
from telegram import error as tg

from bot.media import MAX_FETCH_BYTES, MediaError, MediaGone


class TelegramMedia:
    def __init__(self, bots: Mapping[str, Bot]) -> None:
        self.bots = bots

    async def fetch(self, commune_slug: str, channel: str, file_ref: str) -> bytes:
        bot = self.bots.get(commune_slug)
        if bot is None:
            raise MediaGone(f"no Telegram bot for commune {commune_slug!r}")
        try:
            file = await bot.get_file(file_ref)
            if file.file_size is not None and file.file_size > MAX_FETCH_BYTES:
                raise MediaGone(f"file is {file.file_size} bytes, over {MAX_FETCH_BYTES}")
            data = await file.download_as_bytearray()
        except tg.BadRequest as exc:  # "file is too big", "wrong file_id": permanent
            raise MediaGone(exc.message) from exc
        except tg.TelegramError as exc:
            raise MediaError(f"{type(exc).__name__}: {exc.message}") from exc
        if len(data) > MAX_FETCH_BYTES:
            raise MediaGone(f"file is {len(data)} bytes, over {MAX_FETCH_BYTES}")
        return bytes(data)
