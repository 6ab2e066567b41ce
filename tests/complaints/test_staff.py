"""The staff side in the Telegram staff group: who may act, queues, confidential
tickets, calendar commands, and what residents are told."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.app import Runtime
from bot.db.base import utcnow
from bot.db.models import ChannelUser, OutboxItem
from complaints.models import Ticket
from tests.complaints.conftest import configure
from tests.complaints.drivers import (
    CONFIDENTIAL_OFFICER,
    IncomingDriver,
    StaffDriver,
    find_button,
    texts_of,
)
from tests.dialogue import ProcessorDriver, run_transcript
from tests.dialogues import complaints as dialogues


async def test_the_alert_names_nobody_and_offers_the_actions(runtime: Runtime) -> None:
    code = await dialogues.file_anonymous_ticket(ProcessorDriver(runtime, "resident-a1"))
    alerts = await StaffDriver(runtime).group_messages()
    assert len(alerts) == 1
    alert = alerts[0]
    assert code in alert.text and "Hạ tầng, môi trường" in alert.text
    assert "Đèn đường ở thôn Đông" in alert.text and "ẩn danh" in alert.text
    assert [b.label for b in alert.buttons] == ["Nhận xử lý", "Trả lời", "Hỏi thêm", "Đóng"]


async def test_only_staff_may_act_and_other_talk_in_the_group_is_ignored(runtime: Runtime) -> None:
    code = await dialogues.file_anonymous_ticket(ProcessorDriver(runtime, "resident-a2"))
    staff = StaffDriver(runtime)
    alerts = await staff.group_messages()
    stranger = StaffDriver(runtime, "999", "Người lạ")
    refused = await stranger.press(find_button(alerts, "Nhận xử lý"))
    assert "chỉ dành cho cán bộ" in texts_of(refused)
    assert await stranger.say("/viec") and "chỉ dành cho cán bộ" in texts_of(
        await stranger.say(f"/traloi {code} xin chào")
    )
    assert await stranger.say("chào cả nhà") == []  # nothing for the bot to answer
    assert await staff.say("đi ăn trưa thôi") == []  # a reply to the bot, not in a flow
    help_ = await staff.say("/start")
    assert "Lệnh cho cán bộ" in texts_of(help_) and "Xin chào" not in texts_of(help_)
    async with runtime.db.read() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()
    assert ticket.assignee is None and ticket.status == "received"


async def test_queue_and_overdue_lists(runtime: Runtime) -> None:
    code = await dialogues.file_anonymous_ticket(ProcessorDriver(runtime, "resident-a3"))
    staff = StaffDriver(runtime)
    alerts = await staff.group_messages()
    queue = texts_of(await staff.say("/viec"))
    assert code in queue and "chưa ai nhận" in queue
    await staff.press(find_button(alerts, "Nhận xử lý"))
    assert "của anh/chị" in texts_of(await staff.say("/viec"))
    other = texts_of(await StaffDriver(runtime, "502", "Anh Tuấn").say("/viec"))
    assert code not in other  # taken by someone else
    assert "Không có phản ánh nào quá hạn" in texts_of(await staff.say("/quahan"))
    async with runtime.db.transaction() as session:
        await session.execute(
            update(Ticket).where(Ticket.code == code).values(due_at=utcnow().replace(year=2020))
        )
    overdue = texts_of(await staff.say("/quahan"))
    assert code in overdue and "quá hạn" in overdue


async def test_ask_close_and_reject_reach_the_resident(runtime: Runtime) -> None:
    resident = ProcessorDriver(runtime, "resident-a4")
    staff = StaffDriver(runtime)
    code = await dialogues.file_anonymous_ticket(resident)
    alerts = await staff.group_messages()
    prompt = await staff.press(find_button(alerts, "Hỏi thêm"))
    assert "câu hỏi gửi người dân" in texts_of(prompt)
    assert "Đã gửi câu hỏi" in texts_of(await staff.say("Ở xóm nào ạ?"))
    await run_transcript(resident, "> /tracuu\n< cần thêm thông tin\n< Ở xóm nào ạ?")
    assert "Đã đóng" in texts_of(await staff.say(f"/dong {code}"))
    await run_transcript(resident, f"> /huy\n< Phản ánh {code} đã được xử lý xong")
    again = texts_of(await staff.say(f"/traloi {code} thêm nữa"))
    assert "đã kết thúc" in again
    neighbour = ProcessorDriver(runtime, "resident-a5")
    second = await dialogues.file_anonymous_ticket(neighbour)
    assert "Cú pháp" in texts_of(await staff.say(f"/tuchoi {second}"))
    rejected = await staff.say(f"/tuchoi {second} Việc này thuộc điện lực, không thuộc xã")
    assert "không xử lý" in texts_of(rejected)
    await run_transcript(
        neighbour,
        "> /tracuu\n< Lý do: Việc này thuộc điện lực\n< [Không xử lý]",
    )


async def test_a_resident_who_blocked_the_bot_is_not_written_to(runtime: Runtime) -> None:
    resident = IncomingDriver(runtime, "9600")
    code = await dialogues.file_anonymous_ticket(resident)
    staff = StaffDriver(runtime)
    await staff.group_messages()
    async with runtime.db.transaction() as session:
        await session.execute(
            update(ChannelUser)
            .where(ChannelUser.user_id == "9600")
            .values(unreachable_at=utcnow(), unreachable_reason="blocked")
        )
    said = texts_of(await staff.say(f"/traloi {code} Đã sửa xong."))
    assert "Đã gửi câu trả lời" in said and "không nhận được tin nhắn" in said
    async with runtime.db.read() as session:
        rows = (
            await session.execute(select(OutboxItem).where(OutboxItem.kind == "complaint_update"))
        ).all()
    assert rows == []


async def test_formal_complaints_are_for_the_designated_officer_only(desk: Runtime) -> None:
    resident = ProcessorDriver(desk, "resident-a6")
    replies = await run_transcript(
        resident,
        """
