"""Per-resident rate limits: a sliding window per key, kept in memory.

Every channel is open to anyone who can write to the bot, and one resident (or a script,
or a stuck phone resending) can flood the inbox and the workers all other residents
share. Each message counts against its sender: ``limit`` messages in ``seconds``.

- The web chat answers a page over the limit with HTTP 429 and the message below; the
  page shows it (nothing is stored: the page knows it was refused).
- A webhook must answer 200 whatever happens, or the platform redelivers and blocks the
  chat. So an update over the limit is stored in the inbox as ``throttled``: on record,
  never processed. The first one of a flood gets one polite reply; later ones in the
  same flood get nothing, so the bot does not flood back.

Why not process them later instead: what arrives faster than a person types is a
script, a stuck resend or pasted lines; answering each a minute later would bury the
resident under stale answers and keep workers from everyone else. The reply says to wait
and send again, and every throttled update stays in the inbox where an operator can see
it (and requeue it by setting it back to ``pending``).

Memory is bounded: the least recently seen keys are forgotten first. The window is per
process: with several instances behind a load balancer a resident may get up to one
window's worth per instance, which still stops a flood.
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot import inbox
from bot.db.base import utcnow
from bot.db.engine import Database
from bot.outbox import Envelope, enqueue
from bot.types import Reply

TOO_FAST = "Bạn gửi nhanh quá. Vui lòng chờ một chút rồi gửi tiếp."


class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first message over the limit: say "too fast" once
    QUIET = "quiet"  # over the limit and already told


@dataclass
class _Window:
    hits: deque[float] = field(default_factory=deque)
    warned: bool = False


class Throttle:
    def __init__(
        self,
        limit: int,
        seconds: float,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.seconds, self.max_keys, self.clock = limit, seconds, max_keys, clock
        self._windows: OrderedDict[str, _Window] = OrderedDict()

    def check(self, key: str) -> Verdict:
        """Count one event for ``key`` (only when allowed) and say what to do with it.

        A limit of 0 or less switches the throttle off.
        """
        if self.limit <= 0:
            return Verdict.ALLOW
        now = self.clock()
        window = self._windows.pop(key, None) or _Window()
        while window.hits and window.hits[0] <= now - self.seconds:
            window.hits.popleft()
        if len(window.hits) < self.limit:
            window.hits.append(now)
            window.warned = False
            verdict = Verdict.ALLOW
        else:
            verdict = Verdict.QUIET if window.warned else Verdict.WARN
            window.warned = True
        self._windows[key] = window
        while len(self._windows) > self.max_keys:
            self._windows.popitem(last=False)
        return verdict

    def refund(self, key: str) -> None:
        """Take back the last event ``check`` counted for ``key``: it did not happen after
        all (the platform's repeated delivery of a message, or one that could not be
        stored and will be delivered again). Retries must not use up a resident's limit."""
        window = self._windows.get(key)
        if window is not None and window.hits:
            window.hits.pop()

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; False when it is over the limit (not counted)."""
        return self.check(key) is Verdict.ALLOW


class ResidentLimits:
    """The per-resident limit of the push channels (Telegram, Zalo Bot, Zalo OA).

    ``hold`` stores an update that is over the limit; the webhook then answers 200.
    """

    def __init__(
        self, db: Database, throttle: Throttle, wake: Callable[[], None] = lambda: None
    ) -> None:
        self.db = db
        self.throttle = throttle
        self.wake = wake  # the outbox relay

    def check(self, commune_id: int, channel: str, user_id: str) -> Verdict:
        return self.throttle.check(f"{commune_id}:{channel}:{user_id}")

    def refund(self, commune_id: int, channel: str, user_id: str) -> None:
        """After an allowed ``check``, the update was a repeat or was not stored."""
        self.throttle.refund(f"{commune_id}:{channel}:{user_id}")

    async def counted_if_stored(
        self, commune_id: int, channel: str, user_id: str, storing: Awaitable[int | None]
    ) -> int | None:
        """Await the store of an update ``check`` allowed, and keep it counted only if it
        was stored anew: a repeated delivery (None) or a store that failed (the platform
        delivers it again) is taken back, so retries never use up a resident's limit."""
        try:
            inbox_id = await storing
        except BaseException:
            self.refund(commune_id, channel, user_id)
            raise
        if inbox_id is None:
            self.refund(commune_id, channel, user_id)
        return inbox_id

    async def hold(
        self,
        commune_id: int,
        channel: str,
        update_key: str,
        payload: dict[str, Any],
        *,
        user_id: str,
        chat_id: str,
        verdict: Verdict,
        now: datetime | None = None,
    ) -> int | None:
        """Store the update as throttled and, on ``WARN``, the polite reply, in one
        transaction. Returns the inbox id, or None for a repeated delivery."""
        now = now or utcnow()
        async with self.db.transaction(urgent=True) as session:
            inbox_id: int | None = await inbox.store(
                session, commune_id, channel, update_key, payload, now, status=inbox.THROTTLED
            )
            if inbox_id is None:
                return None
            if verdict is Verdict.WARN:
                envelope = Envelope(channel, chat_id, Reply(TOO_FAST), user_id)
                enqueue(session, commune_id, [envelope], inbox_id=inbox_id, now=now)
        if verdict is Verdict.WARN:
            self.wake()
        return inbox_id
