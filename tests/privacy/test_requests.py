"""Correction and deletion requests: their deadlines, what completing them changes, the
late-request warnings, and that one resident never sees or touches another's data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.app import Runtime
from bot.db.models import ChannelUser, Conversation, Question
from complaints.calendar import WorkingCalendar
from complaints.models import Ticket
from handlers.privacy import MESSAGES
from privacy.config import PrivacySettings
from privacy.models import PrivacyRequest
from privacy.requests import deadlines
from privacy.sweeps import PrivacySweeps
from tests.complaints.drivers import TZ, Clock, IncomingDriver, StaffDriver, local, texts_of
from tests.dialogue import run_transcript
from tests.dialogues.privacy import request_code
from tests.privacy_canaries import CANARY, SECOND


def test_deadlines_count_working_days_to_acknowledge_and_calendar_days_to_complete() -> None:
    # Assumption (verify with the commune's legal officer): "2 working days" to
    # acknowledge, "15 days" to complete counted as calendar days, ending on the last
    # working day on or before the 15th.
    calendar = WorkingCalendar()
    received = local(2026, 3, 13, 9)  # a Friday
    ack, due = deadlines(received, calendar, PrivacySettings())
    assert ack.astimezone(TZ) == datetime(2026, 3, 17, 17, 0, tzinfo=TZ)  # Mon, Tue
    # Day 15 is Saturday 28 March: the deadline is Friday 27 at closing time.
    assert due.astimezone(TZ) == datetime(2026, 3, 27, 17, 0, tzinfo=TZ)
    # Received the day before Tết 2027 (4-10 February off, from the holidays package):
    # the two working days are Thursday 11 and Friday 12.
    ack, _ = deadlines(local(2027, 2, 3, 10), calendar, PrivacySettings())
    assert ack.astimezone(TZ) == datetime(2027, 2, 12, 17, 0, tzinfo=TZ)


async def _ticket_with_contact(resident: IncomingDriver, name: str, phone: str) -> None:
    await run_transcript(
        resident,
        f"""
> /phananh
> [Việc khác]
> Loa phát thanh của thôn mở quá to lúc 5 giờ sáng
> [Tiếp tục]
> [Để lại họ tên]
> [Tôi đồng ý]
> {name}
> {phone}
> [Gửi phản ánh]
< Đã gửi phản ánh
""",
    )


async def test_a_completed_correction_writes_the_new_phone_on_the_tickets(
    runtime: Runtime,
) -> None:
    resident = IncomingDriver(runtime, "7101")
    other = IncomingDriver(runtime, "7102")
    await _ticket_with_contact(resident, CANARY.name, CANARY.phone)
    await _ticket_with_contact(other, SECOND.name, SECOND.phone)
    asked = await run_transcript(
        resident,
        f"""
