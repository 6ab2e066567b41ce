"""The pipeline benchmark: simulated residents through the Telegram webhook, end to end.

A real ``motcua serve`` runs in a child process (its own core) against a database and
a minimal Bot API stand-in on loopback, here in the parent. Each simulated resident
sends an update to the webhook, waits for the bot's reply to arrive at the stand-in,
then sends the next one (a closed loop, so the figures are the pipeline's capacity, not
a rate we chose). Measured per update: the webhook acknowledgement (POST to 200: the
update is stored) and the reply latency (POST to the sendMessage call arriving).

For a ratio, the same load generator first drives a bare aiohttp app that answers 200 to
everything, in a child process of its own: the ceiling of this machine and harness.

Lost and duplicated replies are counted two ways that must agree: per resident (every
acknowledged update gets one reply; a reply with no update waiting is extra), and
against the outbox (messages that arrived versus the parts of the rows marked sent).

Telegram's flood limits (30 messages/s per bot) are off by default here because the
stand-in is not Telegram and the point is the pipeline's own capacity; ``--flood-limits``
keeps them on.

Two load profiles. ``commune``: one commune's Telegram bot. ``province``: a province's
deployment, 100 communes each with its own Telegram bot and Zalo Bot, thousands of
residents (most on Zalo, as in the communes), an open-loop rate for a minute, and with
PostgreSQL several server processes behind a round-robin "load balancer" (each update
goes to the next instance, so one resident's messages cross instances), each with a
worker process as a province would run them: webhooks in one process, handling at a
lower CPU priority in another.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

# Credentials of the loopback stand-in, not of any real bot.
TOKEN = "7000000001:BENCHbenchBENCHbenchBENCHbenchBENCH1"  # noqa: S105
SECRET = "bench-webhook-secret-0123456789"  # noqa: S105
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ZALO_TOKEN = "bench-zalo-bot-token"  # noqa: S105
SERVER_KEY = "bench-secret-key-0123456789abcdef"
FIRST_USER = 8_000_000_000
# What residents do, in turn: each is answered with one message.
MIX: tuple[tuple[str, str], ...] = (
    ("text", "/start"),
    ("button", "m:info"),
    ("text", "làm giấy khai sinh cho con cần những giấy tờ gì"),
    ("button", "m"),
    ("text", "/trogiup"),
    ("text", "đăng ký kết hôn ở đâu"),
)
# Zalo Bot residents type (buttons there are numbered lists), mostly without diacritics.
ZALO_MIX: tuple[tuple[str, str], ...] = (
    ("text", "xin chao"),
    ("text", "lam giay khai sinh can gi"),
    ("text", "dang ky ket hon o dau"),
    ("text", "/trogiup"),
    ("text", "chung thuc ban sao mat bao lau"),
)
PROFILES = ("commune", "province")


@dataclass
class Options:
    residents: int = 100
    rate: float | None = None  # open loop: updates per second in all
    duration: float = 10.0
    warmup: float = 2.0
    drain: float = 15.0  # a reply later than this after its update counts as late
    # After measuring, how long the servers may take to answer what they accepted: only
    # an update still unanswered then counts as lost. Past the throughput the servers
    # sustain, an open loop leaves a backlog that is late, not lost.
    settle: float = 180.0
    database_url: str | None = None
    flood_limits: bool = False
    ceiling: bool = True
    keep: Path | None = None  # keep the data directory here
    cprofile: Path | None = None  # run the (first) server under cProfile, writing here
    communes: int = 1  # more than one: each with its own Telegram bot and Zalo Bot
    zalo_share: float = 0.0  # the share of residents on Zalo Bot rather than Telegram
    instances: int = 1  # server processes (more than one needs PostgreSQL)
    workers: int = 0  # worker processes per instance (motcua serve --workers)
    profile: str = "commune"

    @classmethod
    def for_profile(cls, profile: str, **given: Any) -> Options:
        """The profile's defaults, overridden by what was given (None: not given)."""
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}: choose {' or '.join(PROFILES)}")
        defaults: dict[str, Any] = {"profile": profile}
        if profile == "province":
            postgres = "postgres" in (given.get("database_url") or "")
            defaults.update(
                communes=100,
                residents=3000,
                zalo_share=0.7,
                rate=500.0,
                duration=60.0,
                warmup=5.0,
                instances=2 if postgres else 1,
                workers=1 if postgres else 0,
            )
        defaults.update({k: v for k, v in given.items() if v is not None})
        options = cls(**defaults)
        if options.instances > 1 and "postgres" not in (options.database_url or ""):
            raise ValueError("several instances share one database: give a PostgreSQL URL")
        return options


