"""``motcua telegram ...`` against the fake Bot API, as an operator would run it."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import ensure_secret_key
from bot.channels.telegram import texts
from bot.channels.telegram.webhook import webhook_secret
from bot.config import Settings
from tests.channels.telegram.conftest import TOKEN
from tests.commands import ROOT, motcua_env
from tests.fakes.telegram_api import FakeBotApi


async def motcua(tmp_path: Path, api: FakeBotApi, *args: str, **env: str) -> tuple[int, str]:
    environment = motcua_env(
        MOTCUA_DATA_DIR=str(tmp_path / "data"),
        MOTCUA_TELEGRAM_TOKEN=TOKEN,
        MOTCUA_TELEGRAM_API_URL=api.url,
        **env,
    )
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "telegram", *args),
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_set_webhook_registers_the_url_the_secret_and_the_commands(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    code, out = await motcua(tmp_path, fake_api, "set-webhook", "https://bot.anbinh.example/")
    assert code == 0, out
    state = fake_api.webhook(TOKEN)
    assert state.url == "https://bot.anbinh.example/webhook/telegram/default"
    assert state.allowed_updates == ["message", "callback_query"]
    # No MOTCUA_TELEGRAM_SECRET: the secret is derived from the deployment's key, the
    # same way the server derives it when checking deliveries.
    settings = Settings(data_dir=tmp_path / "data", telegram_token=SecretStr(TOKEN))
    ensure_secret_key(settings)
    assert settings.secret_key is not None
    expected = webhook_secret(settings.default_commune(), settings.secret_key.get_secret_value())
    assert state.secret_token == expected and expected and len(expected) >= 32
    assert fake_api.commands(TOKEN) == [name for name, _ in texts.COMMANDS]
    assert "webhook set" in out and expected not in out


async def test_an_explicit_secret_is_used_as_given(fake_api: FakeBotApi, tmp_path: Path) -> None:
    code, out = await motcua(
        tmp_path,
        fake_api,
        "set-webhook",
        "https://bot.anbinh.example/webhook/telegram/default",
        MOTCUA_TELEGRAM_SECRET="given-secret_123",
    )
    assert code == 0, out
    assert fake_api.webhook(TOKEN).secret_token == "given-secret_123"
    assert fake_api.webhook(TOKEN).url == "https://bot.anbinh.example/webhook/telegram/default"


async def test_info_shows_the_pending_count_and_the_last_error(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    fake_api.webhook(TOKEN).url = "https://bot.anbinh.example/webhook/telegram/default"
    fake_api.bot(TOKEN).updates.extend([{"update_id": 1}, {"update_id": 2}])
    fake_api.set_webhook_error(TOKEN, "Connection timed out", when=1763880000)
    code, out = await motcua(tmp_path, fake_api, "info")
    assert code == 0, out
    assert "pending updates: 2" in out
    assert "2025-11-23 06:40:00 UTC  Connection timed out" in out
    code, out = await motcua(tmp_path, fake_api, "info", "--json")
    data = json.loads(out)
    assert (data["pending_update_count"], data["last_error_message"]) == (2, "Connection timed out")


async def test_link_prints_a_deep_link_and_writes_its_qr_code(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    qr = tmp_path / "qr.svg"
    code, out = await motcua(tmp_path, fake_api, "link", "sv_abc", "--qr", str(qr))
    assert code == 0, out
    assert "https://t.me/fake7000000001_bot?start=sv_abc" in out  # username from getMe
    assert qr.read_text().startswith("<svg")
    code, out = await motcua(tmp_path, fake_api, "link", "có dấu")
    assert code == 2 and "invalid deep-link payload" in out


@pytest.mark.parametrize("action", ["info", "set-commands"])
async def test_a_commune_without_a_token_is_a_clear_error(
    fake_api: FakeBotApi, tmp_path: Path, action: str
) -> None:
    code, out = await motcua(tmp_path, fake_api, action, "--commune", "xa-khac")
    assert code == 2 and "unknown commune 'xa-khac'" in out
