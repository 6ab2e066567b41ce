"""The retention schedule: a dry run counts exactly what a real run then changes and
changes nothing itself; recent data stays; updates not yet processed and messages not yet
sent are never touched, however old."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

from sqlalchemy import func, select, update

from bot import inbox, outbox
from bot.app import Runtime
from bot.db.base import utcnow
from bot.db.models import Conversation, InboxItem, OutboxItem, Question
from bot.types import Reply
from complaints.models import Ticket
from privacy import retention
from privacy.models import PrivacyRequest
from tests.commands import run_motcua
from tests.complaints.drivers import IncomingDriver, StaffDriver
from tests.dialogue import ProcessorDriver, run_transcript
from tests.dialogues.complaints import ticket_code
from tests.privacy_canaries import CANARY

LONG_AGO = timedelta(days=400)
TABLES = (InboxItem, OutboxItem, Conversation, Question, Ticket, PrivacyRequest)


async def _snapshot(runtime: Runtime) -> dict[str, object]:
    """Every row of the tables retention touches, as comparable values."""
    shot: dict[str, object] = {}
    async with runtime.db.read() as session:
        for model in TABLES:
            rows = (await session.execute(select(model).order_by(model.id))).scalars()
            shot[model.__tablename__] = [
                {c.key: repr(getattr(r, c.key)) for c in model.__table__.columns} for r in rows
            ]
    return shot


async def _old_activity(runtime: Runtime) -> str:
    """A settled ticket with contact details, a question, a draft, a deletion request;
    then everything is moved 400 days back. Returns the ticket code."""
    web = ProcessorDriver(runtime, session="resident-retention-old")
    sent = await run_transcript(
        web,
        f"""
> /phananh
> [Việc khác]
> Cống trước {CANARY.address} bị tắc, nước tràn ra đường
> [Tiếp tục]
> [Để lại họ tên]
> [Tôi đồng ý]
> {CANARY.name}
> {CANARY.phone}
> [Gửi phản ánh]
""",
    )
    code = ticket_code(sent)
    await run_transcript(web, "> khai sinh cần gì\n> /xoadulieu\n> [Đồng ý xóa]")
    staff = StaffDriver(runtime)
    await staff.say(f"/dong {code}")
    await staff.say(f"/lienhe {code}", private=True)  # shown to staff, then scrubbed
    await staff.say(await _request_code(runtime, "tuchoiyc") + " Đang giải quyết tố cáo")
    draft = IncomingDriver(runtime, "7501")
    await run_transcript(draft, f"> /phananh\n> [Việc khác]\n> Đèn trước {CANARY.address} hỏng")
    await outbox.take_for_pull(runtime.db, "telegram", "501")
    old = utcnow() - LONG_AGO
    async with runtime.db.transaction() as session:
        for statement in (
            update(InboxItem).values(received_at=old, processed_at=old),
            update(OutboxItem).values(created_at=old),
            update(Conversation).where(Conversation.state.is_(None)).values(updated_at=old),
            # The draft is only four days old and has not timed out, but nobody
            # touched it for longer than draft_hours (72).
            update(Conversation)
            .where(Conversation.state.is_not(None))
            .values(updated_at=utcnow() - timedelta(days=4)),
            update(Question).values(created_at=old),
            update(Ticket).values(closed_at=old),
            update(PrivacyRequest).values(completed_at=utcnow() - timedelta(days=4000)),
        ):
            await session.execute(statement)
    return code


async def _request_code(runtime: Runtime, command: str) -> str:
    async with runtime.db.read() as session:
        code = (await session.execute(select(PrivacyRequest.code))).scalar_one()
    return f"/{command} {code}"


async def _recent_and_unfinished(runtime: Runtime) -> None:
    """A resident writing today, and an update and a message still waiting, 400 days old."""
    await run_transcript(
        ProcessorDriver(runtime, session="resident-retention-new"), "> khai sinh cần gì"
    )
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        await inbox.store(
            session, commune.id, "webchat", "never-processed", {"text": "?"}, utcnow() - LONG_AGO
        )
        outbox.enqueue(
            session,
            commune.id,
            [outbox.Envelope("telegram", "7777", Reply("chưa gửi"), "7777")],
            now=utcnow() - LONG_AGO,
        )


def _motcua(runtime: Runtime, *args: str) -> subprocess.CompletedProcess[str]:
    return run_motcua(
        "retention",
        *args,
        timeout=120,
        MOTCUA_DATA_DIR=str(runtime.settings.data_dir),
        MOTCUA_DATABASE_URL=runtime.settings.resolved_database_url,
    )


async def test_dry_run_counts_what_the_real_run_then_does(runtime: Runtime) -> None:
    code = await _old_activity(runtime)
    await _recent_and_unfinished(runtime)
    before = await _snapshot(runtime)

    dry = _motcua(runtime, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    counted = json.loads(dry.stdout)["communes"]["default"]
    assert await _snapshot(runtime) == before  # the dry run changed nothing
    assert counted["ticket_contacts"] == 1 and counted["contact_reveals"] == 1
    assert counted["drafts"] >= 1 and counted["requests"] == 1
    assert counted["questions"] >= 1 and counted["conversations"] >= 1
    assert counted["inbox"] >= 10 and counted["outbox"] >= 10
    printed = _motcua(runtime, "--dry-run")
    assert "ticket_contacts" in printed.stdout and "(would change)" in printed.stdout

    commune = runtime.communes.by_slug("default")
    assert commune is not None
    done = await retention.run(runtime.db, [commune], now=utcnow(), dry_run=False)
    assert done["default"] == counted
    again = await retention.run(runtime.db, [commune], now=utcnow(), dry_run=False)
    assert set(again["default"].values()) == {0}

    async with runtime.db.read() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()
        pending_in = (
            await session.execute(select(InboxItem.status).where(InboxItem.status == "pending"))
        ).all()
        waiting_out = (
            await session.execute(select(OutboxItem.chat_id).where(OutboxItem.status == "pending"))
        ).scalars()
        questions = (
            await session.execute(select(Question.user_id, func.count()).group_by(Question.user_id))
        ).all()
        draft = (
            await session.execute(select(Conversation).where(Conversation.user_id == "7501"))
        ).scalar_one()
        everything = json.dumps(
            [r.reply for r in (await session.execute(select(OutboxItem))).scalars()],
            ensure_ascii=False,
        )
    assert ticket.contact_name is None and ticket.contact_phone is None
    assert len(pending_in) == 1 and "7777" in set(waiting_out)  # untouched however old
    assert dict(questions) == {"": 1, "resident-retention-new": 1}  # old ones unlinked
    assert draft.state is None and draft.data == {}
    assert CANARY.phone not in everything and CANARY.name not in everything


async def test_recent_data_is_kept(runtime: Runtime) -> None:
    await run_transcript(
        ProcessorDriver(runtime, session="resident-retention-today"),
        "> /phananh\n> [Việc khác]\n> Đèn đường ở thôn Đông bị hỏng một tuần nay",
    )
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    before = await _snapshot(runtime)
    report = await retention.run(runtime.db, [commune], now=utcnow(), dry_run=False)
    assert set(report["default"].values()) == {0}
    assert await _snapshot(runtime) == before
