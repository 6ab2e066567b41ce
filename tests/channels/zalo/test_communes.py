"""Each commune has its own Zalo bot and OA, configured in the communes file."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import Runtime, build_runtime
from bot.channels.zalo_oa.signature import signature
from bot.config import Settings
from bot.db.models import Commune, InboxItem
from bot.web import create_app
from tests.channels.zalo.conftest import zalo_plugins
from tests.channels.zalo.helpers import raw_fixture
from tests.fakes.zalo_api import FakeZaloBot, FakeZaloOA

OTHER_KEY = "the-other-communes-oa-secret-key"
OTHER_BOT_SECRET = "the-other-communes-bot-secret"


@pytest.fixture
async def two_communes(
    zalo_settings: Settings, fake_bot: FakeZaloBot, fake_oa: FakeZaloOA, tmp_path: Path
) -> AsyncIterator[Runtime]:
    path = tmp_path / "communes.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "communes": [
                    {
                        "slug": "xa-hoa-binh",
                        "name": "Xã Hòa Bình",
                        "zalo_bot": {
                            "token": fake_bot.token,
                            "secret": OTHER_BOT_SECRET,
                            "api_url": fake_bot.url,
                        },
                        "zalo_oa": {
                            "app_id": fake_oa.app_id,
                            "secret_key": OTHER_KEY,
                            "app_secret": fake_oa.app_secret,
                            "api_url": fake_oa.url,
                            "oauth_url": fake_oa.url,
                        },
                    }
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    zalo_settings.config = path
    runtime = build_runtime(zalo_settings, plugins=zalo_plugins(zalo_settings))
    await runtime.start(workers=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def test_each_communes_webhooks_check_that_communes_own_secrets(
    two_communes: Runtime, aiohttp_client: Any
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(two_communes, manage_runtime=False)
    )
    raw = raw_fixture("oa", "user_send_text.json")
    timestamp = str(json.loads(raw)["timestamp"])
    app_id = json.loads(raw)["app_id"]

    def mac(key: str) -> dict[str, str]:
        return {"X-ZEvent-Signature": "mac=" + signature(app_id, raw, timestamp, key)}

    assert (
        await client.post(
            "/webhook/zalo-oa/xa-hoa-binh", data=raw, headers=mac("oa-secret-key-for-signatures")
        )
    ).status == 401
    assert (
        await client.post("/webhook/zalo-oa/xa-hoa-binh", data=raw, headers=mac(OTHER_KEY))
    ).status == 200
    bot_update = raw_fixture("bot", "text.json")
    assert (
        await client.post(
            "/webhook/zalo-bot/xa-hoa-binh",
            data=bot_update,
            headers={"X-Bot-Api-Secret-Token": OTHER_BOT_SECRET},
        )
    ).status == 200
    assert (
        await client.post(
            "/webhook/zalo-bot/default",
            data=bot_update,
            headers={"X-Bot-Api-Secret-Token": OTHER_BOT_SECRET},
        )
    ).status == 401
    async with two_communes.db.read() as session:
        rows = (
            await session.execute(
                select(Commune.slug, InboxItem.channel).join(
                    Commune, Commune.id == InboxItem.commune_id
                )
            )
        ).all()
    assert sorted(rows) == [("xa-hoa-binh", "zalo_bot"), ("xa-hoa-binh", "zalo_oa")]
