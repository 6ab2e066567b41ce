"""Telling a database that cannot be reached from one that refused a statement.

During a restart or a network cut every request that touches the database fails alike.
Those failures are the operator's one problem, not a bug per request: webhooks answer
503 with ``Retry-After`` (the platforms deliver again), and the log says so once in a
while instead of a traceback per request.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

REPORT_EVERY = 10.0  # seconds between log lines about one outage


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached or the connection was lost
    (refused, reset, shut down, timed out), rather than a statement being refused."""
    if isinstance(exc, ConnectionRefusedError):  # asyncpg's connect, not wrapped
        # Not any ConnectionError: a client that hangs up mid-request resets its own
        # connection, and that is no database outage.
        return True
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    # PostgreSQL's classes 08 (connection exception) and 57 (operator intervention: "the
    # database system is shutting down / starting up"), which the driver reports as a
    # plain error.
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    return exc.connection_invalidated or sqlstate[:2] in ("08", "57")


class OutageLog:
    """Counts the requests an outage refused; one warning per ``REPORT_EVERY`` seconds."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._count = 0
        self._reported_at = -REPORT_EVERY

    def refused(self, exc: BaseException) -> None:
        self._count += 1
        now = time.monotonic()
        if now - self._reported_at >= REPORT_EVERY:
            log.warning(
                "database unreachable: %d %s refused so far (%s)",
                self._count,
                self.what,
                type(exc).__name__,
            )
            self._reported_at = now
