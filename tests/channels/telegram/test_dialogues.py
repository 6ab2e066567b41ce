"""The shared transcripts, played on Telegram end to end (webhook to the fake Bot API)."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from tests.channels.telegram.driver import TelegramDriver
from tests.dialogue import run_transcript
from tests.dialogues import complaints, privacy, procedures, transcripts
from tests.fakes.telegram_api import FakeBotApi

DIALOGUES = {**transcripts.ALL, **procedures.ALL, **complaints.ALL, **privacy.ALL}


@pytest.mark.parametrize("name", sorted(DIALOGUES))
async def test_dialogue_on_telegram(
    runtime_for_dialogues: Runtime, fake_api: FakeBotApi, name: str
) -> None:
    await run_transcript(TelegramDriver(runtime_for_dialogues, fake_api), DIALOGUES[name])
