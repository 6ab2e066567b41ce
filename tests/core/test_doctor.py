"""``motcua doctor`` against fake Telegram and Zalo servers on loopback: a healthy
deployment passes, and each broken piece is named with what to do about it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.cli import main
from bot.cli.common import open_database
from bot.cli.doctor import FAIL, OK, WARN, Check, diagnose
from bot.config import Settings
from bot.db.engine import Database
from bot.db.migrate import downgrade, upgrade
from tests.fakes.telegram_api import FakeBotApi, WebhookState
from tests.fakes.zalo_api import FakeZaloBot
from tests.scratch_db import empty_database

TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
OTHER_TOKEN = "7000000002:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
PUBLIC = "https://motcua.anbinh.gov.vn"


@pytest.fixture
async def telegram() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(known_tokens={TOKEN, OTHER_TOKEN}) as api:
        yield api


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloBot]:
    server = FakeZaloBot()
    await server.start()
    yield server
    await server.close()


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


@pytest.mark.db
async def test_a_healthy_deployment_is_all_ok(
    settings: Settings, telegram: FakeBotApi, zalo: FakeZaloBot
) -> None:
    db = Database(settings.resolved_database_url)
    await upgrade(db)
    await db.dispose()
    settings.public_url = PUBLIC
    settings.telegram_token = SecretStr(TOKEN)
    settings.telegram_api_url = telegram.url
    settings.zalo_bot_token = SecretStr(zalo.token)
    settings.zalo_bot_secret = SecretStr("zalo-bot-webhook-secret-123")
    settings.zalo_bot_api_url = zalo.url
    telegram.bot(TOKEN).webhook = WebhookState(url=f"{PUBLIC}/webhook/telegram/default")

    checks = await diagnose(settings)

    assert [c for c in checks if c.status != OK] == []
    found = by_name(checks)
    assert set(found) >= {
        "configuration",
        "data directory",
        "public URL",
        "database",
        "schema",
        "telegram [default]",
        "telegram [default] webhook",
        "zalo bot [default]",
    }
    assert "@fake7000000001_bot" in found["telegram [default]"].detail


async def test_each_problem_is_named_with_what_to_fix(
    tmp_path: Path, telegram: FakeBotApi, zalo: FakeZaloBot
) -> None:
    config = tmp_path / "communes.yaml"
    config.write_text(
        f"""
communes:
  - slug: an-binh
    telegram: {{token: "{OTHER_TOKEN}", api_url: "{telegram.url}"}}
    zalo_oa: {{app_id: "1234", secret_key: "oa-secret", app_secret: "app-secret"}}
""",
        encoding="utf-8",
    )
    settings = Settings(
        data_dir=tmp_path / "data",
        config=config,
        public_url="http://motcua.anbinh.gov.vn",
        telegram_token=SecretStr("7000000009:refused-token"),
        telegram_api_url=telegram.url,
        zalo_bot_token=SecretStr("1234567890:not-the-right-one"),
        zalo_bot_api_url=zalo.url,
    )
    async with open_database(settings):  # migrated, communes recorded, no OA tokens
        pass
    db = Database(settings.resolved_database_url)
    await downgrade(db, "0005_staff")  # an older deployment's schema
    await db.dispose()
    telegram.bot(OTHER_TOKEN).webhook = WebhookState(url="https://old-server.example/hook")
    telegram.set_webhook_error(OTHER_TOKEN, "Connection refused")

    found = by_name(await diagnose(settings))

    def expect(name: str, status: str, detail: str, fix: str) -> None:
        check = found[name]
        assert check.status == status, check
        assert detail in check.detail, check
        assert check.fix is not None and fix in check.fix, check

    expect("public URL", FAIL, "not an https:// address", "MOTCUA_PUBLIC_URL=https://")
    expect("schema", WARN, "behind", "motcua db upgrade")
    expect("telegram [default]", FAIL, "refused the bot token", "MOTCUA_TELEGRAM_TOKEN")
    expect(
        "telegram [an-binh] webhook",
        FAIL,
        "registered to https://old-server.example/hook, expected "
        "http://motcua.anbinh.gov.vn/webhook/telegram/an-binh",
        "motcua telegram set-webhook",
    )
    expect("zalo bot [default]", FAIL, "getMe failed", "MOTCUA_ZALO_BOT_TOKEN")
    assert "zalo oa [an-binh]" not in found  # not checked on a schema that is behind

    db = Database(settings.resolved_database_url)
    await upgrade(db)
    await db.dispose()
    telegram.bot(OTHER_TOKEN).webhook = WebhookState(
        url="http://motcua.anbinh.gov.vn/webhook/telegram/an-binh"
    )
    telegram.set_webhook_error(OTHER_TOKEN, "Connection refused")
    found = by_name(await diagnose(settings))
    expect("zalo oa [an-binh]", FAIL, "not connected", "motcua zalo authorize")
    expect(
        "telegram [an-binh] webhook",
        WARN,
        "Connection refused",
        "answers from the internet",
    )


def test_the_command_fails_on_a_bad_setting_and_passes_on_a_fresh_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in [k for k in os.environ if k.startswith("MOTCUA_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MOTCUA_PORT", "tám nghìn")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  configuration: MOTCUA_PORT" in out and "fix: correct MOTCUA_PORT" in out

    monkeypatch.delenv("MOTCUA_PORT")
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "WARN  database: no SQLite database" in out
    assert "fix: run `motcua db upgrade`" in out


def test_a_postgresql_database_that_cannot_hold_vietnamese_is_refused(
    tmp_path: Path, postgres_url: str
) -> None:
    """SQL_ASCII (what `createdb` gives on a server set up without a locale) makes
    every migration and every Vietnamese text fail: doctor says so before anything else."""
    with empty_database("postgresql", postgres_url, tmp_path, encoding="SQL_ASCII") as url:
        settings = Settings(data_dir=tmp_path / "data", database_url=url)
        checks = by_name(asyncio.run(diagnose(settings)))
    assert checks["database"].status == OK
    encoding = checks["encoding"]
    assert encoding.status == FAIL and "SQL_ASCII" in encoding.detail
    assert encoding.fix is not None and "createdb -E UTF8" in encoding.fix
    assert "schema" not in checks
