"""The shared transcripts, played on Telegram end to end (webhook to the fake Bot API)."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from tests.channels.telegram.conftest import SECRET, TOKEN, RuntimeFactory
from tests.channels.telegram.driver import TelegramDriver
from tests.dialogue import run_transcript
from tests.dialogues import procedures, transcripts
from tests.fakes.telegram_api import FakeBotApi

DIALOGUES = {**transcripts.ALL, **procedures.ALL}


@pytest.fixture
async def runtime_for_dialogues(start_runtime: RuntimeFactory, fake_api: FakeBotApi) -> Runtime:
    runtime = await start_runtime(workers=False, introduce=False)
    state = fake_api.webhook(TOKEN)
    state.url = f"{runtime.settings.public_url}/webhook/telegram/default"
    state.secret_token = SECRET
    return runtime


@pytest.mark.parametrize("name", sorted(DIALOGUES))
async def test_dialogue_on_telegram(
    runtime_for_dialogues: Runtime, fake_api: FakeBotApi, name: str
) -> None:
    await run_transcript(TelegramDriver(runtime_for_dialogues, fake_api), DIALOGUES[name])
