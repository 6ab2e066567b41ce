"""Features that plug into the runtime: channel adapters, domains with jobs or pages.

A plugin module exposes ``plugin(settings) -> Plugin | None`` (None when the feature is
not configured, e.g. no Telegram token). The composition root lists the modules; the
runtime asks each plugin for its channels (parsers), HTTP routes (webhooks, pages) and
jobs, and starts and stops it with the rest. Plugins register senders with the relay in
``start`` because senders need the event loop (HTTP sessions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.base import Channel
from bot.jobs import Job

if TYPE_CHECKING:
    from bot.app import Runtime


class Plugin:
    name = "plugin"

    def channels(self) -> Mapping[str, Channel]:
        return {}

    def routes(self, app: web.Application) -> None:
        """Add HTTP routes. ``app[bot.web.RUNTIME]`` holds the runtime."""

    def jobs(self, runtime: Runtime) -> list[Job]:
        return []

    async def start(self, runtime: Runtime) -> None:
        """Open connections, register senders with ``runtime.relay``, start polling."""

    async def stop(self) -> None:
        """Close what ``start`` opened."""
