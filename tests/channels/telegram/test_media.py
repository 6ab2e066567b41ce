"""Fetching a photo a resident sent, by its file_id (complaint photos)."""

from __future__ import annotations

import pytest

from bot.channels.telegram.bots import close_bot, make_bot
from bot.channels.telegram.media import TelegramMedia
from bot.media import MAX_FETCH_BYTES, MediaError, MediaGone
from tests.channels.telegram.conftest import TOKEN
from tests.fakes.telegram_api import FakeBotApi, Fault


async def test_a_photo_is_fetched_and_refused_when_gone_or_too_big(fake_api: FakeBotApi) -> None:
    bot = make_bot(TOKEN, fake_api.url, read_timeout=2)
    media = TelegramMedia({"default": bot})
    try:
        fake_api.files["AgACAgUAAxkBAAIBQmdBlarge"] = b"\xff\xd8\xff" + b"x" * 1000
        data = await media.fetch("default", "telegram", "AgACAgUAAxkBAAIBQmdBlarge")
        assert data.startswith(b"\xff\xd8\xff") and len(data) == 1003
        with pytest.raises(MediaGone):
            await media.fetch("default", "telegram", "no-such-file")
        fake_api.files["huge"] = b"0" * (MAX_FETCH_BYTES + 1)
        with pytest.raises(MediaGone, match="over"):
            await media.fetch("default", "telegram", "huge")
        fake_api.inject("getFile", Fault.server_error(502))
        with pytest.raises(MediaError) as caught:
            await media.fetch("default", "telegram", "AgACAgUAAxkBAAIBQmdBlarge")
        assert not isinstance(caught.value, MediaGone)  # worth trying again later
        with pytest.raises(MediaGone):
            await media.fetch("xa-khac", "telegram", "AgACAgUAAxkBAAIBQmdBlarge")
    finally:
        await close_bot(bot)