> /phananh
> [Khiếu nại, tố cáo]
> Tôi tố cáo cán bộ địa chính thôn Nam nhận tiền của dân để làm nhanh hồ sơ
> [Tiếp tục]
> [Gửi ẩn danh]
> [Gửi phản ánh]
< Đã gửi phản ánh
< thủ tục khiếu nại, tố cáo
""",
    )
    code = dialogues.ticket_code(replies)
    staff = StaffDriver(desk)
    alerts = await staff.group_messages()
    assert len(alerts) == 1 and code in alerts[0].text
    assert "địa chính" not in texts_of(alerts) and "khiếu nại, tố cáo" in alerts[0].text
    refused = await staff.press(find_button(alerts, "Trả lời"))
    assert "chỉ cán bộ được giao" in texts_of(refused)
    assert "chỉ cán bộ được giao" in texts_of(await staff.say(f"/xem {code}", private=True))
    officer = StaffDriver(desk, CONFIDENTIAL_OFFICER, "Ông Hải")
    assert "tin nhắn riêng" in texts_of(await officer.say(f"/xem {code}"))
    detail = texts_of(await officer.say(f"/xem {code}", private=True))
    assert "địa chính thôn Nam" in detail
    assert "Đã gửi câu trả lời" in texts_of(
        await officer.say(f"/traloi {code} Đề nghị ông/bà đến trụ sở để làm việc.")
    )


async def test_a_formal_complaint_without_a_designated_officer_warns_staff(
    runtime: Runtime,
) -> None:
    await run_transcript(
        ProcessorDriver(runtime, "resident-a7"),
        """
> /phananh
> [Khiếu nại, tố cáo]
> Tôi khiếu nại quyết định xử phạt hành chính của xã
> [Tiếp tục]
> [Gửi ẩn danh]
> [Gửi phản ánh]
""",
    )
    said = texts_of(await StaffDriver(runtime).group_messages())
    assert "Chưa có cán bộ nào được giao xem khiếu nại" in said


async def test_contact_details_only_in_a_private_chat(runtime: Runtime) -> None:
    resident = ProcessorDriver(runtime, "resident-a8")
    replies = await run_transcript(resident, dialogues.TICKET_WITH_CONTACT)
    code = dialogues.ticket_code(replies)
    staff = StaffDriver(runtime)
    alert = texts_of(await staff.group_messages())
    assert f"/lienhe {code}" in alert
    assert "tin nhắn riêng" in texts_of(await staff.say(f"/lienhe {code}"))
    shown = texts_of(await staff.say(f"/lienhe {code}", private=True))
    assert dialogues.CANARY_NAME in shown and dialogues.CANARY_PHONE in shown
    async with runtime.db.read() as session:
        kinds = (
            await session.execute(
                select(OutboxItem.kind).where(
                    OutboxItem.reply["text"].as_string().contains("Canary")
                )
            )
        ).scalars()
        assert set(kinds) == {"contact_reveal"}


async def test_staff_record_days_off_and_compensatory_working_days(runtime: Runtime) -> None:
    staff = StaffDriver(runtime)
    assert "ngày nghỉ" in texts_of(await staff.say("/ngaynghi 02/01/2026 nghỉ bù Tết Dương lịch"))
    assert "làm bù" in texts_of(await staff.say("/ngaylam 2026-01-10"))
    assert "Cú pháp" in texts_of(await staff.say("/ngaynghi mai"))
    listing = texts_of(await staff.say("/lich 2026"))
    assert "02/01 (T6): ngày nghỉ (nghỉ bù Tết Dương lịch)" in listing
    assert "10/01 (T7): ngày làm việc" in listing
    assert "17/02 (T3): Tết Nguyên Đán" in listing


async def test_daily_limits_refuse_politely(runtime: Runtime) -> None:
    await configure(runtime, tickets_per_day=1, photos_per_day=1)
    resident = IncomingDriver(runtime, "9700")
    await dialogues.file_anonymous_ticket(resident)
    await run_transcript(
        resident, "> /phananh\n< đủ số lượng trong một ngày\n< 0203 3888 123\n<! Bạn muốn phản ánh"
    )
    other = IncomingDriver(runtime, "9701")
    await run_transcript(other, "> /phananh\n> [Việc khác]\n> Một nội dung đủ dài để ghi nhận")
    assert "Đã nhận ảnh (1/3)" in texts_of(await other.send_photo("p1"))
    assert "nhiều ảnh" in texts_of(await other.send_photo("p2"))
