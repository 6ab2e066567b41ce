"""A real ``motcua serve`` killed with SIGKILL between storing an update and sending the
reply; after a restart the reply goes out exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.channels.telegram.conftest import RESIDENT, SECRET, TOKEN, text_update, update
from tests.commands import ROOT, motcua_env
from tests.fakes.telegram_api import FakeBotApi

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``python -m bot serve`` on a SQLite file, talking to the fake Bot API."""

    def __init__(self, data_dir: Path, api_url: str, *args: str) -> None:
        self.args = args  # given to ``serve``, e.g. ("--workers", "1")
        self.port = _free_port()
        self.env = motcua_env(
            MOTCUA_DATA_DIR=str(data_dir),
            MOTCUA_TELEGRAM_TOKEN=TOKEN,
            MOTCUA_TELEGRAM_SECRET=SECRET,
            MOTCUA_TELEGRAM_API_URL=api_url,
            MOTCUA_TELEGRAM_BOT_USERNAME="motcua_anbinh_bot",
            MOTCUA_OUTBOX_LEASE_SECONDS="2",
            MOTCUA_LOG_LEVEL="WARNING",
        )
        self.log = data_dir.parent / "server.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook/telegram/default"

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "bot", "serve", "--port", str(self.port), *self.args),
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.process.returncode is None, self.log.read_text()[-3000:]
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"http://127.0.0.1:{self.port}/readyz") as r:
                        if r.status == 200:
                            return
                await asyncio.sleep(0.2)
        raise AssertionError("server did not become ready:\n" + self.log.read_text()[-3000:])

    async def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 10)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@contextlib.asynccontextmanager
async def running(server: Server) -> AsyncIterator[Server]:
    try:
        yield server
    finally:
        await server.stop()


async def test_killed_while_the_reply_is_in_flight_it_is_sent_once_after_restart(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    server = Server(tmp_path / "data", fake_api.url)
    async with running(server):
        await server.start()
        fake_api.hold_sends()
        state = fake_api.webhook(TOKEN)
        state.url, state.secret_token = server.webhook, SECRET
        status, _ = await fake_api.deliver(TOKEN, update("callback_query"))  # "m:info"
        assert status == 200  # stored
        await fake_api.wait_until(lambda: fake_api.held == 1, what="the reply to be on its way")
        await server.kill()  # stored, handled, claimed for sending: not sent
        await fake_api.wait_until(lambda: fake_api.abandoned != [], what="the dropped request")
        assert fake_api.sent == []
        fake_api.release_sends()

        await server.start()
        await fake_api.wait_until(lambda: len(fake_api.sent) == 1, within=30, what="the reply")
        await asyncio.sleep(3)  # longer than the lease: nothing else may follow
    [reply] = fake_api.messages_to(RESIDENT)
    assert "Giờ làm việc" in reply.text
    assert len(fake_api.sent) == 1


async def test_killed_right_after_acknowledging_every_update_is_answered_once(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    """Killed at once after the 200s: some updates are only stored, some handled, some
    on their way out. Whatever the mix, each resident gets exactly one answer."""
    server = Server(tmp_path / "data", fake_api.url)
    residents = [5100000000 + i for i in range(8)]
    async with running(server):
        await server.start()
        fake_api.hold_sends()
        state = fake_api.webhook(TOKEN)
        state.url, state.secret_token = server.webhook, SECRET
        results = await asyncio.gather(
            *(
                fake_api.deliver(TOKEN, text_update(100 + i, "/start", u))
                for i, u in enumerate(residents)
            )
        )
        assert [status for status, _ in results] == [200] * len(residents)
        await server.kill()
        fake_api.release_sends()
        assert fake_api.sent == []

        await server.start()
        await fake_api.wait_until(
            lambda: len(fake_api.sent) >= len(residents), within=30, what="every reply"
        )
        await asyncio.sleep(3)
    assert sorted(int(m.chat_id) for m in fake_api.sent) == residents
