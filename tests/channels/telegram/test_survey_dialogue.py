"""A survey invitation's deep link, opened on Telegram end to end: the QR code on the
receipt opens the bot, Telegram sends ``/start <payload>`` to the webhook, and the
questionnaire is answered with inline buttons and typed scores."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from bot.app import Runtime
from bot.db.base import utcnow
from tests.channels.telegram.driver import TelegramDriver
from tests.dialogue import run_transcript
from tests.dialogues.surveys import ALL_FIVES
from tests.fakes.telegram_api import FakeBotApi
from tests.surveys.helpers import responses, services, visit


async def test_the_deep_link_opens_the_questionnaire(
    runtime_for_dialogues: Runtime, fake_api: FakeBotApi
) -> None:
    runtime = runtime_for_dialogues
    invitation, _token = await visit(runtime, utcnow(), counter="Quầy 2")
    link = services(runtime).link("default", invitation)
    assert link is not None and link.startswith("https://t.me/motcua_anbinh_bot?start=")
    [payload] = parse_qs(urlparse(link).query)["start"]
    await run_transcript(
        TelegramDriver(runtime, fake_api),
        f"""
        > /start {payload}
        < Mời bạn đánh giá sự phục vụ
        {ALL_FIVES}
        > [Không có góp ý]
        < Cảm ơn bạn đã đánh giá
        """,
    )
    [answer] = await responses(runtime)
    assert (answer.overall, answer.access, answer.result, answer.counter) == (5, 5, 4, "Quầy 2")
