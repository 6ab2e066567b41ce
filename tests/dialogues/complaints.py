"""Complaint dialogues, shared by every channel's tests.

Single-actor transcripts are strings for tests/dialogue.run_transcript (collected in
``ALL``). Dialogues that need staff in between, a restart, photos or a second resident
are coroutines taking the drivers, so each channel's tests run them with its own
resident driver:

- ``staff_reply_is_relayed(resident, staff)`` and ``resident_follow_up_reaches_staff(...)``
  take a ``StaffSide`` (tests/complaints/drivers.StaffDriver: the Telegram staff group).
- ``restart_midway(resident, restart)`` calls ``restart()`` between the two halves;
  it must return a driver for the same resident on a freshly built runtime.
- ``someone_elses_code_is_refused(alice, bob)`` takes two residents.
- ``photo_and_location(resident)`` needs a ``MediaDriver`` (a channel that carries
  photos and locations; the web chat does not); ``photos_only(resident)`` a
  ``PhotoDriver`` (Zalo Bot carries photos but no locations).

Relayed messages reach the resident with their next message (pull channels) or at
once (push channels); the transcripts only look for them after the resident's next
message, which works for both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.types import Button, Reply
from complaints.codes import find_codes
from tests.dialogue import ChatDriver, run_transcript
from tests.privacy_canaries import CANARY, SECOND

# A name and a phone number that must never show up where they do not belong (staff
# group, logs, default exports); tests/complaints/test_privacy.py searches for them, and
# the log watcher (tests/log_canary.py) checks every log record of the session.
CANARY_NAME = CANARY.name
CANARY_PHONE = CANARY.phone

ANONYMOUS_TICKET = """
> /phananh
< Bạn muốn phản ánh
< [Đường sá, điện, rác]
> [Đường sá, điện, rác]
< Bạn viết nội dung phản ánh
> Đèn đường ở thôn Đông bị hỏng một tuần nay, buổi tối rất tối
< Đã ghi nội dung
< [Tiếp tục]
> [Tiếp tục]
< để lại họ tên và số điện thoại
> [Gửi ẩn danh]
< Bạn xem lại trước khi gửi
< Đèn đường ở thôn Đông
< ẩn danh
> [Gửi phản ánh]
< Đã gửi phản ánh
< Mã của bạn: PA-
< Hạn trả lời dự kiến
< /tracuu PA-
"""

ANONYMOUS_TICKET_BY_TYPING_NUMBERS = """
> phản ánh
< Bạn muốn phản ánh
> #4
< Bạn viết nội dung phản ánh
> Rác ở đầu ngõ 5 không ai thu gom cả tuần, bốc mùi
< [Tiếp tục]
> #1
< để lại họ tên
> #1
< Bạn xem lại trước khi gửi
> #1
< Đã gửi phản ánh
"""

TICKET_WITH_CONTACT = f"""
> /phananh
> [Về thủ tục, hồ sơ]
< Phản ánh này về thủ tục hay hồ sơ nào
> khai sinh
< Bạn viết nội dung phản ánh
> Tôi nộp hồ sơ khai sinh cho con đã quá hẹn 5 ngày mà chưa có kết quả
< Đã ghi nội dung
> [Tiếp tục]
> [Để lại họ tên]
< Bên nhận thông tin: UBND
< Mục đích
< Bạn có quyền xem, sửa, xóa
< [Tôi đồng ý]
> [Tôi đồng ý]
< họ và tên
> {CANARY_NAME}
< Số điện thoại
> {CANARY.phone_forms[1]}
< Bạn xem lại trước khi gửi
< khai sinh
< đuôi 321
<! {CANARY_PHONE}
<! Canary
> [Gửi phản ánh]
< Đã gửi phản ánh
"""

CONTACT_REFUSED_STAYS_ANONYMOUS = """
> /phananh
> [Thái độ cán bộ]
> Cán bộ tiếp nhận hồ sơ quát nạt, bắt tôi đi lại ba lần
> [Tiếp tục]
> [Để lại họ tên]
< [Không, gửi ẩn danh]
> [Không, gửi ẩn danh]
< Bạn xem lại trước khi gửi
< ẩn danh
"""

BAD_NAME_AND_PHONE_ARE_ASKED_AGAIN = f"""
> /phananh
> [Việc khác]
> Loa phát thanh của thôn mở quá to lúc 5 giờ sáng
> [Tiếp tục]
> [Để lại họ tên]
> [Tôi đồng ý]
> 12345
< gõ họ tên bằng chữ
> {SECOND.name}
< Số điện thoại
> 12345
< Số điện thoại chưa đúng
> {SECOND.phone}
< Bạn xem lại trước khi gửi
"""

COMPLAINT_DETECTED_IN_A_QUESTION_KEEPS_THE_TEXT = """
> đường vào thôn Bắc ngập nặng mấy hôm nay không ai xử lý
< Tôi đã ghi lại nội dung bạn viết
> [Đường sá, điện, rác]
< Đã ghi nội dung
> [Tiếp tục]
> [Gửi ẩn danh]
< đường vào thôn Bắc ngập nặng
"""

FORMAL_COMPLAINT_IS_EXPLAINED = """
> /phananh
> [Khiếu nại, tố cáo]
< Luật Khiếu nại
< giữ bí mật
< Bạn viết nội dung phản ánh
"""

TOO_SHORT_A_TEXT_IS_ASKED_AGAIN = """
> /phananh
> [Việc khác]
> hỏng
< viết rõ hơn
> Cầu tràn qua suối bị sạt một bên
< Đã ghi nội dung
"""

EDIT_THE_TEXT_BEFORE_SENDING = """
> /phananh
> [Việc khác]
> Cống thoát nước trước chợ bị tắc
> [Tiếp tục]
> [Gửi ẩn danh]
> [Viết lại nội dung]
< Bạn viết nội dung phản ánh
> Cống thoát nước trước cổng chợ xã bị tắc, nước tràn ra đường
> [Tiếp tục]
> [Gửi ẩn danh]
< trước cổng chợ xã
"""

CANCEL_MIDWAY = """
> /phananh
> [Việc khác]
> Ở chợ xã có người bán hàng lấn chiếm lối đi
< [Tiếp tục]
> /huy
< Đã hủy
> /tracuu
< Bạn chưa gửi phản ánh nào
> khai sinh
<! Đã ghi nội dung
<! Đã thêm vào nội dung
"""

CANCEL_BY_BUTTON = """
> /phananh
< [Hủy]
> [Hủy]
< Đã hủy
"""

STATUS_LOOKUP = """
> /phananh
> [Y tế, trường học]
> Trạm y tế xã không có người trực vào buổi trưa
> [Tiếp tục]
> [Gửi ẩn danh]
> [Gửi phản ánh]
< Đã gửi phản ánh
> /tracuu
< Phản ánh bạn đã gửi
> [PA-]
< Trạng thái: Đã tiếp nhận
< Hạn trả lời dự kiến
< [Gửi thêm ý kiến]
"""

UNKNOWN_CODES_ARE_REFUSED = """
> /tracuu PA-2345AB
< Không tìm thấy phản ánh
> /tracuu không nhớ mã
< Không tìm thấy phản ánh
> PA-ZZZZZZ
< Không tìm thấy phản ánh
"""

ALL = {
    name: value for name, value in globals().items() if name.isupper() and isinstance(value, str)
}
del ALL["CANARY_NAME"], ALL["CANARY_PHONE"]

# --- dialogues with more than one actor ----------------------------------------------------------


class StaffSide(Protocol):
    async def say(self, text: str, *, private: bool = False) -> list[Reply]: ...

    async def press(self, button: Button, *, private: bool = False) -> list[Reply]: ...

    async def group_messages(self) -> list[Reply]: ...


class PhotoDriver(ChatDriver, Protocol):
    async def send_photo(self, file_ref: str, caption: str = "") -> list[Reply]: ...


class MediaDriver(PhotoDriver, Protocol):
    async def send_location(self, latitude: float, longitude: float) -> list[Reply]: ...


def ticket_code(replies: list[Reply]) -> str:
    for reply in reversed(replies):
        found = find_codes(reply.text)
        if found:
            return found[0]
    raise AssertionError("no ticket code in: " + " | ".join(r.text for r in replies))


def _button(replies: list[Reply], label: str) -> Button:
    for reply in reversed(replies):
        for button in reply.buttons:
            if label.lower() in button.label.lower():
                return button
    raise AssertionError(f"no button {label!r} in: " + " | ".join(r.text for r in replies))


def _said(replies: list[Reply], text: str) -> bool:
    return any(text.lower() in r.text.lower() for r in replies)


async def file_anonymous_ticket(resident: ChatDriver) -> str:
    return ticket_code(await run_transcript(resident, ANONYMOUS_TICKET))


async def staff_reply_is_relayed(resident: ChatDriver, staff: StaffSide) -> str:
    code = await file_anonymous_ticket(resident)
    alerts = await staff.group_messages()
    assert _said(alerts, code) and _said(alerts, "Đèn đường ở thôn Đông")
    taken = await staff.press(_button(alerts, "Nhận xử lý"))
    assert _said(taken, "đã nhận xử lý")
    prompt = await staff.press(_button(alerts, "Trả lời"))
    assert _said(prompt, "trả lời (reply) vào tin nhắn này")
    done = await staff.say("Xã đã cử người thay bóng đèn, xong trong thứ Sáu này.")
    assert _said(done, "Đã gửi câu trả lời")
    await run_transcript(
        resident,
        f"""
