"""Two instances behind one bot, on one PostgreSQL database, with the fake Bot API.

Residents write through both webhooks (a load balancer in front of two instances), some
updates reach both (Telegram retried after a lost answer), and faults hit mid-load:
the database drops every connection, the database restarts, an instance is killed.
Whatever happens, every update acknowledged with 200 is answered exactly once, in order
per chat.

The bot here echoes each message with the count of messages its conversation has seen,
kept in the conversation state: a message handled twice, lost, handled out of order or
by two instances at once shows up in the replies.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import Runtime
from bot.channels.telegram.ratelimit import FloodLimits
from bot.config import Settings
from bot.context import Context
from bot.router import Router
from bot.router import text as any_text
from bot.types import Incoming, Reply
from tests import pg_server
from tests.channels.telegram.conftest import SECRET, TOKEN, RuntimeFactory, text_update
from tests.channels.telegram.test_crash import Server, running
from tests.fakes.telegram_api import FakeBotApi, RateRules

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

FIRST_RESIDENT = 5_300_000_000
LEASE_SECONDS = 2.0  # short, so a send repeated after a lease would show within the test


def counting_echo() -> Router:
    router = Router("echo")

    @router.route(any_text())
    async def echo(ctx: Context, msg: Incoming) -> Reply:
        count = int(ctx.conversation.data.get("count", 0)) + 1
        ctx.conversation.data["count"] = count
        return Reply(f"{msg.text} #{count}")

    return router


@dataclass
class Load:
    """Residents writing through several webhooks, each update retried until it is 200."""

    fake: FakeBotApi
    webhooks: list[str]
    residents: int
    messages: int
    duplicates: float = 0.2  # share of updates delivered to a second webhook as well
    pause: float = 0.0  # seconds a resident takes to write the next message
    refused: Counter[int] = field(default_factory=Counter)  # non-200 answers by status

    def __post_init__(self) -> None:
        self._rng = random.Random(8)
        self._next_id = 700_000

    def chats(self) -> list[int]:
        return [FIRST_RESIDENT + n for n in range(self.residents)]

    def expected(self, chat: int) -> list[str]:
        return [f"{chat}:{n} #{n}" for n in range(1, self.messages + 1)]

    async def run(self) -> None:
        await asyncio.gather(*(self._resident(chat) for chat in self.chats()))

    async def _resident(self, chat: int) -> None:
        # Telegram sends a chat's next update only once the previous one was acknowledged.
        for n in range(1, self.messages + 1):
            self._next_id += 1
            update = text_update(self._next_id, f"{chat}:{n}", chat)
            first, second = self._rng.sample(self.webhooks, 2)
            await self._deliver(update, first)
            if self._rng.random() < self.duplicates:
                await self._deliver(update, second)
            await asyncio.sleep(self.pause)

    async def _deliver(self, update: dict[str, Any], url: str) -> None:
        for _ in range(100):
            try:
                status, _ = await self.fake.deliver(TOKEN, update, url=url)
            except OSError:
                status = 0  # the instance is gone: the load balancer tries again
            if status == 200:
                return
            self.refused[status] += 1
            await asyncio.sleep(0.05)
        raise AssertionError(f"update {update['update_id']} was never accepted")

    async def answered(self, within: float = 30.0) -> None:
        total = self.residents * self.messages
        await self.fake.wait_until(
            lambda: len(self.fake.sent) >= total, within=within, what="every reply"
        )
        await asyncio.sleep(LEASE_SECONDS + 0.5)  # a repeated send would come by now

    def assert_answered_once_in_order(self) -> None:
        for chat in self.chats():
            assert [m.text for m in self.fake.messages_to(chat)] == self.expected(chat)
        assert len(self.fake.sent) == self.residents * self.messages


@pytest.fixture
def lenient_referee(fake_api: FakeBotApi) -> None:
    # Each instance paces its own sends; pacing across instances is not what this checks.
    fake_api.referee.rules = RateRules(
        chat_interval=0.001, chat_burst=1000, global_per_second=100_000
    )


@pytest.fixture
async def start_instance(
    start_runtime: RuntimeFactory,
    telegram_settings: Settings,
    fake_api: FakeBotApi,
    lenient_referee: None,
) -> Callable[..., Any]:
    telegram_settings.outbox_lease_seconds = LEASE_SECONDS

    async def start(*, echo: bool = True) -> tuple[Runtime, str]:
        runtime = await start_runtime(
            introduce=False,
            limits=FloodLimits(chat_interval=0.001, chat_burst=1000, global_per_second=10_000),
        )
        if echo:
            runtime.processor.router = counting_echo()
        webhook = f"{runtime.settings.public_url}/webhook/telegram/default"
        state = fake_api.webhook(TOKEN)
        state.url, state.secret_token = webhook, SECRET
        return runtime, webhook

    return start


async def test_two_instances_answer_every_update_once_in_order(
    start_instance: Callable[..., Any], fake_api: FakeBotApi
) -> None:
    (_, first_url), (_, second_url) = await start_instance(), await start_instance()
    load = Load(fake_api, [first_url, second_url], residents=60, messages=5)
    await load.run()
    await load.answered()
    load.assert_answered_once_in_order()
    assert load.refused == Counter()


@pytest.fixture
async def drop_connections(database_url: str) -> AsyncIterator[Callable[..., Any]]:
    """What a database restart does to the instances: every connection cut at once."""
    engine = create_async_engine(database_url)

    async def drop() -> int:
        async with engine.begin() as conn:
            result = await conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND backend_type = 'client backend'"
                )
            )
            return int(result.scalar_one())

    yield drop
    await engine.dispose()


async def test_connections_cut_mid_load_lose_and_repeat_nothing(
    start_instance: Callable[..., Any],
    fake_api: FakeBotApi,
    drop_connections: Callable[..., Any],
) -> None:
    (_, first_url), (_, second_url) = await start_instance(), await start_instance()
    load = Load(fake_api, [first_url, second_url], residents=40, messages=6)
    delivering = asyncio.create_task(load.run())
    cut = 0
    for _ in range(4):
        await asyncio.sleep(0.25)
        cut += await drop_connections()
    await delivering
    await load.answered()
    load.assert_answered_once_in_order()
    assert cut > 0
    # A webhook that could not store its update said so (503) and Telegram retried.
    assert set(load.refused) <= {503}


@pytest.fixture
def own_postgres() -> Iterator[pg_server.PostgresServer]:
    """A server of the test's own: restarting the suite's would disturb nothing here, but
    an external one (MOTCUA_TEST_DATABASE_URL) cannot be restarted at all."""
    try:
        server = pg_server.start()
    except pg_server.PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL binaries to run a server of the test's own: {exc}")
    yield server
    server.stop()


async def test_a_database_restart_mid_load_loses_and_repeats_nothing(
    start_instance: Callable[..., Any],
    fake_api: FakeBotApi,
    telegram_settings: Settings,
    own_postgres: pg_server.PostgresServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server stops (every session ends, new ones are refused) and comes back a
    second later: webhooks refuse what they cannot store, and the rest waits."""
    telegram_settings.database_url = own_postgres.url
    (_, first_url), (_, second_url) = await start_instance(), await start_instance()
    load = Load(fake_api, [first_url, second_url], residents=40, messages=8, pause=0.4)
    delivering = asyncio.create_task(load.run())
    await fake_api.wait_until(lambda: len(fake_api.sent) >= 40, what="the load under way")
    await asyncio.to_thread(own_postgres.shut_down)
    await asyncio.sleep(1.0)
    await asyncio.to_thread(own_postgres.start_again)
    await delivering
    await load.answered(within=60)
    load.assert_answered_once_in_order()
    # Residents wrote while the database was down: those webhooks said so (503, try
    # again) and Telegram delivered again later.
    assert set(load.refused) == {503}, load.refused
    # The operator reads that the database was unreachable, not a traceback per request.
    assert "database unreachable" in caplog.text
    assert not [r for r in caplog.records if r.name == "aiohttp.server"]


