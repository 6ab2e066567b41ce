"""Transcripts about the conversation itself (menu, choices, escapes), shared by every
channel's tests: one transcript, every channel.

Each is a string for tests/dialogue.run_transcript. Add new ones at the end; other
channels' tests pick them up through ``ALL``. Procedure dialogues live in
tests/dialogues/procedures.py.
"""

WELCOME_OFFERS_THE_MENU = """
> /start
< Xin chào
< [Hỏi về thủ tục]
< [Xem thủ tục theo lĩnh vực]
< [Địa chỉ, giờ làm việc]
< [Phản ánh, kiến nghị]
< [Đánh giá sự phục vụ]
"""

CHOOSE_A_MENU_OPTION_BY_TYPING_ITS_NUMBER = """
> /start
< [Địa chỉ, giờ làm việc]
> #3
< Giờ làm việc
< Điện thoại
"""

CHOOSE_A_MENU_OPTION_BY_TYPING_ITS_WORDS = """
> /start
> dia chi, gio lam viec
< Giờ làm việc
"""

PRESS_A_CHOICE_THEN_GO_BACK_TO_THE_MENU = """
> /start
> [Hỏi về thủ tục]
< Bạn gõ tên thủ tục
< [Về menu chính]
> [Về menu chính]
< Xin chào
< [Hỏi về thủ tục]
"""

A_NUMBER_AFTER_THE_LIST_IS_GONE_IS_JUST_TEXT = """
> /start
> #3
< Giờ làm việc
> #9
<! Giờ làm việc
"""

CANCEL_WITH_NOTHING_GOING_ON = """
> /huy
< Không có việc gì đang làm dở
"""

ALL = {
    name: value for name, value in globals().items() if name.isupper() and isinstance(value, str)
}
