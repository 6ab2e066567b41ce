"""``motcua staff add`` creates the first administrator, who can then sign in."""

from __future__ import annotations

import io
import sys

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import build_runtime
from bot.cli import main
from bot.config import Settings
from bot.web import create_app
from staff.models import StaffAccount
from tests.staff.conftest import sign_in


def _env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", settings.database_url or "")
    if settings.config is not None:
        monkeypatch.setenv("MOTCUA_CONFIG", str(settings.config))


def test_staff_add_reads_the_password_from_stdin_and_refuses_a_weak_one(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(settings, monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO("ngan\n"))
    assert main(["staff", "add", "--role", "commune_admin", "--password-stdin", "admin"]) == 2
    assert "ít nhất 10 ký tự" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("mot-mat-khau-dai-du\n"))
    assert (
        main(
            [
                "staff",
                "add",
                "--role",
                "commune_admin",
                "--name",
                "Chị Lan",
                "--password-stdin",
                "Admin",
            ]
        )
        == 0
    )
    assert "account admin created" in capsys.readouterr().out
    assert main(["staff", "list"]) == 0
    assert "admin" in capsys.readouterr().out


async def test_the_admin_made_on_the_command_line_signs_in(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(settings, monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO("mot-mat-khau-dai-du\n"))
    import asyncio

    assert (
        await asyncio.to_thread(
            main, ["staff", "add", "--role", "commune_admin", "--password-stdin", "admin"]
        )
        == 0
    )
    runtime = build_runtime(settings)
    await runtime.start(workers=False)
    try:
        async with runtime.db.read() as session:
            account = (await session.execute(select(StaffAccount))).scalar_one()
        assert account.role == "commune_admin" and account.commune_id is not None
        async with TestClient(TestServer(create_app(runtime, manage_runtime=False))) as client:
            await sign_in(client, "admin", "mot-mat-khau-dai-du")
            assert (await client.get("/staff/settings")).status == 200
    finally:
        await runtime.stop()