@dataclass
class Figures:
    updates: int = 0
    replies: int = 0
    ack_ms: list[float] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)
    failed_posts: int = 0
    elapsed: float = 0.0
    settled: float = 0.0  # seconds after measuring until every reply had come


class Sink:
    """The Bot API stand-in: answers every method, timestamps each message per chat."""

    def __init__(self) -> None:
        self.waiting: dict[str, deque[asyncio.Future[float]]] = {}
        self.received = 0
        self.extra = 0
        self.by_method: dict[str, int] = {}
        self._ids = itertools.count(1)
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def expect(self, chat_id: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(chat_id, deque()).append(future)
        return future

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.by_method[method] = self.by_method.get(method, 0) + 1
        params: dict[str, Any] = {}
        if request.content_type == "application/json":  # Zalo Bot
            params = await request.json()
        elif request.can_read_body:  # Telegram (form-encoded)
            params = dict(await request.post())
        if method == "getMe":
            return _ok(
                {"id": 7000000001, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
            )
        if method not in ("sendMessage", "sendPhoto"):
            return _ok(True)
        now = time.perf_counter()
        chat_id = str(params.get("chat_id", ""))
        self.received += 1
        queue = self.waiting.get(chat_id)
        while queue and queue[0].done():
            queue.popleft()
        if queue:
            queue.popleft().set_result(now)
        else:
            self.extra += 1
        return _ok(
            {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {
                    "id": int(chat_id) if chat_id.lstrip("-").isdigit() else 0,
                    "type": "private",
                },
                "text": str(params.get("text", "")),
            }
        )


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def telegram_update(update_id: int, user: int, action: tuple[str, str]) -> dict[str, Any]:
    kind, value = action
    person = {"id": user, "is_bot": False, "first_name": "Cư dân", "language_code": "vi"}
    chat = {"id": user, "first_name": "Cư dân", "type": "private"}
    if kind == "button":
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"q{update_id}",
                "from": person,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": chat,
                    "text": "menu",
                },
                "chat_instance": str(user),
                "data": value,
            },
        }
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": person,
            "chat": chat,
            "date": int(time.time()),
            "text": value,
        },
    }


def zalo_bot_update(update_id: int, user: str, action: tuple[str, str]) -> dict[str, Any]:
    return {
        "event_name": "message.text.received",
        "message": {
            "date": int(time.time() * 1000),
            "chat": {"chat_type": "PRIVATE", "id": user},
            "message_id": f"m{update_id:010d}",
            "from": {"id": user, "display_name": "Cư dân", "is_bot": False},
            "text": action[1],
        },
    }


def commune_slug(n: int) -> str:
    return f"xa-{n + 1:03d}"


def telegram_token(commune: int) -> str:
    """A distinct, well-formed token per commune's bot (the stand-in accepts any)."""
    return f"71{commune:08d}:BENCHbenchBENCHbenchBENCHbenchBENC"


