"""The event loop the servers run on: uvloop where it is installed.

Every update crosses the event loop several times (the webhook request, the inbox
insert through asyncpg, the wake of the worker, the reply's send), and at a flood's rate
the standard loop's own bookkeeping was a sixth of the web process's CPU. uvloop does the
same on libuv in C. Windows has no uvloop; there, and with ``MOTCUA_EVENT_LOOP=asyncio``
(to rule it out when chasing a fault), the standard loop runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def loop_factory(choice: str = "uvloop") -> Callable[[], asyncio.AbstractEventLoop]:
    """A factory for ``asyncio.Runner`` or aiohttp's ``run_app(loop=...)``."""
    if choice == "asyncio":
        return asyncio.new_event_loop
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    return uvloop.new_event_loop
