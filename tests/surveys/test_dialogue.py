"""The questionnaire as residents live it: deep link, typed code, pushed invitation,
refusals, interruption and resume, and the low-score follow-up.

These run on the web chat; the deep link also runs through the Telegram webhook and
the typed code through both Zalo adapters (tests/channels/*/test_survey_dialogue.py)."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import outbox
from bot.app import Runtime
from bot.db.models import OutboxItem
from bot.types import Incoming, Reply, UserRef
from complaints.models import Ticket
from handlers import texts
from surveys import push, tokens
from surveys.models import USED, Response
from tests.dialogue import ProcessorDriver, run_transcript
from tests.dialogues.surveys import ALL_FIVES
from tests.surveys.helpers import (
    MORNING,
    count,
    invitation,
    responses,
    services,
    set_clock,
    visit,
)

pytestmark = pytest.mark.db


@pytest.fixture
def clock(runtime: Runtime) -> list[datetime]:
    """The processor's clock, settable by the test."""
    return set_clock(runtime, MORNING)


async def test_deep_link_questionnaire_stores_one_anonymous_answer(
    runtime: Runtime, clock: list[datetime]
) -> None:
    inv, token = await visit(runtime, MORNING, counter="Quầy 2", officer="Nguyễn Văn A")
    driver = ProcessorDriver(runtime)
    await run_transcript(
        driver,
        f"""
        > /start {token}
        < Mời bạn đánh giá sự phục vụ
        < giữ kín
        {ALL_FIVES}
        > Cán bộ hướng dẫn rất tận tình
        < Cảm ơn bạn đã đánh giá
        <! liên hệ lại
        """,
    )
    [answer] = await responses(runtime)
    assert (answer.overall, answer.access, answer.result) == (5, 5, 4)
    assert answer.comment == "Cán bộ hướng dẫn rất tận tình"
    assert (answer.procedure_code, answer.counter, answer.officer) == (
        "1.001193",
        "Quầy 2",
        "Nguyễn Văn A",
    )
    assert answer.evidence == "visit" and answer.mode == "in_person"
    # Nothing on the answer points back to the resident or the invitation...
    columns = {c.name for c in Response.__table__.columns}
    assert not columns & {"user_id", "chat_id", "channel", "invitation_id", "visit_id"}
    # ...and the invitation forgot its nonce and progress: it only knows it was used.
    used = await invitation(runtime, inv.id)
    assert used.status == USED and used.nonce is None and used.progress is None


async def test_a_used_token_is_refused_politely(runtime: Runtime, clock: list[datetime]) -> None:
    _inv, token = await visit(runtime, MORNING)
    await run_transcript(
        ProcessorDriver(runtime),
        f"> /start {token}\n{ALL_FIVES}\n> [Không có góp ý]\n< Cảm ơn bạn đã đánh giá",
    )
    await run_transcript(
        ProcessorDriver(runtime, session="someone-else-01"),
        f"> /start {token}\n< {texts.SURVEY_USED[:40]}\n<! Câu 1/6",
    )
    assert len(await responses(runtime)) == 1


async def test_an_expired_or_forged_token_is_refused(
    runtime: Runtime, clock: list[datetime]
) -> None:
    _inv, token = await visit(runtime, MORNING)
    clock[0] = MORNING + timedelta(days=8)  # invitations last 7 days
    driver = ProcessorDriver(runtime)
    await run_transcript(driver, f"> /start {token}\n< đã hết hạn\n<! Câu 1/6")
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    await run_transcript(driver, f"> /start {forged}\n< không đúng\n<! Câu 1/6")


async def test_typed_code_opens_the_questionnaire_on_text_only_channels(
    runtime: Runtime, clock: list[datetime]
) -> None:
    inv, _token = await visit(runtime, MORNING)
    typed = tokens.format_code(inv.code).lower().replace("-", " ")
    await run_transcript(
        ProcessorDriver(runtime),
        f"""
        > /danhgia
        < gõ mã đánh giá
        > {typed}
        < Câu 1/6
        """,
    )
    # Also typed with the prefix in a sentence, straight away.
    inv2, _ = await visit(runtime, MORNING)
    await run_transcript(
        ProcessorDriver(runtime, session="resident-0002"),
        f"> mã của tôi là {tokens.format_code(inv2.code)}\n< Câu 1/6",
    )