@dataclass(frozen=True)
class Chat:
    """One simulated resident: which commune, which channel, and how its updates look."""

    index: int
    channel: str  # "telegram" or "zalo_bot"
    slug: str

    @property
    def chat_id(self) -> str:
        if self.channel == "telegram":
            return str(FIRST_USER + self.index)
        return f"ab{self.index:018x}"  # Zalo ids are hex strings

    @property
    def path(self) -> str:
        segment = "telegram" if self.channel == "telegram" else "zalo-bot"
        return f"/webhook/{segment}/{self.slug}"

    @property
    def headers(self) -> dict[str, str]:
        header = SECRET_HEADER if self.channel == "telegram" else ZALO_SECRET_HEADER
        return {header: SECRET, "Content-Type": "application/json"}

    def actions(self) -> Iterator[tuple[str, str]]:
        mix = MIX if self.channel == "telegram" else ZALO_MIX
        shift = self.index % len(mix)
        return itertools.cycle(mix[shift:] + mix[:shift])

    def update(self, update_id: int, action: tuple[str, str]) -> dict[str, Any]:
        if self.channel == "telegram":
            return telegram_update(update_id, FIRST_USER + self.index, action)
        return zalo_bot_update(update_id, self.chat_id, action)


def residents_of(options: Options) -> list[Chat]:
    """Residents spread evenly over the communes, and over the channels by the share."""
    share = options.zalo_share
    chats = []
    for n in range(options.residents):
        on_zalo = int((n + 1) * share) > int(n * share)
        slug = commune_slug(n % options.communes) if options.communes > 1 else "default"
        chats.append(Chat(n, "zalo_bot" if on_zalo else "telegram", slug))
    return chats


class Residents:
    """Simulated residents posting to their commune's webhooks.

    Closed loop by default (each waits for the reply before writing again). With a
    ``rate``, open loop: together they send that many updates per second whatever the
    replies do, which shows the latencies at a chosen load instead of at saturation.
    With several server ``bases``, each update goes to the next one in turn.
    """

    def __init__(
        self,
        bases: list[str],
        sink: Sink | None,
        chats: list[Chat],
        reply_timeout: float,
        rate: float | None = None,
    ) -> None:
        self.bases = bases
        self.sink = sink
        self.chats = chats
        self.count = len(chats)
        self.reply_timeout = reply_timeout
        self.rate = rate
        # Update ids a database kept from an earlier run would be dropped as duplicates:
        # start each run at a random point of Telegram's 31-bit range.
        self._ids = itertools.count(random.randrange(1, 2_000_000_000))
        self._turn = itertools.cycle(range(len(bases)))
        self._waits: set[asyncio.Task[bool]] = set()

    async def run(self, seconds: float, figures: Figures | None) -> None:
        connector = aiohttp.TCPConnector(limit=0, force_close=False)
        async with aiohttp.ClientSession(connector=connector) as session:
            deadline = time.perf_counter() + seconds
            started = time.perf_counter()
            await asyncio.gather(
                *(self._resident(session, n, deadline, figures) for n in range(self.count))
            )
            if self._waits:
                await asyncio.gather(*self._waits)
            if figures is not None:
                figures.elapsed += time.perf_counter() - started

    async def _resident(
        self,
        session: aiohttp.ClientSession,
        index: int,
        deadline: float,
        figures: Figures | None,
    ) -> None:
        chat = self.chats[index]
        actions, headers = chat.actions(), chat.headers
        interval = self.count / self.rate if self.rate else 0.0
        next_send = time.perf_counter() + interval * index / max(self.count, 1)
        while time.perf_counter() < deadline:
            if interval:
                if next_send >= deadline:
                    break
                await asyncio.sleep(max(0.0, next_send - time.perf_counter()))
                next_send += interval
            body = json.dumps(chat.update(next(self._ids), next(actions))).encode()
            reply = self.sink.expect(chat.chat_id) if self.sink is not None else None
            url = self.bases[next(self._turn)] + chat.path
            sent = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            acked = time.perf_counter()
            if figures is not None:
                figures.updates += 1
                if ok:
                    figures.ack_ms.append((acked - sent) * 1000)
                else:
                    figures.failed_posts += 1
            if reply is None:
                continue
            if not ok:
                reply.cancel()
                continue
            if interval:
                task = asyncio.create_task(self._await_reply(reply, sent, figures))
                self._waits.add(task)
                task.add_done_callback(self._waits.discard)
                continue
            if not await self._await_reply(reply, sent, figures):
                return  # counted as lost at the end (its future is still waiting)

    async def _await_reply(
        self, reply: asyncio.Future[float], sent: float, figures: Figures | None
    ) -> bool:
        try:
            arrived = await asyncio.wait_for(asyncio.shield(reply), self.reply_timeout)
        except TimeoutError:
            return False
        if figures is not None:
            figures.replies += 1
            figures.reply_ms.append((arrived - sent) * 1000)
        return True


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


