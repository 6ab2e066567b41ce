"""A database error names the statement, never its parameters: those are residents'
messages, names and phones, and error messages end up in logs."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import InboxItem
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
