"""Photos residents send on Zalo can be downloaded later (complaints keep them)."""

from __future__ import annotations

import aiohttp
import pytest

from bot.app import Runtime
from bot.channels.zalo_bot.media import UrlMedia
from bot.media import MAX_FETCH_BYTES, MediaError, MediaGone
from tests.fakes.zalo_api import FakeZaloBot


async def test_a_photo_is_fetched_by_its_url_within_the_size_cap(fake_bot: FakeZaloBot) -> None:
    fake_bot.files["pho.jpg"] = b"\xff\xd8jpeg bytes"
    fake_bot.files["huge.jpg"] = b"x" * (MAX_FETCH_BYTES + 1)
    async with aiohttp.ClientSession() as session:
        media = UrlMedia(session)
        assert (
            await media.fetch("default", "zalo_bot", f"{fake_bot.url}/files/pho.jpg")
            == b"\xff\xd8jpeg bytes"
        )
        with pytest.raises(MediaGone):
            await media.fetch("default", "zalo_bot", f"{fake_bot.url}/files/missing.jpg")
        with pytest.raises(MediaGone):
            await media.fetch("default", "zalo_bot", f"{fake_bot.url}/files/huge.jpg")
        with pytest.raises(MediaGone):
            await media.fetch("default", "zalo_oa", "sticker-id-without-url")
        with pytest.raises(MediaError):
            await media.fetch("default", "zalo_oa", "http://127.0.0.1:9/x.jpg")


async def test_both_zalo_channels_offer_downloads(zalo_runtime: Runtime) -> None:
    assert {"zalo_bot", "zalo_oa"} <= set(zalo_runtime.media)