async def test_a_wrong_code_after_danhgia_is_explained(
    runtime: Runtime, clock: list[datetime]
) -> None:
    await run_transcript(
        ProcessorDriver(runtime),
        """
        > /danhgia
        < gõ mã đánh giá
        > DG-2222-3333
        < không đúng
        """,
    )


async def test_interrupted_questionnaire_resumes_where_it_stopped(
    runtime: Runtime, clock: list[datetime]
) -> None:
    inv, token = await visit(runtime, MORNING)
    driver = ProcessorDriver(runtime)
    await run_transcript(
        driver,
        f"""
        > /start {token}
        > [Rất hài lòng]
        > #4
        < Câu 3/6
        > /huy
        < Đã hủy
        > khai sinh
        <! Câu 3/6
        """,
    )
    # Hours later, on another device even: the code brings back question 3.
    clock[0] = MORNING + timedelta(hours=5)
    await run_transcript(
        ProcessorDriver(runtime, session="resident-tablet"),
        f"""
        > {tokens.format_code(inv.code)}
        < đánh giá dở
        < Câu 3/6
        > 3
        > 3
        > 3
        > 3
        < góp ý
        > [Không có góp ý]
        < Cảm ơn bạn đã đánh giá
        """,
    )
    [answer] = await responses(runtime)
    assert (answer.overall, answer.access, answer.procedure, answer.feedback) == (5, 4, 3, 3)


async def test_text_that_is_not_a_rating_asks_again(
    runtime: Runtime, clock: list[datetime]
) -> None:
    _inv, token = await visit(runtime, MORNING)
    await run_transcript(
        ProcessorDriver(runtime),
        f"""
        > /start {token}
        > tôi không biết
        < chọn một mức từ 1 đến 5
        < Câu 1/6
        > 7
        < Câu 1/6
        """,
    )


LOW = """
> [Rất không hài lòng]
> #2
> 3
> 1
> 2
> 3
< góp ý
> Phải chờ 3 tiếng, cán bộ gắt gỏng
< liên hệ lại
"""


async def test_low_score_opens_a_ticket_only_with_consent(
    runtime: Runtime, clock: list[datetime]
) -> None:
    _inv, token = await visit(runtime, MORNING)
    await run_transcript(
        ProcessorDriver(runtime),
        f"> /start {token}\n{LOW}\n> [Không, cảm ơn]\n< Cảm ơn bạn đã đánh giá\n<! mã ",
    )
    assert await count(runtime, Ticket) == 0
    [anonymous] = await responses(runtime)
    assert anonymous.comment == "Phải chờ 3 tiếng, cán bộ gắt gỏng"

    _inv, token = await visit(runtime, MORNING)
    replies = await run_transcript(
        ProcessorDriver(runtime, session="resident-0002"),
        f"> /start {token}\n{LOW}\n> [Có, liên hệ với tôi]\n< chuyển thành phản ánh",
    )
    async with runtime.db.read() as session:
        [ticket] = (await session.execute(select(Ticket))).scalars().all()
    assert ticket.code in " ".join(r.text for r in replies)
    assert ticket.category == "procedure" and ticket.procedure_code == "1.001193"
    assert "Phải chờ 3 tiếng" in ticket.text and "Công chức 1/5" in ticket.text
    # With consent the comment lives in the ticket, not on the anonymous answer.
    second = (await responses(runtime))[1]
    assert second.comment is None and second.civil_servant == 1


async def test_the_officer_cannot_answer_for_their_own_visit(
    runtime: Runtime, clock: list[datetime]
) -> None:
    _inv, token = await visit(runtime, MORNING, officer_chat="web:officer-session-1")
    await run_transcript(
        ProcessorDriver(runtime, session="officer-session-1"),
        f"> /start {token}\n< Cán bộ không đánh giá\n<! Câu 1/6",
    )
    assert await responses(runtime) == []


async def test_configured_staff_cannot_answer(runtime: Runtime, clock: list[datetime]) -> None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    staff = dataclasses.replace(commune, staff_users=frozenset({"telegram:777"}))
    _inv, token = await visit(runtime, MORNING)
    msg = Incoming(
        UserRef("telegram", "777", "777"), text=f"/start {token}", command="start", payload=token
    )
    replies = await runtime.processor.handle(staff, msg)
    assert texts.SURVEY_STAFF in replies[0].text


