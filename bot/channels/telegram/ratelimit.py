"""Telegram's flood limits, kept on our side so sends wait instead of earning a 429.

Telegram asks bots to send at most about one message per second to a chat (short bursts
pass), 30 per second in all, and 20 per minute to a group. A 429 costs more than waiting:
it comes with a ``retry_after`` that can be long and applies to the whole bot. So every
send holds a slot of three limits while it runs:

- per chat, a token bucket (``chat_burst`` messages at once, then one per interval);
- per bot, at most ``global_per_second`` sends in any second;
- per group (negative chat id), at most ``group_per_minute`` sends in any minute.

Telegram counts arrivals, and a request arrives somewhere between the moment we start it
and the moment its answer comes back; under load that gap is tens of milliseconds and
varies. So a send counts from its start until its answer, and is then dated by its
answer: a later send is allowed only once enough earlier ones are answered and a full
window older. That way no window can hold too many arrivals, whatever the delays.

Waiting is cheap for short waits; a wait longer than ``max_wait`` (a group over its
minute budget) raises ``FloodWait`` instead, so the caller hands the message back to the
outbox with a due time rather than holding a relay pass and its lease.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

POLL = 0.01  # how often to look again while the slot we wait for is still in flight


@dataclass(frozen=True)
class FloodLimits:
    chat_interval: float = 1.0
    chat_burst: int = 3
    global_per_second: int = 30
    group_per_minute: int = 20
    margin: float = 0.02  # seconds added to every window and interval


class FloodWait(Exception):
    """The next send to this chat is further away than the caller wants to wait."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood limit: next send in {seconds:.1f}s")
        self.seconds = seconds


class _Slot:
    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = math.inf  # in flight until answered


class _Window:
    """At most ``limit`` sends in any ``length`` seconds, each dated by its answer."""

    __slots__ = ("length", "limit", "slots")

    def __init__(self, limit: int, length: float) -> None:
        self.limit = limit
        self.length = length
        self.slots: deque[_Slot] = deque()

    def wait(self, now: float) -> float:
        while self.slots and self.slots[0].at <= now - self.length:
            self.slots.popleft()
        hot = [s.at for s in self.slots if s.at > now - self.length]
        if len(hot) < self.limit:
            return 0.0
        hot.sort()
        oldest = hot[len(hot) - self.limit]
        return POLL if oldest == math.inf else max(POLL, oldest + self.length - now)

    def take(self) -> _Slot:
        slot = _Slot()
        self.slots.append(slot)
        return slot


class _Chat:
    """GCRA form of a token bucket, over answer times, one send in flight at a time."""

    __slots__ = ("busy", "tat")

    def __init__(self) -> None:
        self.tat = 0.0
        self.busy = False


class FloodLimiter:
    """One instance per process, shared by all bots (keyed by bot id)."""

    def __init__(
        self,
        limits: FloodLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or FloodLimits()
        self.clock = clock
        self.sleep = sleep
        self._chats: dict[tuple[str, str], _Chat] = {}
        self._bots: dict[str, _Window] = {}
        self._groups: dict[tuple[str, str], _Window] = {}

    @asynccontextmanager
    async def sending(
        self, bot: str, chat_id: str, *, max_wait: float | None = None
    ) -> AsyncIterator[float]:
        """Hold a slot for one send; yields the seconds waited for it."""
        lim = self.limits
        interval = lim.chat_interval + lim.margin
        started = self.clock()
        chat = self._chats.get((bot, chat_id))
        if chat is None:
            if len(self._chats) > 50_000:
                self._forget_idle(started)
            chat = self._chats[(bot, chat_id)] = _Chat()
        window = self._bots.get(bot)
        if window is None:
            window = self._bots[bot] = _Window(lim.global_per_second, 1.0 + lim.margin)
        group = None
        if is_group(chat_id):
            group = self._groups.get((bot, chat_id))
            if group is None:
                group = self._groups[(bot, chat_id)] = _Window(
                    lim.group_per_minute, 60.0 + lim.margin
                )
        while True:
            now = self.clock()
            own = POLL if chat.busy else max(0.0, chat.tat - (lim.chat_burst - 1) * interval - now)
            if group is not None:
                own = max(own, group.wait(now))
            if max_wait is not None and own > max_wait:
                raise FloodWait(own)
            wait = max(own, window.wait(now))
            if wait <= 0:
                break
            await self.sleep(wait)
        chat.busy = True
        slots = [window.take()] + ([group.take()] if group is not None else [])
        try:
            yield now - started
        finally:
            answered = self.clock()
            for slot in slots:
                slot.at = answered
            chat.tat = max(chat.tat, answered) + interval
            chat.busy = False

    async def acquire(self, bot: str, chat_id: str, *, max_wait: float | None = None) -> float:
        """Count a send that is over at once (a slot held for no time)."""
        async with self.sending(bot, chat_id, max_wait=max_wait) as waited:
            return waited

    def _forget_idle(self, now: float) -> None:
        """Chats quiet for a while carry no information."""
        self._chats = {k: c for k, c in self._chats.items() if c.busy or c.tat > now}
        self._groups = {k: w for k, w in self._groups.items() if w.wait(now) > 0 or w.slots}


def is_group(chat_id: str) -> bool:
    """Groups, supergroups and channels have negative ids on the Bot API."""
    return chat_id.startswith("-")