CEILING_APP = """
import sys
from aiohttp import web
from bot.event_loop import loop_factory
async def ok(request):
    await request.read()
    return web.Response(status=200)
app = web.Application()
app.router.add_post("/{tail:.*}", ok)
web.run_app(
    app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None, loop=loop_factory()()
)
"""


@contextlib.asynccontextmanager
async def child(
    args: list[str], env: dict[str, str], log: Path
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """A child process, stopped with SIGTERM at the end (SIGKILL after a minute).

    The wait runs in a thread: the sink shares this event loop, and a server finishing
    its last sends needs the sink to answer them.
    """
    with log.open("wb") as out:
        # Popen returns once the child is started; only the waits block, in a thread.
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603, ASYNC220
        try:
            yield process
        finally:
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)


async def wait_ready(url: str, process: subprocess.Popen[bytes], limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with code {process.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server not ready after {limit:.0f}s: {url}")


@contextlib.contextmanager
def without_collector_pauses() -> Iterator[None]:
    """Keep the load generator's garbage collector from stopping it while it measures.

    The generator holds a future per reply awaited and a figure per update. Its full
    collections came every few seconds of a province run and stopped it for 0.2-0.6 s,
    and each stop was counted as the servers' acknowledgement latency: the spikes of
    the p99. Collected before, paused while measuring (a minute's cyclic garbage is a
    few MB), collected after.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


async def measure_ceiling(options: Options, workdir: Path) -> float:
    port = free_port()
    env = dict(os.environ)
    ceiling_app = [sys.executable, "-c", CEILING_APP, str(port)]
    async with child(ceiling_app, env, workdir / "ceiling.log") as p:
        await wait_ready_post(f"http://127.0.0.1:{port}/webhook", p)
        # As many connections as the measured run, each posting as fast as answered.
        residents = Residents([f"http://127.0.0.1:{port}"], None, residents_of(options), 5)
        with without_collector_pauses():
            await residents.run(min(options.warmup, 1.0), None)
            figures = Figures()
            await residents.run(min(options.duration, 10.0), figures)
    return figures.updates / figures.elapsed if figures.elapsed else 0.0


async def wait_ready_post(url: str, process: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            if process.poll() is not None:
                raise RuntimeError("ceiling server exited")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.post(url, data=b"{}") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError("ceiling server not ready")


def server_env(
    options: Options, workdir: Path, sink_url: str, port: int, database_url: str | None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    if "MOTCUA_SHARED_DIR" in os.environ:
        env["MOTCUA_SHARED_DIR"] = os.environ["MOTCUA_SHARED_DIR"]
    env.update(
        MOTCUA_DATA_DIR=str(workdir / "data"),
        # Given, so several instances do not race to generate one into the data dir.
        MOTCUA_SECRET_KEY=SERVER_KEY,
        MOTCUA_TELEGRAM_FLOOD_LIMITS="true" if options.flood_limits else "false",
        # Simulated residents answer as fast as the bot does: no person types that fast.
        MOTCUA_RESIDENT_RATE_LIMIT="0",
        MOTCUA_LOG_LEVEL="WARNING",
        MOTCUA_COMMUNE_NAME="Xã An Bình",
        MOTCUA_HOST="127.0.0.1",
        MOTCUA_PORT=str(port),
    )
    if options.communes > 1:
        env["MOTCUA_CONFIG"] = str(write_communes(options, workdir, sink_url))
    else:
        env.update(
            MOTCUA_TELEGRAM_TOKEN=TOKEN,
            MOTCUA_TELEGRAM_SECRET=SECRET,
            MOTCUA_TELEGRAM_API_URL=sink_url,
            MOTCUA_TELEGRAM_BOT_USERNAME="bench_bot",
        )
        if options.zalo_share:
            env.update(
                MOTCUA_ZALO_BOT_TOKEN=ZALO_TOKEN,
                MOTCUA_ZALO_BOT_SECRET=SECRET,
                MOTCUA_ZALO_BOT_API_URL=sink_url,
            )
    if database_url:
        env["MOTCUA_DATABASE_URL"] = database_url
    return env


def write_communes(options: Options, workdir: Path, sink_url: str) -> Path:
    """The province's communes file: each commune with its own Telegram bot and Zalo Bot."""
    import yaml

    communes = [
        {
            "slug": commune_slug(n),
            "name": f"Xã Thử Nghiệm {n + 1}",
            "telegram": {
                "token": telegram_token(n),
                "secret": SECRET,
                "api_url": sink_url,
                "bot_username": f"motcua_xa{n + 1:03d}_bot",
            },
            "zalo_bot": {
                "token": f"{ZALO_TOKEN}-{n + 1:03d}",
                "secret": SECRET,
                "api_url": sink_url,
            },
        }
        for n in range(options.communes)
    ]
    path = workdir / "communes.yaml"
    path.write_text(yaml.safe_dump({"communes": communes}, allow_unicode=True), encoding="utf-8")
    return path


@contextlib.asynccontextmanager
async def scratch_database(url: str) -> AsyncIterator[str]:
    """A new, empty database on the given PostgreSQL server for one run, dropped after.

    Rows an earlier run left (a backlog it never finished, replies it never sent) would
    be processed and sent during this one and skew every figure. Needs CREATEDB.
    """
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.config import async_url

    server = make_url(async_url(url))
    name = f"motcua_bench_{os.getpid()}_{random.randrange(16**6):06x}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@dataclass(frozen=True)
class Counts:
    """What the database says was sent. A row claimed for sending when the servers
    stopped may have reached the sink before its outcome was written: its messages are
    received once, not duplicated."""

    sent_messages: int  # the messages the sent rows render to
    in_flight_messages: int  # the same for rows claimed for sending
    unsent_rows: int
    retried_rows: int  # sent after a failed attempt (a timeout may have delivered twice)
    inbox_rows: int
    inbox_not_done: int


async def outbox_counts(database_url: str) -> Counts:
    from sqlalchemy import select

    from bot.channels.telegram import render as telegram
    from bot.channels.zalo_bot import render as zalo_bot
    from bot.db.engine import Database
    from bot.db.models import InboxItem, OutboxItem
    from bot.types import Reply

    channels = ("telegram", "zalo_bot")
    db = Database(database_url)
    try:
        async with db.read() as session:
            rows = (
                await session.execute(
                    select(
                        OutboxItem.channel,
                        OutboxItem.status,
                        OutboxItem.reply,
                        OutboxItem.attempts,
                        OutboxItem.last_error,
                    ).where(OutboxItem.channel.in_(channels))
                )
            ).all()
            inbox = (
                await session.execute(
                    select(InboxItem.status).where(InboxItem.channel.in_(channels))
                )
            ).all()
    finally:
        await db.dispose()

    def messages(channel: str, reply: Reply) -> int:
        if channel == "telegram":
            return len(telegram.render(reply))
        return len(zalo_bot.render("", reply))

    parts = sum(messages(c, Reply.from_json(r)) for c, s, r, _, _ in rows if s == "sent")
    in_flight = sum(messages(c, Reply.from_json(r)) for c, s, r, _, _ in rows if s == "sending")
    unsent = sum(1 for _, s, _, _, _ in rows if s != "sent")
    retried = sum(1 for _, s, _, a, _ in rows if s == "sent" and a > 1)
    not_done = sum(1 for (s,) in inbox if s != "done")
    return Counts(parts, in_flight, unsent, retried, len(inbox), not_done)


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (worker processes), read from /proc; Linux only."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = [pid], [pid]
    while frontier:
        children = [c for c, parent in parents.items() if parent in frontier]
        tree += children
        frontier = children
    return tree


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a live process has used so far; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float | None:
    """CPU time every core of this machine has been busy so far; None off Linux."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    # user nice system idle iowait irq softirq steal: all but idle and iowait were busy.
    busy = sum(int(value) for value in fields[1:9]) - int(fields[4]) - int(fields[5])
    return busy / os.sysconf("SC_CLK_TCK")


def cpu_spent(before: list[float | None], after: list[float | None]) -> float | None:
    if any(b is None for b in before) or any(a is None for a in after):
        return None
    return sum(a - b for a, b in zip(after, before, strict=True) if a is not None and b is not None)


def peak_child_rss_mb() -> float:
    """The largest resident set any finished child reached (Linux reports KiB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


async def _measure(
    options: Options, workdir: Path, sink: Sink, chats: list[Chat], database_url: str | None
) -> tuple[Figures, int, int, int, int, tuple[float | None, float, float | None]]:
    """Start the servers, warm up, measure; returns the figures, the replies still
    awaited, the sink's counts when measuring began, and how many servers had to be
    killed because they did not stop within a minute (all servers stopped after), and the
    CPU seconds the servers and this harness used while measuring."""
    processes = []
    async with contextlib.AsyncExitStack() as servers:
        bases = []
        for n in range(options.instances):
            # One after another: the first applies the migrations.
            port = free_port()
            env = server_env(options, workdir, sink.url, port, database_url)
            command = [sys.executable, "-m", "bot", "serve"]
            command += ["--host", "127.0.0.1", "--port", str(port)]
            if options.workers:
                command += ["--workers", str(options.workers)]
            if options.cprofile is not None and n == 0:
                command[1:1] = ["-m", "cProfile", "-o", str(options.cprofile)]
            log = workdir / f"server-{n + 1}.log"
            process = await servers.enter_async_context(child(command, env, log))
            processes.append(process)
            await wait_ready(f"http://127.0.0.1:{port}/readyz", process)
            bases.append(f"http://127.0.0.1:{port}")
        residents = Residents(bases, sink, chats, options.drain, options.rate)
        with without_collector_pauses():
            await residents.run(options.warmup, None)
            await asyncio.sleep(0.5)
            received_before, extra_before = sink.received, sink.extra
            figures = Figures()
            server_pids = [pid for p in processes for pid in process_tree(p.pid)]
            servers_cpu = [cpu_seconds(pid) for pid in server_pids]
            harness_cpu = time.process_time()
            machine_cpu = machine_cpu_seconds()
            await residents.run(options.duration, figures)
            settle_started = time.perf_counter()
            await settle(sink, options.settle)
            figures.settled = time.perf_counter() - settle_started
        cpu = (
            cpu_spent(servers_cpu, [cpu_seconds(pid) for pid in server_pids]),
            time.process_time() - harness_cpu,
            cpu_spent([machine_cpu], [machine_cpu_seconds()]),
        )
        await asyncio.sleep(1.0)  # messages beyond those expected (duplicates) arrive too
        waiting = sum(1 for q in sink.waiting.values() for f in q if not f.done())
    killed = sum(1 for p in processes if p.returncode == -signal.SIGKILL)
    return figures, waiting, received_before, extra_before, killed, cpu


async def settle(sink: Sink, seconds: float) -> None:
    """Wait until every reply the sink expects has come, or ``seconds`` have passed."""
    expected = [f for q in sink.waiting.values() for f in q if not f.done()]
    if expected:
        await asyncio.wait(expected, timeout=seconds)


async def run(options: Options) -> dict[str, Any]:
    from bot.config import Settings, async_url

    temporary = None
    if options.keep is not None:
        workdir = options.keep
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        temporary = tempfile.TemporaryDirectory(prefix="motcua-bench-")
        workdir = Path(temporary.name)
    try:
        ceiling = await measure_ceiling(options, workdir) if options.ceiling else None
        sink = Sink()
        await sink.start()
        chats = residents_of(options)
        try:
            async with contextlib.AsyncExitStack() as scratch:
                given = options.database_url
                if given and "postgres" in given:
                    given = await scratch.enter_async_context(scratch_database(given))
                database_url = (
                    async_url(given)
                    if given
                    else Settings(data_dir=workdir / "data").resolved_database_url
                )
                figures, waiting, received_before, extra_before, killed, cpu = await _measure(
                    options, workdir, sink, chats, given
                )
                counts = await outbox_counts(database_url)
        finally:
            await sink.close()
        received = sink.received
        answered = max(figures.replies, figures.updates - figures.failed_posts - waiting)
        duplicated = max(0, received - counts.sent_messages - counts.in_flight_messages)
        result: dict[str, Any] = {
            # Every answer, late ones too, over the time until the last came: past what the
            # servers sustain, an open loop's late answers are still work done.
            "updates_per_s": round(answered / (figures.elapsed + figures.settled), 1)
            if figures.elapsed
            else 0.0,
            "ack_p50_ms": round(percentile(figures.ack_ms, 0.50), 2),
            "ack_p99_ms": round(percentile(figures.ack_ms, 0.99), 2),
            "reply_p50_ms": round(percentile(figures.reply_ms, 0.50), 2),
            "reply_p99_ms": round(percentile(figures.reply_ms, 0.99), 2),
            "lost": waiting + figures.failed_posts,
            # Answered, but after the reply timeout: the backlog of an overload.
            "answered_late": answered - figures.replies,
            "settled_s": round(figures.settled, 1),
            "duplicated": duplicated,
            "ceiling_updates_per_s": round(ceiling, 1) if ceiling is not None else None,
            "ratio_to_ceiling": round(figures.replies / figures.elapsed / ceiling, 3)
            if ceiling and figures.elapsed
            else None,
            "database": "postgresql"
            if options.database_url and "postgres" in options.database_url
            else "sqlite",
            "profile": options.profile,
            "communes": options.communes,
            "instances": options.instances,
            "workers": options.workers,
            "residents": options.residents,
            "residents_on_zalo": sum(1 for c in chats if c.channel == "zalo_bot"),
            "offered_rate": options.rate,
            "duration_s": round(figures.elapsed, 2),
            "updates": figures.updates,
            "replies": figures.replies,
            "server_peak_rss_mb": peak_child_rss_mb(),
            # CPU per update answered (late ones too, until the last): steadier than
            # throughput on a shared machine, and what a change to the hot path should move.
            "server_cpu_ms_per_update": round(1000 * cpu[0] / answered, 2)
            if cpu[0] is not None and answered
            else None,
            "harness_cpu_ms_per_update": round(1000 * cpu[1] / answered, 2) if answered else None,
            # The rest of the machine's busy time: the database's, when it runs here. With
            # the servers' it is what a deployment needs per update: capacity planning.
            "rest_cpu_ms_per_update": round(max(0.0, cpu[2] - cpu[0] - cpu[1]) * 1000 / answered, 2)
            if cpu[0] is not None and cpu[2] is not None and answered
            else None,
            "extra_messages": sink.extra - extra_before,
            "messages_in_run": received - received_before,
            "outbox_unsent_rows": counts.unsent_rows,
            "outbox_retried_rows": counts.retried_rows,
            "servers_killed": killed,
            "inbox_rows": counts.inbox_rows,
            "inbox_not_done": counts.inbox_not_done,
            "flood_limits": options.flood_limits,
            "cpus": os.cpu_count(),
        }
        return result
    finally:
        if temporary is not None:
            temporary.cleanup()