> /suadulieu
> [Số điện thoại]
> {SECOND.phone_forms[1]}
< Đã nhận yêu cầu sửa số điện thoại
""",
    )
    code = request_code(asked)
    staff = StaffDriver(runtime)
    alerts = texts_of(await staff.group_messages())
    assert f"{code}: sửa số điện thoại" in alerts and SECOND.phone not in alerts
    done = await staff.say(f"/xongyc {code}")
    assert f"Đã làm xong {code}" in texts_of(done)
    async with runtime.db.read() as session:
        phones = dict((await session.execute(select(Ticket.user_id, Ticket.contact_phone))).all())
        request = (await session.execute(select(PrivacyRequest))).scalar_one()
    assert phones == {"7101": SECOND.phone, "7102": SECOND.phone}  # the other's was already
    assert request.status == "done" and request.details == {}  # the new value is not kept
    assert request.completed_at is not None and request.handled_by == "telegram:501"
    told = await resident.say("/dulieucuatoi")
    assert f"Yêu cầu {code} đã xong: thông tin của bạn đã được sửa" in texts_of(told)
    assert "0976***210" in texts_of(told)


async def test_deletion_erases_only_the_asker(runtime: Runtime) -> None:
    resident = IncomingDriver(runtime, "7201", name=CANARY.name)
    other = IncomingDriver(runtime, "7202", name=SECOND.name)
    await _ticket_with_contact(resident, CANARY.name, CANARY.phone)
    await _ticket_with_contact(other, SECOND.name, SECOND.phone)
    await resident.say("khai sinh cần giấy tờ gì")
    await other.say("khai sinh cần giấy tờ gì")
    staff = StaffDriver(runtime)
    await staff.say("/dong " + (await _code_of(runtime, "7201")))  # a settled ticket
    code = request_code(await run_transcript(resident, "> /xoadulieu\n> [Đồng ý xóa]"))
    await staff.say(f"/xongyc {code}")
    async with runtime.db.read() as session:
        tickets = {t.contact_phone: t for t in (await session.execute(select(Ticket))).scalars()}
        questions = (
            await session.execute(select(Question.user_id, func.count()).group_by(Question.user_id))
        ).all()
        conversations = set((await session.execute(select(Conversation.user_id))).scalars())
        names = dict(
            (await session.execute(select(ChannelUser.user_id, ChannelUser.display_name))).all()
        )
    assert set(tickets) == {None, SECOND.phone}
    erased = tickets[None]
    assert erased.contact_name is None and erased.user_id is None  # settled: unlinked too
    assert dict(questions) == {"7202": 1}
    assert "7201" not in conversations and "7202" in conversations
    assert names["7201"] is None and names["7202"] == SECOND.name
    # The other resident's view never had, and still has not, anything of the first.
    theirs = texts_of(await other.say("/dulieucuatoi"))
    assert "0976***210" in theirs and "0987***321" not in theirs and code not in theirs


async def _code_of(runtime: Runtime, user_id: str) -> str:
    async with runtime.db.read() as session:
        return str(
            (await session.execute(select(Ticket.code).where(Ticket.user_id == user_id))).scalar()
        )


async def test_late_requests_are_reported_to_staff_once_in_working_hours(
    runtime: Runtime,
) -> None:
    resident = IncomingDriver(runtime, "7301")
    code = request_code(await run_transcript(resident, "> /xoadulieu\n> [Đồng ý xóa]"))
    staff = StaffDriver(runtime)
    await staff.group_messages()
    async with runtime.db.transaction() as session:
        request = (await session.execute(select(PrivacyRequest))).scalar_one()
        request.received_at = local(2026, 3, 13, 9)
        request.ack_due_at = local(2026, 3, 17, 17)
        request.due_at = local(2026, 3, 27, 17)
    clock = Clock(local(2026, 3, 16, 10))
    sweeps = PrivacySweeps(runtime.db, runtime.communes, MESSAGES, clock=clock)
    assert await sweeps.overdue() == 0  # nothing late yet
    clock.now = local(2026, 3, 18, 3)  # late, but the middle of the night
    assert await sweeps.overdue() == 0
    clock.now = local(2026, 3, 18, 8)
    assert await sweeps.overdue() == 1
    assert f"{code} (xóa dữ liệu) đã quá hạn xác nhận" in texts_of(await staff.group_messages())
    assert await sweeps.overdue() == 0  # said once
    clock.now = local(2026, 3, 30, 8)
    assert await sweeps.overdue() == 1
    assert f"{code} (xóa dữ liệu) đã quá hạn làm xong" in texts_of(await staff.group_messages())
    assert await sweeps.overdue() == 0
    listed = texts_of(await staff.say("/yeucau"))
    assert code in listed and "quá hạn" in listed
    # Settled requests are never reported again.
    await staff.say(f"/tuchoiyc {code} Phản ánh đang giải quyết theo Luật Tố cáo")
    clock.now = datetime(2026, 4, 30, 3, tzinfo=UTC)
    assert await sweeps.overdue() == 0
    told = texts_of(await resident.say("/dulieucuatoi"))
    assert "không thực hiện được. Lý do: Phản ánh đang giải quyết theo Luật Tố cáo" in told


async def test_staff_commands_need_a_staff_member_and_a_known_code(runtime: Runtime) -> None:
    outsider = IncomingDriver(runtime, "7401")
    assert "chỉ dành cho cán bộ" in texts_of(await outsider.say("/yeucau"))
    staff = StaffDriver(runtime)
    assert "Không có yêu cầu nào" in texts_of(await staff.say("/yeucau"))
    assert "Không có yêu cầu YC-ABCDEF" in texts_of(await staff.say("/xongyc YC-ABCDEF"))
    assert "Cú pháp: /tuchoiyc YC-XXXXXX <lý do>" in texts_of(await staff.say("/tuchoiyc"))
    code = request_code(await run_transcript(outsider, "> /xoadulieu\n> [Đồng ý xóa]"))
    assert "Cú pháp" in texts_of(await staff.say(f"/tuchoiyc {code}"))
    await staff.say(f"/xongyc {code}")
    assert "đã kết thúc trước đó" in texts_of(await staff.say(f"/xongyc {code}"))
    assert "đã kết thúc trước đó" in texts_of(await staff.say(f"/nhanyc {code}"))