> /tracuu
< Phản ánh {code} của bạn đã có cán bộ nhận xử lý
< Trả lời phản ánh {code}
< Xã đã cử người thay bóng đèn
< [{code}]
> [{code}]
< Trạng thái: Đã trả lời
< Xã đã cử người thay bóng đèn
""",
    )
    return code


async def resident_follow_up_reaches_staff(resident: ChatDriver, staff: StaffSide) -> str:
    code = await file_anonymous_ticket(resident)
    await staff.group_messages()
    asked = await staff.say(f"/hoithem {code} Đèn hỏng ở cột điện nào, gần nhà ai?")
    assert _said(asked, "Đã gửi câu hỏi")
    await run_transcript(
        resident,
        f"""
> Cột số 12, ngay trước nhà văn hóa thôn Đông
< cần thêm thông tin về phản ánh {code}
< Đèn hỏng ở cột điện nào
< Đã chuyển ý kiến của bạn tới cán bộ
""",
    )
    forwarded = await staff.group_messages()
    assert _said(forwarded, f"Người dân bổ sung cho {code}")
    assert _said(forwarded, "Cột số 12")
    # After an answer the resident can still write back: typing "1" right away picks
    # the answer's first button (what a resident does where choices are a numbered list),
    # and the ticket offers the button later on.
    await staff.say(f"/traloi {code} Đã thay bóng đèn cột số 12.")
    await run_transcript(
        resident,
        f"""
