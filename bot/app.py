"""The composition root: builds the database, knowledge, router, processor, relay and
channels from settings, and starts and stops them together. Nothing imports this module
except the CLI and tests.
"""

from __future__ import annotations

import asyncio
import enum
import importlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.channels.base import Channel
from bot.channels.webchat import WebChat
from bot.communes import CommuneDirectory, sync_communes
from bot.config import Settings
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.delivery import Sender
from bot.jobs import Jobs
from bot.knowledge_base import KnowledgeRegistry
from bot.media import MediaFetcher
from bot.outbox import Relay
from bot.plugins import Plugin
from bot.processing import Processor
from bot.throttle import ResidentLimits, Throttle
from handlers import build_router
from knowledge.models import Catalogue

log = logging.getLogger(__name__)

# Feature modules with a ``plugin(settings)`` factory, in start-up order.
PLUGIN_MODULES: tuple[str, ...] = (
    "bot.channels.telegram.plugin",
    "bot.channels.zalo_bot.plugin",
    "bot.channels.zalo_oa.plugin",
    "surveys.plugin",
    "complaints.plugin",
    "privacy.plugin",
    "staff.plugin",
)


class Role(enum.Enum):
    """What a process does. One process does everything by default; with worker
    processes (bot/workers.py) the CPU-heavy handling moves off the web process."""

    ALL = "all"  # motcua serve: receive, handle, send, run the sweeps
    WEB = "web"  # motcua serve --workers: receive and send; workers handle
    WORKER = "worker"  # motcua work: handle and run the sweeps


# A web process's relay looks for replies this often when idle. Its workers wake it when
# they write some (bot/workers.py); the look is for rows nothing announced (a worker
# started by hand, retries coming due). The look is a read; claiming is a write.
WEB_RELAY_POLL_SECONDS = 0.5


@dataclass
class Runtime:
    settings: Settings
    db: Database
    communes: CommuneDirectory
    knowledge: KnowledgeRegistry
    processor: Processor
    relay: Relay
    channels: dict[str, Channel]
    plugins: list[Plugin] = field(default_factory=list)
    media: dict[str, MediaFetcher] = field(default_factory=dict)  # file download by channel
    jobs: Jobs = field(default_factory=Jobs)
    background: list[asyncio.Task[Any]] = field(default_factory=list)
    limits: ResidentLimits | None = None  # per-resident rate limit, see bot/throttle.py
    role: Role = field(default_factory=lambda: Role.ALL)

    @property
    def receives(self) -> bool:
        """Webhooks, getUpdates polling and webhook registration belong to this process."""
        return self.role is not Role.WORKER

    @property
    def default_commune_slug(self) -> str:
        return self.settings.commune_slug

    async def start(self, *, workers: bool = True) -> None:
        """Migrate, seed communes, warm the knowledge base, start workers and relay."""
        await upgrade(self.db)
        async with self.db.transaction() as session:
            await sync_communes(session, self.settings.communes())
        await self.communes.refresh()
        await self.knowledge.for_communes(self.communes.all())
        for plugin in self.plugins:
            await plugin.start(self)
        if not workers:
            return
        if self.role is not Role.WEB:
            await self.processor.start()
            for plugin in self.plugins:
                for job in plugin.jobs(self):
                    self.jobs.add(job)
            self.jobs.start()
        if self.role is Role.ALL:
            self.background.append(asyncio.create_task(self.relay.run()))
        elif self.role is Role.WEB:
            relay = self.relay.run(idle=WEB_RELAY_POLL_SECONDS, look_first=True)
            self.background.append(asyncio.create_task(relay))

    async def stop(self) -> None:
        self.jobs.stop()
        self.relay.stop()
        for task in self.background:
            try:
                await task
            except Exception:  # pragma: no cover - shutdown must go on
                log.exception("background task failed during shutdown")
        await self.processor.stop()
        for plugin in reversed(self.plugins):
            try:
                await plugin.stop()
            except Exception:  # pragma: no cover
                log.exception("plugin %s failed to stop", plugin.name)
        await self.db.dispose()


def build_runtime(
    settings: Settings,
    *,
    base_catalogue: Catalogue | None = None,
    senders: Mapping[str, Sender] | None = None,
    plugins: Sequence[Plugin] | None = None,
) -> Runtime:
    """Wire everything from settings. ``plugins`` replaces the configured ones (tests)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_secret_key(settings)
    db = Database(settings.resolved_database_url)
    communes = CommuneDirectory(db, settings.communes())
    knowledge = KnowledgeRegistry(db, base_catalogue=base_catalogue)
    if plugins is None:
        plugins = load_plugins(settings)
    channels: dict[str, Channel] = {WebChat.name: WebChat()}
    for plugin in plugins:
        channels.update(plugin.channels())
    relay = Relay(db, senders or {}, lease=timedelta(seconds=settings.outbox_lease_seconds))
    processor = Processor(
        db=db,
        router=build_router(),
        knowledge=knowledge,
        communes=communes,
        parsers={name: ch.parse for name, ch in channels.items()},
        conversation_keys={name: ch.conversation_key for name, ch in channels.items()},
        on_outbox=relay.wake,
    )
    runtime = Runtime(
        settings,
        db,
        communes,
        knowledge,
        processor,
        relay,
        channels,
        list(plugins),
        jobs=Jobs(db),
    )
    throttle = Throttle(settings.resident_rate_limit, settings.resident_rate_window_seconds)
    runtime.limits = ResidentLimits(db, throttle, relay.wake)
    return runtime


def load_plugins(settings: Settings) -> list[Plugin]:
    plugins = []
    for name in PLUGIN_MODULES:
        plugin = importlib.import_module(name).plugin(settings)
        if plugin is not None:
            plugins.append(plugin)
    return plugins


def ensure_secret_key(settings: Settings) -> None:
    """Use MOTCUA_SECRET_KEY, else a key generated once and kept in the data directory."""
    if settings.secret_key is not None:
        return
    from pydantic import SecretStr

    path: Path = settings.data_dir / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    settings.secret_key = SecretStr(path.read_text(encoding="utf-8").strip())
