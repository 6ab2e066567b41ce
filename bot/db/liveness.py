"""Pooled PostgreSQL connections that died are replaced before use, at no cost per use.

SQLAlchemy's ``pool_pre_ping`` checks every connection it hands out; on asyncpg that is
BEGIN, an empty statement and ROLLBACK, three round trips before a webhook's single
insert. At 500 updates/s they were about a tenth of the web process's CPU, and half the
transactions the database ran. Instead:

- a connection whose server closed it (a restart, an administrator's terminate) is
  already known closed to asyncpg, which saw the socket end: it is replaced, no round
  trip needed;
- a connection that sat in the pool longer than ``IDLE_PING_SECONDS``, where a firewall or
  a server's idle timeout may have dropped it without a word, is pinged first.

A connection that dies between this check and its statement fails that statement as a
disconnect: SQLAlchemy then discards the pool's connections, and the caller meets an
outage it already handles (bot/db/outage.py; the work stays pending and is retried).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

IDLE_PING_SECONDS = 30.0
_RETURNED = "motcua_returned_at"


def replace_dead_connections(engine: Engine) -> None:
    """Install the check on a (synchronous facade of an) engine's pool."""
    event.listen(engine, "checkin", _returned)
    event.listen(engine, "checkout", _check(engine))


def _returned(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_RETURNED] = time.monotonic()


def _check(engine: Engine) -> Any:
    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        is_closed = getattr(driver, "is_closed", None)
        if is_closed is not None and is_closed():
            raise DisconnectionError("the server closed this connection")
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
            return  # new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("an idle connection did not answer") from exc
        if not alive:
            raise DisconnectionError("an idle connection did not answer")

    return check
