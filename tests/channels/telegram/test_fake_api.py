"""The fake Bot API is only worth trusting if it refuses what Telegram refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import error as tg

from bot.channels.telegram.bots import MotcuaBot, close_bot, make_bot
from tests.channels.telegram.conftest import TOKEN
from tests.fakes.telegram_api import FakeBotApi, RateReferee, RateRules
from tests.fakes.telegram_spec import BotApiSpec, html_problem


@pytest.fixture
async def strict() -> AsyncIterator[tuple[FakeBotApi, MotcuaBot]]:
    async with FakeBotApi() as api:
        bot = make_bot(TOKEN, api.url, read_timeout=2)
        yield api, bot
        await close_bot(bot)


async def test_an_unknown_method_is_a_violation(strict: tuple[FakeBotApi, MotcuaBot]) -> None:
    api, bot = strict
    with pytest.raises(tg.TelegramError):  # PTB reads Telegram's 404 as a bad token
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert api.violations == ["unknown method 'sendTelepathy'"]


async def test_an_unknown_parameter_is_a_violation(strict: tuple[FakeBotApi, MotcuaBot]) -> None:
    api, bot = strict
    with pytest.raises(tg.BadRequest, match="unknown parameter 'colour'"):
        await bot.send_message(chat_id=1, text="x", api_kwargs={"colour": "red"})
    assert api.violations == ["sendMessage: unknown parameter 'colour'"]


async def test_a_missing_field_or_a_wrong_type_is_a_violation(
    strict: tuple[FakeBotApi, MotcuaBot],
) -> None:
    api, _ = strict
    calls = [
        ("sendMessage", {"chat_id": 1}),
        ("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": "no"}}),
        ("setWebhook", {"url": "https://x.example", "max_connections": "many"}),
    ]
    async with aiohttp.ClientSession() as http:
        for method, body in calls:
            async with http.post(f"{api.url}/bot{TOKEN}/{method}", json=body) as response:
                assert response.status == 400
    assert api.violations == [
        "sendMessage: missing required parameter 'text'",
        "sendMessage.reply_markup.inline_keyboard: expected Array of Array of InlineKeyboardButton,"
        " got str",
        "setWebhook.max_connections: expected Integer, got 'many'",
    ]


async def test_unescaped_html_and_overlong_texts_are_refused(
    strict: tuple[FakeBotApi, MotcuaBot],
) -> None:
    api, bot = strict
    with pytest.raises(tg.BadRequest, match="parse entities"):
        await bot.send_message(chat_id=1, text="a < b", parse_mode="HTML")
    with pytest.raises(tg.BadRequest, match="over 4096"):
        await bot.send_message(chat_id=1, text="x" * 4097)
    assert len(api.violations) == 2 and api.sent == []


def test_union_members_are_told_apart_by_their_type_field() -> None:
    spec = BotApiSpec.load()
    assert spec.check_value({"type": "chat", "chat_id": 5}, ["BotCommandScope"], "scope") == []
    assert spec.check_value({"type": "galaxy"}, ["BotCommandScope"], "scope") != []


def test_html_checker_accepts_entities_and_tags_and_rejects_strays() -> None:
    assert html_problem("<b>Giờ</b> làm việc &amp; &lt;địa chỉ&gt;") is None
    assert html_problem("1 < 2") is not None
    assert html_problem("Tom & Jerry") is not None
    assert html_problem("<b>unclosed") is not None


def test_the_referee_counts_sends_beyond_each_limit() -> None:
    referee = RateReferee(RateRules())
    for i in range(4):  # a burst of 3 is fine, the 4th at once is not
        referee.record("bot", "42", 100.0 + i * 0.01)
    assert len(referee.violations) == 1
    referee = RateReferee(RateRules())
    for i in range(31):
        referee.record("bot", str(i + 1), 200.0 + i * 0.01)
    assert referee.violations == ["bot: more than 30 messages in one second"]
    referee = RateReferee(RateRules())
    for i in range(21):
        referee.record("bot", "-100", 300.0 + i * 2.0)
    assert referee.violations == ["group -100: more than 20 messages in a minute"]