> #1
< Đã thay bóng đèn cột số 12
< Bạn gõ ý kiến gửi cán bộ về phản ánh {code}
> Cảm ơn, đèn đã sáng rồi
< Đã chuyển ý kiến
> /tracuu
> [{code}]
< Đã thay bóng đèn cột số 12
< [Gửi thêm ý kiến]
""",
    )
    assert _said(await staff.group_messages(), "đèn đã sáng rồi")
    return code


RESTART_BEFORE = """
> /phananh
> [Việc khác]
> Cây đổ chắn ngang đường liên thôn sau bão
< [Tiếp tục]
"""

RESTART_AFTER = """
> #1
< để lại họ tên
> [Gửi ẩn danh]
< Cây đổ chắn ngang đường
> [Gửi phản ánh]
< Đã gửi phản ánh
"""


async def restart_midway(
    resident: ChatDriver, restart: Callable[[], Awaitable[ChatDriver]]
) -> None:
    await run_transcript(resident, RESTART_BEFORE)
    again = await restart()
    await run_transcript(again, RESTART_AFTER)


async def someone_elses_code_is_refused(alice: ChatDriver, bob: ChatDriver) -> None:
    code = await file_anonymous_ticket(alice)
    unknown = await run_transcript(bob, "> /tracuu PA-2345AB\n< Không tìm thấy")
    other = await run_transcript(bob, f"> /tracuu {code}\n< Không tìm thấy\n<! Đèn đường")
    assert [r.text for r in other] == [r.text for r in unknown]  # nothing tells them apart
    typed = await run_transcript(bob, f"> {code}\n< Không tìm thấy")
    assert [r.text for r in typed] == [r.text for r in unknown]


PHOTO_AND_LOCATION_START = """
> /phananh
> [Đường sá, điện, rác]
> Ổ gà lớn giữa đường trục xã, xe máy đã bị ngã
< Đã ghi nội dung
"""

PHOTO_REFS = ("photo-ref-1", "photo-ref-2")
LOCATION = (21.853708, 106.761519)


async def _two_photos(resident: PhotoDriver) -> None:
    await run_transcript(resident, PHOTO_AND_LOCATION_START)
    first = await resident.send_photo(PHOTO_REFS[0])
    assert _said(first, "Đã nhận ảnh (1/3)")
    second = await resident.send_photo(PHOTO_REFS[1])
    assert _said(second, "Đã nhận ảnh (2/3)")


async def _send_reviewed(resident: ChatDriver, summary: str) -> str:
    sent = await run_transcript(
        resident,
        f"""
> Tiếp tục
> [Gửi ẩn danh]
< {summary}
> [Gửi phản ánh]
< Đã gửi phản ánh
""",
    )
    return ticket_code(sent)


async def photo_and_location(resident: MediaDriver) -> str:
    await _two_photos(resident)
    located = await resident.send_location(*LOCATION)
    assert _said(located, "Đã nhận vị trí")
    return await _send_reviewed(resident, "Ảnh: 2 · Vị trí: có")


async def photos_only(resident: PhotoDriver) -> str:
    """The same on a channel that carries photos but no locations (Zalo Bot)."""
    await _two_photos(resident)
    return await _send_reviewed(resident, "Ảnh: 2 · Vị trí: không")
