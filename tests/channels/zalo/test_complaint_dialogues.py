"""Complaint dialogues with more than one actor, on both Zalo adapters end to end: the
resident through the webhook and the fake Zalo server, staff in the Telegram staff group
(tests/dialogues/complaints.py has the dialogues; test_dialogues.py the transcripts)."""

from __future__ import annotations

from tests.channels.zalo.conftest import (
    BOT_SECRET,
    OA_SECRET_KEY,
    STAFF_GROUP,
    STAFF_USER,
    StartZalo,
    ZaloApp,
    ZaloResident,
)
from tests.channels.zalo.drivers import ZaloBotDriver, ZaloOADriver
from tests.complaints.drivers import StaffDriver
from tests.complaints.helpers import photo_statuses, run_photo_sweep, small_jpeg, ticket
from tests.dialogue import ChatDriver
from tests.dialogues import complaints
from tests.fakes.zalo_api import FakeZaloBot, FakeZaloOA


def staff(app: ZaloApp) -> StaffDriver:
    return StaffDriver(app[0], STAFF_USER, group=STAFF_GROUP)


async def test_staff_reply_is_relayed(start_zalo: StartZalo, resident: ZaloResident) -> None:
    app = await start_zalo()
    await complaints.staff_reply_is_relayed(resident(app), staff(app))


async def test_resident_follow_up_reaches_staff(
    start_zalo: StartZalo, resident: ZaloResident
) -> None:
    app = await start_zalo()
    await complaints.resident_follow_up_reaches_staff(resident(app), staff(app))


async def test_someone_elses_code_is_refused(start_zalo: StartZalo, resident: ZaloResident) -> None:
    app = await start_zalo()
    await complaints.someone_elses_code_is_refused(resident(app, 0), resident(app, 1))


async def test_restart_midway(start_zalo: StartZalo, resident: ZaloResident) -> None:
    first = await start_zalo()

    async def restart() -> ChatDriver:
        await first[0].stop()
        return resident(await start_zalo())

    await complaints.restart_midway(resident(first), restart)


async def test_photo_and_location_on_the_oa(start_zalo: StartZalo, fake_oa: FakeZaloOA) -> None:
    app = await start_zalo()
    resident = ZaloOADriver(*app, fake_oa, OA_SECRET_KEY)
    code = await complaints.photo_and_location(resident)
    found = await ticket(app[0], code)
    assert (found.latitude, found.longitude) == complaints.LOCATION
    await _photos_are_fetched_from(fake_oa.url, fake_oa.files, app, code)


async def test_photos_on_the_bot(start_zalo: StartZalo, fake_bot: FakeZaloBot) -> None:
    """The Zalo Bot platform has no location message: photos only."""
    app = await start_zalo()
    code = await complaints.photos_only(ZaloBotDriver(*app, fake_bot, BOT_SECRET))
    await _photos_are_fetched_from(fake_bot.url, fake_bot.files, app, code)


async def _photos_are_fetched_from(
    server: str, files: dict[str, bytes], app: ZaloApp, code: str
) -> None:
    """Zalo hands photos over as URLs on its servers; the ticket keeps them and the sweep
    downloads them later, when the second has expired there."""
    runtime = app[0]
    first, second = (f"{server}/files/{ref}" for ref in complaints.PHOTO_REFS)
    assert await photo_statuses(runtime, code) == {first: "pending", second: "pending"}
    files[complaints.PHOTO_REFS[0]] = small_jpeg()
    await staff(app).group_messages()  # the alert
    assert await run_photo_sweep(runtime) == 1
    assert await photo_statuses(runtime, code) == {first: "stored", second: "rejected"}
    [shown] = await staff(app).group_messages()
    assert shown.photo and code in shown.text
