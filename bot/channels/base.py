"""What every channel adapter shares.

A channel turns its platform's payloads into ``Incoming`` messages (pure, tested from
captured fixtures) and, unless it is a pull channel, sends ``Reply`` objects (the only
I/O, through an injected HTTP session and a configurable base URL).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from bot.types import Incoming

# The key of the payload stored for a body that is not an update (a "poison" item): the
# parser refuses it, so it is on record as failed and never retried.
INVALID = "invalid_update"
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.S)


class Channel(Protocol):
    name: str

    def update_key(self, payload: dict[str, Any]) -> str:
        """The platform's id for this delivery, used to drop retries."""
        ...

    def conversation_key(self, payload: dict[str, Any]) -> str:
        """Who the update is from, so one person's updates are processed in order."""
        ...

    def parse(self, payload: dict[str, Any]) -> list[Incoming]: ...


def parse_command(text: str) -> tuple[str | None, str | None]:
    """``/start abc`` -> ("start", "abc"); ``/huy@motcua_bot`` -> ("huy", None)."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None, None
    argument = (match.group(2) or "").strip() or None
    return match.group(1).lower(), argument
