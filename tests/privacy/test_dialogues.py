"""Privacy dialogues on the web chat, with staff in the Telegram staff group."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from tests.complaints.drivers import StaffDriver
from tests.dialogue import ProcessorDriver, run_transcript
from tests.dialogues import privacy


@pytest.mark.parametrize("name", sorted(privacy.ALL))
async def test_privacy_dialogue(runtime: Runtime, name: str) -> None:
    await run_transcript(
        ProcessorDriver(runtime, session=f"resident-{name[:40]}"), privacy.ALL[name]
    )


async def test_deletion_is_carried_out(runtime: Runtime) -> None:
    await privacy.deletion_is_carried_out(
        ProcessorDriver(runtime, session="resident-erase"), StaffDriver(runtime)
    )
