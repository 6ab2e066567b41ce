"""``motcua zalo authorize`` walks an admin through OAuth v4 + PKCE; tokens are never shown."""

from __future__ import annotations

import asyncio
import http.client
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from bot.channels.zalo_oa.models import ZaloOAToken
from bot.cli import main
from bot.db.engine import Database
from tests.fakes.zalo_api import FakeZaloOA

REDIRECT = "https://bot.example.vn/zalo-oa/authorized"


@pytest.fixture
async def fake_oa() -> AsyncIterator[FakeZaloOA]:
    server = FakeZaloOA()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_oa: FakeZaloOA) -> str:
    for key in list(os.environ):
        if key.startswith("MOTCUA_") and key != "MOTCUA_SHARED_DIR":
            monkeypatch.delenv(key)
    url = f"sqlite+aiosqlite:///{tmp_path / 'motcua.db'}"
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MOTCUA_DATABASE_URL", url)
    monkeypatch.setenv("MOTCUA_ZALO_OA_APP_ID", fake_oa.app_id)
    monkeypatch.setenv("MOTCUA_ZALO_OA_APP_SECRET", fake_oa.app_secret)
    monkeypatch.setenv("MOTCUA_ZALO_OA_OAUTH_URL", fake_oa.url)
    return url


def allow_in_browser(permission_url: str) -> str:
    """The admin opens the link and allows the app; returns where Zalo redirects.

    Blocking: call it from a thread, never from the event loop serving the fake.
    """
    parsed = urlparse(permission_url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=10)
    connection.request("GET", f"{parsed.path}?{parsed.query}")
    response = connection.getresponse()
    assert response.status == 302
    return response.getheader("Location") or ""


def printed_link(out: str) -> str:
    match = re.search(r"(http://127\.0\.0\.1:\d+/v4/oa/permission\?\S+)", out)
    assert match, out
    return match.group(1)


async def stored_tokens(url: str) -> list[ZaloOAToken]:
    db = Database(url)
    try:
        async with db.read() as session:
            return list((await session.execute(select(ZaloOAToken))).scalars())
    finally:
        await db.dispose()


async def test_authorize_prints_the_pkce_link_reads_the_code_and_stores_tokens(
    env: str,
    fake_oa: FakeZaloOA,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def paste(prompt: str) -> str:
        link = printed_link(capsys.readouterr().out)
        query = parse_qs(urlparse(link).query)
        assert query["app_id"] == [fake_oa.app_id] and query["redirect_uri"] == [REDIRECT]
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"][0])
        return allow_in_browser(link)  # the admin pastes the whole address

    monkeypatch.setattr("bot.cli.zalo.ask", paste)
    assert await asyncio.to_thread(main, ["zalo", "authorize", "--redirect-uri", REDIRECT]) == 0
    out = capsys.readouterr().out
    assert "connected" in out
    [row] = await stored_tokens(env)
    assert (
        fake_oa.access_tokens[row.access_token or ""] and fake_oa.refresh_tokens[row.refresh_token]
    )
    assert not list((Path(env.split("///")[1]).parent / "data" / "zalo_oa").glob("*.pkce.json"))

    assert await asyncio.to_thread(main, ["zalo", "token"]) == 0
    status = capsys.readouterr().out
    assert "valid until" in status
    assert (row.access_token or "-") not in status and row.refresh_token not in status


async def test_authorize_in_two_steps_with_the_code_given_later(
    env: str,
    fake_oa: FakeZaloOA,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_terminal(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("bot.cli.zalo.ask", no_terminal)
    assert await asyncio.to_thread(main, ["zalo", "authorize", "--redirect-uri", REDIRECT]) == 0
    out = capsys.readouterr().out
    assert "motcua zalo authorize --code" in out
    location = await asyncio.to_thread(allow_in_browser, printed_link(out))
    code = parse_qs(urlparse(location).query)["code"][0]
    assert await asyncio.to_thread(main, ["zalo", "authorize", "--code", code]) == 0
    assert len(await stored_tokens(env)) == 1
    assert await asyncio.to_thread(main, ["zalo", "refresh"]) == 0
    assert len(fake_oa.refresh_requests) == 1


async def test_a_code_from_another_attempt_or_without_one_is_refused(
    env: str,
    fake_oa: FakeZaloOA,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await asyncio.to_thread(main, ["zalo", "authorize", "--code", "abc"]) == 2
    assert "run `motcua zalo authorize` first" in capsys.readouterr().err

    monkeypatch.setattr("bot.cli.zalo.ask", lambda prompt: (_ for _ in ()).throw(EOFError()))
    await asyncio.to_thread(main, ["zalo", "authorize", "--redirect-uri", REDIRECT])
    location = await asyncio.to_thread(allow_in_browser, printed_link(capsys.readouterr().out))
    forged = location.replace("state=", "state=x")
    assert await asyncio.to_thread(main, ["zalo", "authorize", "--code", forged]) == 2
    assert "state differs" in capsys.readouterr().err
    assert await asyncio.to_thread(main, ["zalo", "authorize", "--code", "not-a-real-code"]) == 2
    assert "Zalo refused the code" in capsys.readouterr().err
    assert await stored_tokens(env) == []


async def test_token_status_before_authorizing(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["zalo", "token"]) == 1
    assert "not connected" in capsys.readouterr().out
