"""Complaint dialogues with more than one actor, on Telegram end to end: the resident in
a private chat and staff in the staff group, both through the webhook and the fake Bot
API (tests/dialogues/complaints.py has the dialogues; test_dialogues.py the transcripts)."""

from __future__ import annotations

import asyncio

from bot.app import Runtime
from tests.channels.telegram.conftest import DIALOGUE_PACE, RuntimeFactory
from tests.channels.telegram.driver import TelegramDriver, TelegramStaffDriver
from tests.complaints.helpers import photo_statuses, run_photo_sweep, small_jpeg, ticket
from tests.dialogue import ChatDriver
from tests.dialogues import complaints
from tests.fakes.telegram_api import FakeBotApi

ALICE, BOB = 5123456789, 5123456790


async def test_staff_reply_is_relayed(runtime_for_dialogues: Runtime, fake_api: FakeBotApi) -> None:
    await complaints.staff_reply_is_relayed(
        TelegramDriver(runtime_for_dialogues, fake_api),
        TelegramStaffDriver(runtime_for_dialogues, fake_api),
    )


async def test_resident_follow_up_reaches_staff(
    runtime_for_dialogues: Runtime, fake_api: FakeBotApi
) -> None:
    await complaints.resident_follow_up_reaches_staff(
        TelegramDriver(runtime_for_dialogues, fake_api),
        TelegramStaffDriver(runtime_for_dialogues, fake_api),
    )


async def test_someone_elses_code_is_refused(
    runtime_for_dialogues: Runtime, fake_api: FakeBotApi
) -> None:
    await complaints.someone_elses_code_is_refused(
        TelegramDriver(runtime_for_dialogues, fake_api, ALICE),
        TelegramDriver(runtime_for_dialogues, fake_api, BOB),
    )


async def test_restart_midway(start_dialogue_runtime: RuntimeFactory, fake_api: FakeBotApi) -> None:
    first = await start_dialogue_runtime()

    async def restart() -> ChatDriver:
        await first.stop()
        # The new process's flood limiter starts empty; a real restart takes longer than
        # the pace the old one kept, so let that much time pass.
        await asyncio.sleep(DIALOGUE_PACE * 4)
        return TelegramDriver(await start_dialogue_runtime(), fake_api)

    await complaints.restart_midway(TelegramDriver(first, fake_api), restart)


async def test_photo_and_location(runtime_for_dialogues: Runtime, fake_api: FakeBotApi) -> None:
    runtime = runtime_for_dialogues
    staff = TelegramStaffDriver(runtime, fake_api)
    code = await complaints.photo_and_location(TelegramDriver(runtime, fake_api))
    found = await ticket(runtime, code)
    assert (found.latitude, found.longitude) == complaints.LOCATION
    # Each photo is kept as its largest size's file id, fetched later by the sweep
    # through getFile; the second is no longer on Telegram's servers by then.
    assert await photo_statuses(runtime, code) == dict.fromkeys(complaints.PHOTO_REFS, "pending")
    fake_api.files[complaints.PHOTO_REFS[0]] = small_jpeg()
    await staff.group_messages()  # the alert
    assert await run_photo_sweep(runtime) == 1
    assert await photo_statuses(runtime, code) == {
        complaints.PHOTO_REFS[0]: "stored",
        complaints.PHOTO_REFS[1]: "rejected",
    }
    photo, caption = await staff.group_messages()  # Telegram gets the photo, then the text
    assert photo.photo and code in caption.text
