"""``motcua backup`` / ``motcua restore``: a database filled the way residents and staff
fill it comes back row for row in an empty database, on the same engine or the other.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, func, select

from bot import catalogue_store
from bot.app import Runtime
from bot.cli import main
from bot.db.backup import BackupError, backup, restore, tables
from bot.db.engine import Database
from bot.db.migrate import upgrade
from staff import accounts
from surveys.models import Response
from tests.complaints.helpers import ticket
from tests.dialogue import ProcessorDriver, run_transcript
from tests.dialogues.complaints import TICKET_WITH_CONTACT, ticket_code
from tests.dialogues.surveys import ALL_FIVES
from tests.scratch_db import empty_database
from tests.surveys.helpers import MORNING, set_clock, visit

pytestmark = pytest.mark.db


async def fill(runtime: Runtime) -> str:
    """A question, a complaint with contact details, a survey answer, a catalogue
    override and a staff account, each through the code that stores them in production.
    Returns the ticket's code."""
    set_clock(runtime, MORNING)
    resident = ProcessorDriver(runtime, session="resident-0001")
    await run_transcript(resident, "> lam giay khai sinh can gi\n< Tờ khai đăng ký khai sinh")
    code = ticket_code(
        await run_transcript(ProcessorDriver(runtime, "resident-0002"), TICKET_WITH_CONTACT)
    )
    _inv, token = await visit(runtime, MORNING, counter="Quầy 2")
    await run_transcript(
        ProcessorDriver(runtime, session="resident-0003"),
        f"> /start {token}\n< Mời bạn đánh giá\n{ALL_FIVES}\n> Rất tận tình\n< Cảm ơn bạn",
    )
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        await catalogue_store.save_overrides(
            session,
            commune.id,
            "1.001193",
            {"fee": "Miễn lệ phí (đăng ký đúng hạn)"},
            source="staff:canbo1",
            now=MORNING,
        )
        await accounts.create(
            session,
            username="canbo1",
            password="mat-khau-du-dai-123",
            role="commune_admin",
            commune_id=commune.id,
            display_name="Nguyễn Thị Hoa",
            now=MORNING,
        )
    return code


async def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as the models read them, in primary-key order; JSON
    columns also say whether they hold SQL NULL (JSON null reads as None too)."""
    db = Database(url)
    try:
        async with db.read() as session:
            return {
                table.name: [
                    tuple(row)
                    for row in await session.execute(
                        select(
                            table,
                            *(c.is_(None) for c in table.columns if isinstance(c.type, JSON)),
                        ).order_by(*table.primary_key.columns)
                    )
                ]
                for table in tables()
            }
    finally:
        await db.dispose()


async def restore_into(url: str, path: Path, *, force: bool = False) -> None:
    db = Database(url)
    try:
        await upgrade(db)
        await restore(db, path, force=force)
    finally:
        await db.dispose()


@pytest.fixture
def targets(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[list[str]]:
    """Empty databases to restore into: SQLite always; PostgreSQL too when the source is
    SQLite (SQLite -> SQLite, SQLite -> PostgreSQL, PostgreSQL -> SQLite)."""
    from_sqlite = database_url.startswith("sqlite")
    server = request.getfixturevalue("postgres_url") if from_sqlite else None
    with empty_database("sqlite", None, tmp_path) as lite:
        if not from_sqlite:
            yield [lite]
            return
        with empty_database("postgresql", server, tmp_path) as pg:
            yield [lite, pg]


async def test_a_restored_database_equals_the_original_row_for_row(
    runtime: Runtime, database_url: str, targets: list[str], tmp_path: Path
) -> None:
    code = await fill(runtime)
    path = tmp_path / "motcua.jsonl.gz"
    summary = await backup(runtime.db, path)
    original = await snapshot(database_url)
    for name in ("complaint_tickets", "survey_responses", "conversations", "staff_accounts"):
        assert original[name], f"the fill left {name} empty: the test would prove nothing"
    assert summary.rows == {name: len(rows) for name, rows in original.items()}

    for url in targets:
        await restore_into(url, path)
        assert await snapshot(url) == original, url

    # The ids PostgreSQL hands out next follow the restored ones.
    restored = Database(targets[-1])
    try:
        async with restored.transaction() as session:
            account = await accounts.create(
                session,
                username="canbo2",
                password="mat-khau-du-dai-456",
                role="officer",
                commune_id=(await ticket(runtime, code)).commune_id,
                now=MORNING + timedelta(days=1),
            )
        assert account.id == max(row[0] for row in original["staff_accounts"]) + 1
        async with restored.read() as session:
            answers = (await session.execute(select(func.count()).select_from(Response))).scalar()
        assert answers == 1
    finally:
        await restored.dispose()


def _rewrite(source: Path, target: Path, change: Any) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as src:
        lines = [json.loads(line) for line in src]
    lines = change(lines)
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(line) + "\n" for line in lines)


async def test_restore_refuses_a_full_database_a_foreign_revision_and_a_cut_file(
    runtime: Runtime, tmp_path: Path
) -> None:
    await fill(runtime)
    path = tmp_path / "motcua.jsonl.gz"
    await backup(runtime.db, path)
    before = await snapshot(str(runtime.db.url.render_as_string(hide_password=False)))

    with pytest.raises(BackupError, match=r"not empty .*--force"):
        await restore(runtime.db, path)

    older = tmp_path / "older.jsonl.gz"
    _rewrite(path, older, lambda lines: [{**lines[0], "revision": "0005_staff"}, *lines[1:]])
    with pytest.raises(BackupError, match=r"revision 0005_staff.*motcua version that wrote it"):
        await restore(runtime.db, older, force=True)

    cut = tmp_path / "cut.jsonl.gz"
    _rewrite(path, cut, lambda lines: lines[:-1])
    with pytest.raises(BackupError, match="cut short"):
        await restore(runtime.db, cut, force=True)
    url = str(runtime.db.url.render_as_string(hide_password=False))
    assert await snapshot(url) == before, "a refused restore changed nothing"

    await restore(runtime.db, path, force=True)
    assert await snapshot(url) == before


def test_the_commands_back_up_and_restore_through_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    path = tmp_path / "b.jsonl.gz"
    assert main(["catalogue", "disable", "1.013067"]) == 0
    assert main(["backup", str(path)]) == 0
    assert "communes: 1" in capsys.readouterr().out
    assert main(["restore", str(path)]) == 2
    assert "not empty" in capsys.readouterr().err
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "elsewhere"))
    assert main(["restore", str(path)]) == 0
    assert main(["catalogue", "list"]) == 0
    assert "1.013067" not in capsys.readouterr().out  # the commune's choice came back
