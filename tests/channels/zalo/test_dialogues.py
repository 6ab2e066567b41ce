"""The shared transcripts, played on both Zalo adapters end to end (webhook to fake server)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import Runtime
from tests.channels.zalo.conftest import BOT_SECRET, OA_SECRET_KEY
from tests.channels.zalo.drivers import ZaloBotDriver, ZaloOADriver
from tests.dialogue import ProcessorDriver, run_transcript
from tests.dialogues import complaints, privacy, procedures, transcripts
from tests.fakes.zalo_api import FakeZaloBot, FakeZaloOA

DIALOGUES = {**transcripts.ALL, **procedures.ALL, **complaints.ALL, **privacy.ALL}


@pytest.mark.parametrize("name", sorted(DIALOGUES))
async def test_dialogue_on_zalo_bot(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_bot: FakeZaloBot, name: str
) -> None:
    driver = ZaloBotDriver(zalo_runtime, zalo_client, fake_bot, BOT_SECRET)
    await run_transcript(driver, DIALOGUES[name])


@pytest.mark.parametrize("name", sorted(DIALOGUES))
async def test_dialogue_on_zalo_oa(
    zalo_runtime: Runtime, zalo_client: TestClient[Any, Any], fake_oa: FakeZaloOA, name: str
) -> None:
    driver = ZaloOADriver(zalo_runtime, zalo_client, fake_oa, OA_SECRET_KEY)
    await run_transcript(driver, DIALOGUES[name])


@pytest.mark.parametrize("name", sorted(transcripts.ALL))
async def test_dialogue_on_the_web_chat(runtime: Runtime, name: str) -> None:
    """The same conversation transcripts hold on the web chat (the reference channel)."""
    await run_transcript(
        ProcessorDriver(runtime, session=f"web-{name[:40]}"), transcripts.ALL[name]
    )
