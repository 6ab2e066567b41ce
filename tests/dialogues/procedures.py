"""Resident-side transcripts about procedures, shared by every channel's tests.

Each is a string for tests/dialogue.run_transcript. They rely only on the shipped
catalogue, so they run the same on the web chat, Telegram and both Zalo adapters.
"""

ASK_DOCUMENTS_WITHOUT_DIACRITICS = """
> lam giay khai sinh can gi
< Giấy tờ cho thủ tục
< Tờ khai đăng ký khai sinh
< Giấy chứng sinh
< 1.001193
< [Lệ phí, thời gian]
"""

FEE_QUESTION_ANSWERS_THE_FEE_FIRST = """
> phí đăng ký khai sinh bao nhiêu
< Lệ phí
< Miễn phí
"""

CARD_THEN_SECTIONS_BY_BUTTON = """
> đăng ký kết hôn
< 1.000894
< [Giấy tờ cần nộp]
> [Giấy tờ cần nộp]
< Cần nộp
> [Nộp ở đâu]
< Nơi nộp
> [Căn cứ pháp lý]
< Căn cứ pháp lý
"""

FOLLOW_UP_ASPECT_REFERS_TO_THE_PROCEDURE_ON_SCREEN = """
> đăng ký khai tử cho bố tôi
< 1.000656
> con lệ phí thi sao
< Lệ phí
< khai tử
"""

TYPED_NUMBER_PICKS_A_BUTTON = """
> đăng ký tạm trú
< 1.004194
> #1
< Giấy tờ cho thủ tục
"""

CHECKLIST_LISTS_WHAT_IS_MISSING = """
> làm giấy khai sinh cho con
> [Kiểm tra giấy tờ]
< Bạn có những giấy tờ nào rồi
> [Tờ khai đăng ký khai sinh]
< [✅ Tờ khai đăng ký khai sinh]
> [Xem còn thiếu gì]
< Bạn còn thiếu
< Giấy chứng sinh
<! ⬜
"""

A_BARE_KEYWORD_ASKS_WHICH_ONE_THEN_ANSWERS = """
> khai sinh
< Bạn muốn hỏi thủ tục nào
< [Làm giấy khai sinh cho con]
> #1
< 1.001193
< [Giấy tờ cần nộp]
"""

ANOTHER_AGENCY_IS_NAMED = """
> làm hộ chiếu ở đâu vậy
< không do xã, phường giải quyết
< Xuất nhập cảnh
"""

NOT_FOUND_OFFERS_A_WAY_ON = """
> cho em hỏi thủ tục nuôi chim cảnh ở sao hỏa
< chưa tìm thấy thủ tục phù hợp
< [Xem thủ tục theo lĩnh vực]
< [Phản ánh, kiến nghị]
"""

BROWSE_BY_FIELD = """
> /start
< Xin chào
> [Xem thủ tục theo lĩnh vực]
< Chọn lĩnh vực
> [Hộ tịch]
< Thủ tục thuộc «Hộ tịch
> [Làm giấy khai sinh cho con]
< 1.001193
"""

CANCEL_FROM_ANYWHERE = """
> làm giấy khai sinh cho con
> [Kiểm tra giấy tờ]
> /huy
< Đã hủy
> /huy
< Không có việc gì đang làm dở
"""

ONE_STOP_SHOP_INFO = """
> /start
> [Địa chỉ, giờ làm việc]
< Giờ làm việc
< Điện thoại
< không phụ thuộc nơi cư trú
"""

GREETING_AND_THANKS = """
> chào bạn
< Xin chào
> cảm ơn nhiều nhé
< Không có gì
"""

ALL = {
    name: value for name, value in globals().items() if name.isupper() and isinstance(value, str)
}