async def test_invitation_is_pushed_after_the_delay_by_day_then_reminded_once(
    runtime: Runtime, clock: list[datetime]
) -> None:
    driver = ProcessorDriver(runtime, session="resident-push-1")
    await driver.say("xin chào")  # the resident is known to the bot on the web chat
    evening = datetime(2026, 7, 15, 13, 0, tzinfo=UTC)  # 20:00 local
    from surveys.service import Resident

    inv, _ = await visit(
        runtime, evening, resident=Resident("web", "resident-push-1", "resident-push-1")
    )
    commune = runtime.communes.by_slug("default")
    assert commune is not None

    async def sweep(at: datetime) -> push.SweepReport:
        async with runtime.db.transaction() as session:
            return await push.sweep(
                session,
                now=at,
                profile=runtime.communes.by_id,
                render=lambda c, i, r: _render(runtime, c, i, r),
            )

    # 30 minutes later it is night: the push waits for the morning.
    report = await sweep(evening + timedelta(minutes=31))
    assert report.pushed == 0
    assert await count(runtime, OutboxItem, OutboxItem.kind == "survey_invitation") == 0
    report = await sweep(datetime(2026, 7, 16, 1, 0, tzinfo=UTC))  # 8:00 local
    assert report.pushed == 1
    again = await sweep(datetime(2026, 7, 16, 1, 5, tzinfo=UTC))
    assert again.pushed == 0  # never twice

    [pushed] = await outbox.take_for_pull(runtime.db, "web", "resident-push-1")
    assert tokens.format_code(inv.code) in pushed.text
    reminder = await sweep(datetime(2026, 7, 17, 2, 0, tzinfo=UTC))
    assert reminder.reminded == 1
    assert (await sweep(datetime(2026, 7, 18, 2, 0, tzinfo=UTC))).reminded == 0  # one reminder
    [remind] = await outbox.take_for_pull(runtime.db, "web", "resident-push-1")
    assert "Nhắc lại" in remind.text

    # Pressing the pushed button opens the questionnaire.
    replies = await driver.press(pushed.buttons[0])
    assert any("Câu 1/6" in r.text for r in replies)


def _render(runtime: Runtime, commune: object, inv: object, reminder: bool) -> Reply:
    from handlers.surveys import invitation_reply

    return invitation_reply(commune, inv, reminder, services(runtime))  # type: ignore[arg-type]


async def test_a_push_goes_nowhere_when_the_resident_never_wrote(
    runtime: Runtime, clock: list[datetime]
) -> None:
    from surveys.service import Resident

    inv, _ = await visit(runtime, MORNING, resident=Resident("telegram", "99999", "99999"))
    async with runtime.db.transaction() as session:
        report = await push.sweep(
            session,
            now=MORNING + timedelta(hours=1),
            profile=runtime.communes.by_id,
            render=lambda c, i, r: _render(runtime, c, i, r),
        )
    assert report.skipped == 1 and report.pushed == 0
    assert (await invitation(runtime, inv.id)).push_note is not None


async def test_staff_record_a_visit_from_the_chat_and_cannot_answer_it(
    runtime: Runtime, clock: list[datetime]
) -> None:
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    staff = dataclasses.replace(commune, staff_users=frozenset({"telegram:4242"}))
    officer = UserRef("telegram", "4242", "4242", "Chị Lan")
    record = Incoming(
        officer,
        text="/ghinhan 1.001193 hs=H1 quay=2",
        command="ghinhan",
        payload="1.001193 hs=H1 quay=2",
    )
    [reply] = await runtime.processor.handle(staff, record)
    assert "Đã ghi nhận lượt phục vụ «" in reply.text
    code = re.search(r"DG-[0-9A-Z]{4}-[0-9A-Z]{4}", reply.text)
    assert code is not None
    # A resident cannot use the staff command.
    resident = Incoming(
        UserRef("telegram", "1", "1"),
        text="/ghinhan 1.001193",
        command="ghinhan",
        payload="1.001193",
    )
    [refused] = await runtime.processor.handle(staff, resident)
    assert refused.text == texts.STAFF_ONLY
    # The officer tries the invitation from their own chat: refused.
    attempt = Incoming(officer, text=code.group(0))
    [answer] = await runtime.processor.handle(commune, attempt)
    assert answer.text == texts.SURVEY_STAFF
