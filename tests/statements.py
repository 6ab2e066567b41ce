"""Counting the statements a block of code sends to the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.db.engine import Database


class Statements:
    """Counts the statements starting with ``prefix`` (SELECT, INSERT INTO inbox, ...)
    that the database's engine runs while the block runs."""

    def __init__(self, db: Database, prefix: str) -> None:
        # SQLite writes go through an engine of their own.
        self.engines = {db.engine.sync_engine, db.write_engine.sync_engine}
        self.prefix = prefix.upper()
        self.count = 0

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.count += statement.lstrip().upper().startswith(self.prefix)

    def __enter__(self) -> Statements:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._seen)
