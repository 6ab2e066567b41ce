"""One bot for several communes: residents choose theirs, and the choice sticks."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from bot.app import Runtime
from bot.channels.telegram import texts
from bot.config import Settings
from bot.db.models import Commune, InboxItem
from tests.channels.telegram.conftest import (
    SECRET,
    TOKEN,
    RuntimeFactory,
    button_update,
    text_update,
)
from tests.channels.telegram.driver import TelegramDriver, as_reply
from tests.fakes.telegram_api import FakeBotApi

RESIDENT = 5300000001


async def _shared_runtime(
    telegram_settings: Settings, start_runtime: RuntimeFactory, fake_api: FakeBotApi, tmp_path: Path
) -> Runtime:
    config = tmp_path / "communes.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "communes": [
                    {
                        "slug": "tan-lap",
                        "name": "Xã Tân Lập",
                        "telegram": {"token": TOKEN, "api_url": fake_api.url},
                    }
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    telegram_settings.config = config
    runtime = await start_runtime(workers=False, introduce=False)
    state = fake_api.webhook(TOKEN)
    state.url = f"{runtime.settings.public_url}/webhook/telegram/default"
    state.secret_token = SECRET
    return runtime


async def _communes_of_inbox(runtime: Runtime) -> list[str]:
    async with runtime.db.read() as session:
        rows = await session.execute(
            select(Commune.slug)
            .join(InboxItem, InboxItem.commune_id == Commune.id)
            .order_by(InboxItem.id)
        )
        return list(rows.scalars())


async def test_a_resident_chooses_a_commune_and_stays_with_it(
    telegram_settings: Settings, start_runtime: RuntimeFactory, fake_api: FakeBotApi, tmp_path: Path
) -> None:
    runtime = await _shared_runtime(telegram_settings, start_runtime, fake_api, tmp_path)
    driver = TelegramDriver(runtime, fake_api, RESIDENT)

    [chooser] = await driver.say("làm giấy khai sinh")
    assert chooser.text == texts.CHOOSE_COMMUNE
    assert [b.label for b in chooser.buttons] == ["Xã An Bình", "Xã Tân Lập"]

    [welcome] = await driver.press(chooser.buttons[1])
    assert "Xã Tân Lập" in welcome.text

    await driver.say("giờ làm việc")
    assert await _communes_of_inbox(runtime) == ["default", "tan-lap", "tan-lap"]

    [again] = await driver.say("/start")  # a fresh start offers the choice again
    assert again.text == texts.CHOOSE_COMMUNE


async def test_the_choice_is_found_again_after_a_restart(
    telegram_settings: Settings, start_runtime: RuntimeFactory, fake_api: FakeBotApi, tmp_path: Path
) -> None:
    runtime = await _shared_runtime(telegram_settings, start_runtime, fake_api, tmp_path)
    driver = TelegramDriver(runtime, fake_api, RESIDENT)
    [chooser] = await driver.say("xin chào")
    await driver.press(chooser.buttons[1])
    plugin = runtime.plugins[0]
    for group in plugin.shared.values():  # type: ignore[attr-defined]
        group._choices.clear()  # what a restarted process would not remember
    await driver.say("giờ làm việc")
    assert (await _communes_of_inbox(runtime))[-1] == "tan-lap"


async def test_a_repeated_delivery_of_the_first_message_gets_one_chooser(
    telegram_settings: Settings, start_runtime: RuntimeFactory, fake_api: FakeBotApi, tmp_path: Path
) -> None:
    runtime = await _shared_runtime(telegram_settings, start_runtime, fake_api, tmp_path)
    update = text_update(77, "xin chào", RESIDENT)
    for _ in range(3):
        status, _ = await fake_api.deliver(TOKEN, update)
        assert status == 200
    while await runtime.relay.run_once():
        pass
    assert [as_reply(m).text for m in fake_api.messages_to(RESIDENT)] == [texts.CHOOSE_COMMUNE]
    # A stale choice button for a commune the bot no longer serves asks again.
    await fake_api.deliver(TOKEN, button_update(78, "xa:999999", RESIDENT))
    while await runtime.relay.run_once():
        pass
    assert len(fake_api.messages_to(RESIDENT)) == 2
