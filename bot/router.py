"""Routing an incoming message to the handler that owns it.

One ``Router`` per feature, included in priority order in one place (handlers/__init__).
Filters are plain predicates; the first route whose filter matches and whose handler
returns something wins. A handler returning ``None`` passes the message on, which lets a
feature look at a message and decline it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from bot.types import Incoming, Reply

if TYPE_CHECKING:
    from bot.context import Context

HandlerResult: TypeAlias = Reply | Sequence[Reply] | None
Handler: TypeAlias = Callable[["Context", Incoming], Awaitable[HandlerResult]]
Filter: TypeAlias = Callable[["Context", Incoming], bool]


@dataclass(frozen=True)
class Route:
    name: str
    filter: Filter
    handler: Handler


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self.routes: list[Route] = []

    def route(self, filter: Filter, name: str | None = None) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(name or handler.__name__, filter, handler))
            return handler

        return register

    def include(self, other: Router) -> None:
        self.routes.extend(other.routes)

    async def dispatch(self, ctx: Context, msg: Incoming) -> list[Reply] | None:
        for route in self.routes:
            if not route.filter(ctx, msg):
                continue
            result = await route.handler(ctx, msg)
            if result is None:
                continue
            ctx.route = f"{self.name}:{route.name}"
            return [result] if isinstance(result, Reply) else list(result)
        return None


# --- filters -------------------------------------------------------------------------


def command(*names: str) -> Filter:
    """``/huy``, ``/start payload``... (channels put the command name in ``msg.command``)."""
    wanted = set(names)
    return lambda _ctx, msg: msg.command in wanted


def payload(prefix: str) -> Filter:
    """A button press whose payload is ``prefix`` or starts with ``prefix:``."""
    return lambda _ctx, msg: (
        msg.is_button and (msg.payload == prefix or (msg.payload or "").startswith(prefix + ":"))
    )


def button(*payloads: str) -> Filter:
    """A button press with exactly one of these payloads."""
    wanted = set(payloads)
    return lambda _ctx, msg: msg.is_button and msg.payload in wanted


def state(prefix: str) -> Filter:
    """The conversation is inside the flow named ``prefix``."""
    return lambda ctx, _msg: ctx.conversation.in_flow(prefix)


def text() -> Filter:
    return lambda _ctx, msg: bool(msg.text.strip()) and msg.command is None and not msg.is_button


def always() -> Filter:
    return lambda _ctx, _msg: True


def all_of(*filters: Filter) -> Filter:
    return lambda ctx, msg: all(f(ctx, msg) for f in filters)


def any_of(*filters: Filter) -> Filter:
    return lambda ctx, msg: any(f(ctx, msg) for f in filters)
