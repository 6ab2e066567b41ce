"""Procedure Q&A as a resident experiences it, on the web chat."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from tests.dialogue import ProcessorDriver, run_transcript
from tests.dialogues import procedures


@pytest.mark.parametrize("name", sorted(procedures.ALL))
async def test_procedure_dialogue(runtime: Runtime, name: str) -> None:
    await run_transcript(
        ProcessorDriver(runtime, session=f"dialogue-{name[:40]}"), procedures.ALL[name]
    )
