"""What PostgreSQL refuses and SQLite lets through: NUL, lone surrogates, NaN.

The property tests (tests/properties) run on SQLite only; these examples, the ones that
differ between the databases, run on both. A message carrying them is answered, and the
draft it leaves behind is stored.
"""

from __future__ import annotations

import pytest

from bot.app import Runtime
from bot.config import Settings
from bot.processing import APOLOGY
from bot.types import Attachment, Contact, Location
from tests.complaints.drivers import STAFF_GROUP, STAFF_IDS
from tests.properties.test_conversation_steps import Staff, _at_step, assert_answered
from tests.surveys.helpers import MORNING, set_clock

pytestmark = pytest.mark.db

NASTY = "a\x00b \ud800 \x1b[31m ¹ \u202e"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.staff_telegram_chat = STAFF_GROUP
    settings.staff_telegram_users = ",".join(STAFF_IDS)
    return settings


@pytest.mark.parametrize(
    "step",
    ["idle", "complaint text", "complaint name", "complaint confirm", "survey comment"],
)
async def test_nasty_text_is_answered_and_stored_on_every_database(
    runtime: Runtime, step: str
) -> None:
    set_clock(runtime, MORNING)
    resident = await _at_step(runtime, step)
    assert_answered(await resident.say(NASTY))
    assert_answered(await resident.say("x" * 100_000 + NASTY))


async def test_a_location_that_is_not_a_place_is_ignored(runtime: Runtime) -> None:
    set_clock(runtime, MORNING)
    resident = await _at_step(runtime, "complaint extras", "telegram")
    for where in (Location(float("nan"), 1.0), Location(float("inf"), 0.0), Location(91.0, 0.0)):
        assert APOLOGY not in await resident.send(location=where)
    replies = await resident.send(
        attachments=(Attachment("photo", "\x00\ud800"),), contact=Contact(NASTY, NASTY)
    )
    assert_answered(replies)


async def test_a_staff_command_with_nasty_text_is_answered(runtime: Runtime) -> None:
    assert_answered(await Staff(runtime).say(f"/traloi PA-ZZZZZZ {NASTY}"))
