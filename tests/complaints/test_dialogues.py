"""Complaint dialogues on the web chat, with the staff side in the Telegram staff group."""

from __future__ import annotations

import pytest

from bot.app import Runtime, build_runtime
from tests.complaints.drivers import IncomingDriver, StaffDriver
from tests.dialogue import ChatDriver, ProcessorDriver, run_transcript
from tests.dialogues import complaints


@pytest.mark.parametrize("name", sorted(complaints.ALL))
async def test_complaint_dialogue(runtime: Runtime, name: str) -> None:
    await run_transcript(
        ProcessorDriver(runtime, session=f"resident-{name[:40]}"), complaints.ALL[name]
    )


async def test_staff_reply_is_relayed(runtime: Runtime) -> None:
    await complaints.staff_reply_is_relayed(
        ProcessorDriver(runtime, session="resident-relay"), StaffDriver(runtime)
    )


async def test_resident_follow_up_reaches_staff(runtime: Runtime) -> None:
    await complaints.resident_follow_up_reaches_staff(
        ProcessorDriver(runtime, session="resident-followup"), StaffDriver(runtime)
    )


async def test_someone_elses_code_is_refused(runtime: Runtime) -> None:
    await complaints.someone_elses_code_is_refused(
        ProcessorDriver(runtime, session="resident-alice"),
        ProcessorDriver(runtime, session="resident-bob"),
    )


async def test_restart_midway(runtime: Runtime) -> None:
    restarted: list[Runtime] = []

    async def restart() -> ChatDriver:
        await runtime.stop()
        again = build_runtime(runtime.settings)
        await again.start(workers=False)
        restarted.append(again)
        driver = ProcessorDriver(again, session="resident-restart")
        driver._n = 1000  # message ids continue: the first runtime's are in the inbox
        return driver

    try:
        await complaints.restart_midway(
            ProcessorDriver(runtime, session="resident-restart"), restart
        )
    finally:
        for rt in restarted:
            await rt.stop()


async def test_photo_and_location(runtime: Runtime) -> None:
    await complaints.photo_and_location(IncomingDriver(runtime, "9100"))
