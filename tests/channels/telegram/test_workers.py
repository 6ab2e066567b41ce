"""``motcua serve --workers 1``: the web process stores, a worker process handles and
sends. Residents see no difference, a killed worker is restarted and loses nothing, and
stopping the server stops its worker."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli.work import POLL_SECONDS, WOKEN_POLL_SECONDS, worker_runtime
from bot.config import Settings
from bot.event_loop import loop_factory
from bot.workers import PARENT_ENV, WAKE_WEB, WorkerPool
from tests.channels.telegram.conftest import SECRET, TOKEN, text_update
from tests.channels.telegram.test_crash import Server, running
from tests.commands import run_motcua
from tests.fakes.telegram_api import FakeBotApi

pytestmark = pytest.mark.slow

RESIDENTS = [5200000000 + i for i in range(6)]
# Each is answered with one message whose text says which it was.
ASKED = (("/start", "Xin chào"), ("/trogiup", "Cách dùng"), ("/start", "Xin chào"))


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


async def _worker_of(server: Server) -> int:
    assert server.process is not None
    for _ in range(100):
        if kids := children(server.process.pid):
            [worker] = kids
            return worker
        await asyncio.sleep(0.1)
    raise AssertionError("no worker process")


async def _ask_everyone(fake_api: FakeBotApi, first_id: int) -> None:
    """Every resident sends the whole of ASKED, all residents at once; every update is
    acknowledged. A chat's updates come one after the other, as Telegram delivers them
    (in order per chat, the next once the last is acknowledged): sent together, two
    of them could reach the server in either order."""

    async def resident(i: int, user: int) -> list[int]:
        statuses = []
        for n, (text, _) in enumerate(ASKED):
            update = text_update(first_id + n * len(RESIDENTS) + i, text, user)
            status, _ = await fake_api.deliver(TOKEN, update)
            statuses.append(status)
        return statuses

    statuses = await asyncio.gather(*(resident(i, user) for i, user in enumerate(RESIDENTS)))
    assert statuses == [[200] * len(ASKED)] * len(RESIDENTS)


@contextlib.asynccontextmanager
async def _with_a_worker(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Server]:
    """``serve --workers 1``, its webhook registered at the fake Bot API."""
    server = Server(tmp_path / "data", fake_api.url, "--workers", "1")
    async with running(server):
        await server.start()
        state = fake_api.webhook(TOKEN)
        state.url, state.secret_token = server.webhook, SECRET
        yield server


def _answered_in_order(fake_api: FakeBotApi, rounds: int) -> None:
    for user in RESIDENTS:
        texts = [m.text for m in fake_api.messages_to(user)]
        assert len(texts) == rounds * len(ASKED), (user, texts)
        for text, (_, expected) in zip(texts, ASKED * rounds, strict=True):
            assert expected in text, (user, texts)


async def test_a_worker_process_answers_everyone_once_and_in_order(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with _with_a_worker(fake_api, tmp_path):
        await _ask_everyone(fake_api, 1000)
        expected = len(RESIDENTS) * len(ASKED)
        await fake_api.wait_until(lambda: len(fake_api.sent) >= expected, within=30)
        await asyncio.sleep(1)
        _answered_in_order(fake_api, rounds=1)


async def test_the_worker_yields_the_cpu_to_the_webhooks(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with _with_a_worker(fake_api, tmp_path) as server:
        assert server.process is not None
        worker = await _worker_of(server)
        web = os.getpriority(os.PRIO_PROCESS, server.process.pid)
        await _ask_everyone(fake_api, 3000)  # answered only once the worker is running
        await fake_api.wait_until(lambda: len(fake_api.sent) >= len(RESIDENTS), within=30)
        assert os.getpriority(os.PRIO_PROCESS, worker) == min(web + 10, 19)


async def test_a_killed_worker_is_restarted_and_what_was_stored_meanwhile_is_answered(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with _with_a_worker(fake_api, tmp_path) as server:
        await _ask_everyone(fake_api, 1000)
        first = await _worker_of(server)
        os.kill(first, signal.SIGKILL)  # mid-stream: some handled, some not
        await _ask_everyone(fake_api, 2000)  # the web process still stores and answers 200
        expected = 2 * len(RESIDENTS) * len(ASKED)
        await fake_api.wait_until(lambda: len(fake_api.sent) >= expected, within=60)
        await asyncio.sleep(3)  # longer than the outbox lease: nothing may come twice
        assert await _worker_of(server) != first
        _answered_in_order(fake_api, rounds=2)


async def test_stopping_the_server_stops_its_worker(fake_api: FakeBotApi, tmp_path: Path) -> None:
    server = Server(tmp_path / "data", fake_api.url, "--workers", "1")
    await server.start()
    worker = await _worker_of(server)
    await server.stop()
    assert server.process is not None and server.process.returncode == 0
    assert _state(worker) in ("gone", "Z")  # exited (a zombie until its parent reaps it)


async def test_a_worker_whose_server_was_killed_stops_too(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    """SIGKILL gives the server no chance to stop its worker: the worker notices."""
    server = Server(tmp_path / "data", fake_api.url, "--workers", "1")
    async with running(server):
        await server.start()
        worker = await _worker_of(server)
        await server.kill()
        for _ in range(100):
            if _state(worker) in ("gone", "Z"):
                break
            await asyncio.sleep(0.1)
        assert _state(worker) in ("gone", "Z")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


@pytest.mark.parametrize(
    ("args", "setting"), [(["--workers", "2"], None), ([], "2")], ids=["flag", "MOTCUA_WORKERS"]
)
def test_sqlite_refuses_more_than_one_worker(
    tmp_path: Path, args: list[str], setting: str | None
) -> None:
    workers = {} if setting is None else {"MOTCUA_WORKERS": setting}
    done = run_motcua("serve", *args, timeout=60, MOTCUA_DATA_DIR=str(tmp_path / "data"), **workers)
    assert done.returncode == 2
    assert "at most one worker" in done.stderr and "PostgreSQL" in done.stderr


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_a_wake_before_the_worker_is_ready_for_it_does_not_end_it(
    tmp_path: Path, loop: str
) -> None:
    # A worker still starting up has no handler for the wake yet. With uvloop the
    # worker is started through libuv, which resets every signal to its default in the
    # child, so only a signal whose default is to do nothing is safe.
    seen = tmp_path / "seen"
    script = (
        "import pathlib, sys, time; time.sleep(0.5); pathlib.Path(sys.argv[1]).write_text('lived')"
    )

    async def wake_while_starting() -> int | None:
        pool = WorkerPool(1, [sys.executable, "-c", script, str(seen)])
        await pool.start()
        (process,) = pool._processes.values()
        try:
            for _ in range(5):
                pool.wake()
                await asyncio.sleep(0.02)
            await asyncio.wait_for(process.wait(), 30)
        finally:
            await pool.stop()
        return process.returncode

    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        assert runner.get_loop().__module__.startswith(loop)
        assert runner.run(wake_while_starting()) == 0
    assert seen.read_text() == "lived"


def test_a_worker_started_by_serve_wakes_its_web_process_and_polls_slowly(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Replies a worker writes are sent by its web process's relay: the worker tells it
    # with a signal instead of that relay polling the database every few milliseconds.
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: sent.append((pid, sig)))
    monkeypatch.setenv(PARENT_ENV, str(os.getppid()))
    runtime = worker_runtime(settings)
    assert runtime.processor.poll_seconds == WOKEN_POLL_SECONDS
    runtime.relay.wake()  # as the processor does after a batch with replies
    assert sent == [(os.getppid(), WAKE_WEB)]
    monkeypatch.delenv(PARENT_ENV)
    sent.clear()
    runtime = worker_runtime(settings)  # started by hand: nobody to tell, so it polls
    assert runtime.processor.poll_seconds == POLL_SECONDS
    runtime.relay.wake()
    assert sent == []
