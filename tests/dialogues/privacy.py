"""Privacy dialogues, shared by every channel's tests: the notice, "my data", and asking
for a correction or a deletion. Transcripts are collected in ``ALL``; the dialogue with
staff in between is a coroutine taking the drivers (tests/privacy/test_requests.py).
"""

from __future__ import annotations

import re

from bot.types import Reply
from tests.dialogue import ChatDriver, run_transcript
from tests.dialogues.complaints import StaffSide, ticket_code
from tests.privacy_canaries import CANARY, SECOND

NOTICE_FROM_THE_MENU = """
> /start
> [Địa chỉ, giờ làm việc]
< [Dữ liệu cá nhân của bạn]
> [Dữ liệu cá nhân của bạn]
< Bên chịu trách nhiệm: UBND
< Mục đích
< Lưu giữ
< /dulieucuatoi
< Liên hệ: Bộ phận Một cửa
< Phiên bản: 2026-12-
< [Xem dữ liệu của tôi]
> [Xem dữ liệu của tôi]
< Dữ liệu UBND
< Đánh giá sự phục vụ: ẩn danh
"""

NOTICE_BY_COMMAND = """
> /baomat
< Bảo vệ dữ liệu cá nhân
< Bạn có quyền xem dữ liệu
"""

MY_DATA_SHOWS_CONTACT_DETAILS_MASKED = f"""
> /phananh
> [Việc khác]
> Cống trước nhà văn hóa thôn Đông bị tắc, nước tràn ra đường
> [Tiếp tục]
> [Để lại họ tên]
< Xem đầy đủ: /baomat
> [Tôi đồng ý]
> {CANARY.name}
> {CANARY.phone}
> [Gửi phản ánh]
< Đã gửi phản ánh
> /dulieucuatoi
< Phản ánh đã gửi: 1
< họ tên P. T. C., số điện thoại 0987***321
< thông báo 2026-12-
< Đánh giá sự phục vụ: ẩn danh
<! {CANARY.name}
<! {CANARY.phone}
< [Yêu cầu sửa thông tin]
< [Yêu cầu xóa dữ liệu]
"""

NOTHING_TO_CORRECT_WITHOUT_CONTACT_DETAILS = """
> /dulieucuatoi
> [Yêu cầu sửa thông tin]
< chưa để lại họ tên, số điện thoại
"""

CORRECTING_A_PHONE_ASKS_AGAIN_UNTIL_IT_IS_VALID = f"""
> /phananh
> [Việc khác]
> Cây đổ chắn ngang đường vào bản sau trận mưa đêm qua
> [Tiếp tục]
> [Để lại họ tên]
> [Tôi đồng ý]
> {SECOND.name}
> {CANARY.phone}
> [Gửi phản ánh]
> /suadulieu
< Bạn muốn sửa thông tin nào?
> [Số điện thoại]
< số điện thoại đúng
> 12345
< Số điện thoại chưa đúng
> {SECOND.phone}
< Đã nhận yêu cầu sửa số điện thoại
< Mã yêu cầu: YC-
< Cán bộ xác nhận trước
<! {SECOND.phone}
"""

DELETION_CAN_BE_CALLED_OFF = """
> /dulieucuatoi
> [Yêu cầu xóa dữ liệu]
< Bạn chắc chắn muốn xóa?
> [Không xóa]
< không xóa gì
> /dulieucuatoi
<! Yêu cầu YC-
"""

ASKING_TWICE_FOR_DELETION_IS_ONE_REQUEST = """
> /xoadulieu
> [Đồng ý xóa]
< Đã nhận yêu cầu xóa dữ liệu
< Mã yêu cầu: YC-
> /xoadulieu
> [Đồng ý xóa]
< đã có yêu cầu xóa dữ liệu đang xử lý
> /dulieucuatoi
< (xóa dữ liệu): đã nhận, chờ cán bộ xác nhận
"""

ALL = {
    name: value for name, value in globals().items() if name.isupper() and isinstance(value, str)
}


def request_code(replies: list[Reply]) -> str:
    for reply in reversed(replies):
        found = re.search(r"YC-[0-9A-Z]{6}", reply.text)
        if found:
            return found.group(0)
    raise AssertionError("no request code in the replies")


async def deletion_is_carried_out(resident: ChatDriver, staff: StaffSide) -> str:
    """A resident with a ticket asks for deletion; staff acknowledge, then complete it;
    the resident is told each time, and afterwards the bot holds nothing about them."""
    sent = await run_transcript(
        resident,
        f"""
> /phananh
> [Việc khác]
> Đường ống nước trước {CANARY.address} bị vỡ từ sáng
> [Tiếp tục]
> [Để lại họ tên]
> [Tôi đồng ý]
> {CANARY.name}
> {CANARY.phone}
> [Gửi phản ánh]
< Đã gửi phản ánh
""",
    )
    ticket = ticket_code(sent)
    await staff.group_messages()
    asked = await run_transcript(
        resident,
        """
> /dulieucuatoi
> [Yêu cầu xóa dữ liệu]
> [Đồng ý xóa]
< Đã nhận yêu cầu xóa dữ liệu
""",
    )
    code = request_code(asked)
    alerts = await staff.group_messages()
    alert = "\n".join(r.text for r in alerts)
    assert f"Yêu cầu mới về dữ liệu cá nhân {code}: xóa dữ liệu" in alert
    assert CANARY.name not in alert and CANARY.phone not in alert
    listed = await staff.say("/yeucau")
    assert any(code in r.text and "chưa xác nhận" in r.text for r in listed)
    acked = await staff.say(f"/nhanyc {code}")
    assert any("Đã xác nhận" in r.text for r in acked)
    done = await staff.say(f"/xongyc {code}")
    assert any(f"Đã làm xong {code}" in r.text for r in done), [r.text for r in done]
    await run_transcript(
        resident,
        f"""
> /dulieucuatoi
< Cán bộ đã nhận yêu cầu {code}
< Yêu cầu {code} đã xong: dữ liệu của bạn đã được xóa
< {ticket} (
< họ tên, số điện thoại đã xóa
<! {CANARY.name}
<! 0987***321
""",
    )
    return code