async def test_an_instance_killed_mid_stream_leaves_nothing_unanswered_or_repeated(
    start_instance: Callable[..., Any],
    fake_api: FakeBotApi,
    database_url: str,
    tmp_path: Path,
) -> None:
    """The killed instance runs the real bot in a process of its own; so does the survivor
    (in this process), answering what the other left unhandled or unsent."""
    doomed = Server(tmp_path / "doomed", fake_api.url)
    doomed.env.update(
        MOTCUA_DATABASE_URL=database_url, MOTCUA_OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS)
    )
    async with running(doomed):
        await doomed.start()
        fake_api.webhook(TOKEN).secret_token = SECRET
        fake_api.hold_sends()
        residents = [FIRST_RESIDENT + n for n in range(12)]
        acknowledged = await asyncio.gather(
            *(
                fake_api.deliver(TOKEN, text_update(800 + n, "/start", chat), url=doomed.webhook)
                for n, chat in enumerate(residents)
            )
        )
        assert [status for status, _ in acknowledged] == [200] * len(residents)
        await fake_api.wait_until(lambda: fake_api.held > 0, what="replies on their way")
        await doomed.kill()  # replies handled and claimed for sending, none delivered
        await start_instance(echo=False)  # the survivor
        fake_api.release_sends()
        await fake_api.wait_until(
            lambda: len(fake_api.sent) >= len(residents), within=30, what="every reply"
        )
        await asyncio.sleep(LEASE_SECONDS + 0.5)
    assert sorted(int(m.chat_id) for m in fake_api.sent) == residents
