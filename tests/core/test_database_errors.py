"""A database error names the statement, never its parameters: those are residents'
messages, names and phones, and error messages end up in logs."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import InboxItem
from bot.db.outage import OutageLog, unreachable
from tests.privacy_canaries import CANARY

pytestmark = pytest.mark.db


async def test_a_failed_write_does_not_quote_what_it_tried_to_store(database_url: str) -> None:
    db = Database(database_url)
    await upgrade(db)
    try:
        with pytest.raises(IntegrityError) as failure:
            async with db.transaction() as session:
                # No such commune: the foreign key refuses the row.
                session.add(
                    InboxItem(
                        commune_id=999_999,
                        channel="telegram",
                        update_key="1",
                        payload={"text": f"{CANARY.name} {CANARY.phone}"},
                        status="pending",
                        attempts=0,
                    )
                )
    finally:
        await db.dispose()
    message = str(failure.value)
    assert "inbox" in message
    assert CANARY.name not in message and CANARY.phone not in message


def test_an_unreachable_database_is_told_from_a_refused_statement() -> None:
    class ShuttingDown(Exception):
        sqlstate = "57P03"  # cannot_connect_now: "the database system is starting up"

    class TooLong(Exception):
        sqlstate = "22001"  # string_data_right_truncation

    def wrapped(orig: Exception) -> DBAPIError:
        return DBAPIError("INSERT INTO inbox ...", None, orig)

    assert unreachable(ConnectionRefusedError(111, "Connect call failed"))
    assert unreachable(OperationalError("SELECT 1", None, Exception("database is locked")))
    assert unreachable(wrapped(ShuttingDown("the database system is starting up")))
    assert not unreachable(wrapped(TooLong("value too long")))
    assert not unreachable(ConnectionResetError("the client hung up"))
    assert not unreachable(RuntimeError("a bug"))


def test_an_outage_is_logged_once_in_a_while_not_per_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = OutageLog("requests")
    for _ in range(500):
        log.refused(ConnectionRefusedError(111, "Connect call failed"))
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.db.outage"]
    assert line == "database unreachable: 1 requests refused so far (ConnectionRefusedError)"
