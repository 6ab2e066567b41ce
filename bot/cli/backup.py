"""``motcua backup FILE`` and ``motcua restore FILE [--force]``: a portable dump of every
table (bot/db/backup.py), readable by SQLite and PostgreSQL alike.

Backup does not migrate: it runs before an upgrade, with the version that matches the
database. Restore brings an empty database to the latest schema, then loads the file.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from bot.cli import CommandError
from bot.config import Settings
from bot.db.backup import BackupError, Summary, backup, restore
from bot.db.engine import Database
from bot.db.migrate import upgrade


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("backup", help="write every table to a portable file (.jsonl.gz)")
    b.add_argument("file", type=Path, help="where to write, e.g. motcua-2026-11-23.jsonl.gz")
    b.set_defaults(func=run_backup)

    r = sub.add_parser("restore", help="load a backup into an empty database")
    r.add_argument("file", type=Path, help="a file written by `motcua backup`")
    r.add_argument(
        "--force", action="store_true", help="replace everything in a database that has rows"
    )
    r.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    async def go() -> Summary:
        db = Database(Settings().resolved_database_url)
        try:
            return await backup(db, args.file)
        finally:
            await db.dispose()

    summary = _run(go())
    print(f"motcua: backup written to {args.file}")
    _report(summary)
    return 0


def run_restore(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise CommandError(f"no such file: {args.file}")

    async def go() -> Summary:
        settings = Settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.resolved_database_url)
        try:
            await upgrade(db)
            return await restore(db, args.file, force=args.force)
        finally:
            await db.dispose()

    summary = _run(go())
    print(f"motcua: restored {args.file}")
    _report(summary)
    return 0


def _run(work: Coroutine[Any, Any, Summary]) -> Summary:
    try:
        return asyncio.run(work)
    except BackupError as exc:
        raise CommandError(str(exc)) from None


def _report(summary: Summary) -> None:
    print(f"schema revision {summary.revision}, {summary.total} rows:")
    for name, count in summary.rows.items():
        if count:
            print(f"  {name}: {count}")
