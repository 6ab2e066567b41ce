"""What can happen when a channel sends a message, as exceptions the outbox relay acts on.

Channel adapters translate their platform's errors into these; the relay decides what to
do (wait, retry with backoff, give up and mark the person unreachable) in one place.
"""

from __future__ import annotations

from typing import Protocol

from bot.types import Reply


class DeliveryError(Exception):
    """Base class. ``str(exc)`` is recorded on the outbox row."""


class RetryAfter(DeliveryError):
    """The platform asked us to slow down (HTTP 429 with ``retry_after``)."""

    def __init__(self, seconds: float, message: str = "rate limited") -> None:
        super().__init__(f"{message}; retry after {seconds:g}s")
        self.seconds = seconds


class TransientError(DeliveryError):
    """A network error, a timeout or a 5xx: worth retrying with backoff."""


class RecipientUnreachable(DeliveryError):
    """The person blocked the bot or never started it: retrying will not help."""


class Rejected(DeliveryError):
    """The platform refused this message as it is (malformed, too long...).

    Sending it again cannot help, and retrying would hold the chat's later messages
    behind it: the relay dead-letters it at once with the reason.
    """


class Undeliverable(DeliveryError):
    """This message cannot go out on this channel now (e.g. outside Zalo's reply window).

    Callers such as surveys and complaint updates look for this status to choose another
    route; it is not retried.
    """


class Sender(Protocol):
    """The sending half of a channel adapter."""

    async def send(self, commune_slug: str, chat_id: str, reply: Reply) -> None: ...
