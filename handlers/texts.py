"""Everything the bot says in conversations, in one place for review.

Short, plain Vietnamese for residents, many of them elderly: one idea per line, no
jargon where a plain word exists. Tests assert against these constants. Procedure cards
are worded in knowledge/render.py.
"""

from __future__ import annotations

# --- menu ------------------------------------------------------------------------------
WELCOME = (
    "Xin chào! Tôi là trợ lý của Bộ phận Một cửa {commune}.\n"
    "Bạn cứ gõ câu hỏi về thủ tục, ví dụ: «làm giấy khai sinh cần gì», "
    "«phí đăng ký kết hôn», «đăng ký tạm trú ở đâu».\n"
    "Hoặc chọn một mục bên dưới."
)
MENU_PROMPT = "Bạn cần gì? Gõ câu hỏi hoặc chọn một mục bên dưới."
BTN_ASK = "Hỏi về thủ tục"
BTN_BROWSE = "Xem thủ tục theo lĩnh vực"
BTN_INFO = "Địa chỉ, giờ làm việc"
BTN_FEEDBACK = "Phản ánh, kiến nghị"
BTN_RATE = "Đánh giá sự phục vụ"
BTN_MENU = "Về menu chính"
BTN_CONTACT = "Liên hệ Bộ phận Một cửa"

ASK_PROMPT = (
    "Bạn gõ tên thủ tục hoặc việc cần làm, càng ngắn càng tốt. Ví dụ:\n"
    "• khai sinh\n• đăng ký tạm trú\n• làm căn cước cho con\n• xin giấy xác nhận độc thân"
)
HELP = (
    "Cách dùng:\n"
    "• Gõ câu hỏi về thủ tục, có dấu hay không dấu đều được.\n"
    "• Bấm nút (hoặc gõ số thứ tự của nút) để chọn.\n"
    "• /thutuc: hỏi hoặc xem thủ tục\n"
    "• /phananh: gửi phản ánh, kiến nghị\n"
    "• /danhgia: đánh giá sự phục vụ\n"
    "• /tracuu: tra cứu phản ánh đã gửi\n"
    "• /huy: hủy việc đang làm, quay về đầu"
)
CANCELLED = "Đã hủy. Bạn cần hỏi gì cứ gõ, hoặc chọn một mục bên dưới."
NOTHING_TO_CANCEL = "Không có việc gì đang làm dở. Bạn cần hỏi gì cứ gõ nhé."
EXPIRED = "Phần trò chuyện trước đã quá lâu nên tôi bắt đầu lại từ đầu."

# --- one-stop shop info ----------------------------------------------------------------
INFO_TITLE = "Bộ phận Một cửa {commune}"
INFO_ADDRESS = "Địa chỉ: {address}"
INFO_HOURS = "Giờ làm việc: {hours}"
INFO_PHONE = "Điện thoại: {phone}"
INFO_EMAIL = "Thư điện tử: {email}"
INFO_NO_ADDRESS = "Địa chỉ: tại trụ sở UBND {commune}"
INFO_NO_PHONE = "Số điện thoại chưa được cập nhật trên hệ thống."
INFO_ANYWHERE = "Hồ sơ được nhận ở bất kỳ xã, phường nào trong tỉnh, không phụ thuộc nơi cư trú."
BTN_MAP = "Xem bản đồ"

# --- small talk ------------------------------------------------------------------------
THANKS = "Không có gì ạ. Bạn cần hỏi thêm gì cứ gõ nhé!"
GOODBYE = "Chào bạn, chúc bạn một ngày tốt lành!"
HUMAN = (
    "Bạn muốn gặp cán bộ? Bạn có thể gọi hoặc đến Bộ phận Một cửa:\n{contact}\n"
    "Hoặc gửi phản ánh, kiến nghị tại đây: cán bộ sẽ trả lời bạn qua tin nhắn này."
)
SMALLTALK = (
    "Tôi là trợ lý tự động, chỉ trả lời được về thủ tục hành chính của xã. "
    "Bạn cần hỏi thủ tục nào cứ gõ nhé."
)
UNSUPPORTED_MEDIA = "Tôi chưa đọc được ảnh hay nhãn dán. Bạn vui lòng gõ câu hỏi bằng chữ nhé."

# --- procedures ------------------------------------------------------------------------
CLARIFY = "Bạn muốn hỏi thủ tục nào? Bấm để chọn (hoặc gõ số thứ tự):"
BTN_NONE_OF_THESE = "Không phải các thủ tục này"
NOT_FOUND = (
    "Xin lỗi, tôi chưa tìm thấy thủ tục phù hợp với câu hỏi của bạn.\n"
    "• Bạn thử gõ ngắn gọn tên thủ tục, ví dụ: «khai sinh», «tạm trú», «sổ đỏ».\n"
    "• Một số việc không do xã giải quyết (như cấp hộ chiếu, giấy phép lái xe, "
    "sang tên sổ đỏ, đăng ký doanh nghiệp).\n"
    "• Hoặc xem danh sách theo lĩnh vực, hay hỏi trực tiếp Bộ phận Một cửa."
)
NOT_FOUND_RECORDED = "Câu hỏi của bạn đã được ghi lại để cán bộ bổ sung câu trả lời."
NONE_OF_THESE = (
    "Xin lỗi vì chưa hiểu đúng ý bạn. Bạn thử gõ lại ngắn gọn tên thủ tục, "
    "hoặc xem danh sách theo lĩnh vực."
)
UNKNOWN_PROCEDURE = "Thủ tục này không còn trong danh sách của xã. Bạn vui lòng hỏi lại nhé."
BTN_DOCUMENTS = "Giấy tờ cần nộp"
BTN_FEES = "Lệ phí, thời gian"
BTN_PLACE = "Nộp ở đâu, trực tuyến"
BTN_STEPS = "Các bước làm"
BTN_LEGAL = "Căn cứ pháp lý"
BTN_CHECKLIST = "Kiểm tra giấy tờ đã đủ chưa"
BTN_ONLINE = "Mở trang nộp trực tuyến"
BTN_RELATED = "Có phải: {name}"

# --- browsing --------------------------------------------------------------------------
FIELDS = "Chọn lĩnh vực (trang {page}/{pages}):"
FIELD_PROCEDURES = "Thủ tục thuộc «{field}» (trang {page}/{pages}):"
BTN_NEXT = "Trang sau »"
BTN_PREV = "« Trang trước"
BTN_FIELDS = "Chọn lĩnh vực khác"
EMPTY_CATALOGUE = "Danh sách thủ tục của xã đang được cập nhật. Bạn vui lòng quay lại sau."

# --- documents checklist ---------------------------------------------------------------
CHECKLIST = (
    "Bạn có những giấy tờ nào rồi? Bấm vào từng giấy tờ bạn đã có "
    "(bấm lại để bỏ chọn), xong thì bấm «Xem còn thiếu gì»."
)
CHECK_ON = "✅ "
CHECK_OFF = "⬜ "
BTN_CHECK_DONE = "Xem còn thiếu gì"
BTN_BACK_TO_CARD = "Xem lại thủ tục"

# --- entries filled by later features ---------------------------------------------------
FEEDBACK_BY_PHONE = "Để phản ánh, kiến nghị, bạn vui lòng liên hệ Bộ phận Một cửa:\n{contact}"
RATE_AT_COUNTER = (
    "Cảm ơn bạn! Để đánh giá, bạn quét mã QR trên phiếu hẹn hoặc gõ mã đánh giá "
    "in trên phiếu (ví dụ: DG-7K3M2Q)."
)

# --- satisfaction surveys (handlers/surveys.py, surveys/) ---------------------------------
SURVEY_INTRO = (
    "Cảm ơn bạn đã đến {office}. Mời bạn đánh giá sự phục vụ: {count} câu, chỉ cần bấm "
    "(hoặc gõ số từ 1 đến 5).\n"
    "Ý kiến của bạn được giữ kín, không gắn với tên hay tài khoản của bạn."
)
SURVEY_RESUME = "Bạn đang đánh giá dở. Mời bạn trả lời tiếp từ câu {number}."
SURVEY_QUESTION = "Câu {number}/{count}. {text}\n(1 = {lowest}, 5 = {highest})"
SURVEY_PLEASE_PICK = (
    "Bạn vui lòng chọn một mức từ 1 đến 5 (bấm nút hoặc gõ số).\n"
    "Muốn dừng thì gõ /huy; bạn có thể đánh giá tiếp sau bằng mã trên phiếu."
)
SURVEY_COMMENT = "Bạn có góp ý gì thêm không? Gõ góp ý của bạn, hoặc bấm «Không có góp ý»."
BTN_SURVEY_NO_COMMENT = "Không có góp ý"
SURVEY_CONTACT = (
    "Rất tiếc vì bạn chưa hài lòng. Bạn có muốn cán bộ liên hệ lại để giải quyết không?\n"
    "Nếu đồng ý, ý kiến của bạn được chuyển thành phản ánh và cán bộ sẽ trả lời bạn qua "
    "tin nhắn này. Khi đó cán bộ biết phản ánh là của bạn."
)
BTN_SURVEY_CONTACT_YES = "Có, liên hệ với tôi"
BTN_SURVEY_CONTACT_NO = "Không, cảm ơn"
SURVEY_THANKS = "Cảm ơn bạn đã đánh giá! Ý kiến của bạn giúp xã phục vụ người dân tốt hơn."
SURVEY_TICKET_OPENED = (
    "Ý kiến của bạn đã được chuyển thành phản ánh, mã {code}. "
    "Cán bộ sẽ trả lời bạn qua tin nhắn này."
)
SURVEY_TICKET_UNAVAILABLE = (
    "Hiện chưa chuyển được ý kiến thành phản ánh. Bạn vui lòng liên hệ Bộ phận Một cửa:\n{contact}"
)
SURVEY_LOW_TICKET_TEXT = "Người dân chấm điểm thấp sau khi làm thủ tục{procedure}: {scores}."
SURVEY_LOW_TICKET_COMMENT = "Góp ý: {comment}"
SURVEY_ASK_CODE = (
    "Để đánh giá, bạn quét mã QR trên phiếu hẹn hoặc phiếu trả kết quả, "
    "hoặc gõ mã đánh giá in trên phiếu (ví dụ: DG-7K3M-2Q9X).\n"
    "Không có phiếu? Bạn quét mã QR dán tại quầy tiếp nhận."
)
SURVEY_CODE_UNKNOWN = (
    "Mã đánh giá này không đúng. Bạn kiểm tra lại mã in trên phiếu "
    "(dạng DG-XXXX-XXXX) và gõ lại nhé."
)
SURVEY_USED = (
    "Phiếu đánh giá này đã được dùng rồi. Mỗi phiếu chỉ đánh giá được một lần. "
    "Cảm ơn bạn đã quan tâm!"
)
SURVEY_EXPIRED = (
    "Phiếu đánh giá này đã hết hạn. Cảm ơn bạn đã quan tâm! "
    "Lần sau bạn đánh giá sớm hơn giúp xã nhé."
)
SURVEY_STAFF = (
    "Cán bộ không đánh giá được lượt phục vụ của Bộ phận Một cửa. Cảm ơn anh/chị đã kiểm tra phiếu!"
)
SURVEY_UNAVAILABLE = "Chức năng đánh giá đang tạm dừng. Bạn vui lòng thử lại sau."
SURVEY_INVITE = (
    "Cảm ơn bạn đã đến {office}. Bạn dành 1 phút đánh giá sự phục vụ nhé? "
    "({count} câu, chỉ cần bấm; ý kiến được giữ kín.)\n"
    "Hoặc gõ mã đánh giá: {code}"
)
SURVEY_REMINDER = (
    "Nhắc lại: bạn chưa đánh giá lượt làm thủ tục tại {office}. "
    "Phiếu còn hạn đến {until}. Mã đánh giá: {code}"
)
BTN_SURVEY_START = "Bắt đầu đánh giá"

# Staff command /ghinhan: record a visit and get the invitation for the receipt.
STAFF_VISIT_USAGE = (
    "Cách ghi nhận lượt phục vụ:\n"
    "/ghinhan <mã thủ tục> [hs=<mã hồ sơ>] [quay=<quầy>] [tructuyen]\n"
    "Ví dụ: /ghinhan 1.001193 hs=H12.34-250101-0001 quay=2"
)
STAFF_VISIT_RECORDED = (
    "Đã ghi nhận lượt phục vụ{procedure}.\n"
    "Mã đánh giá cho người dân: {code} (hạn đến {until})\n"
    "{link}"
)
STAFF_VISIT_ALREADY = "Lượt phục vụ này đã được ghi nhận trước đó."
STAFF_VISIT_UNKNOWN_PROCEDURE = (
    "Không có thủ tục mã {code} trong danh sách của xã; vẫn ghi nhận, lĩnh vực để trống."
)
STAFF_ONLY = "Lệnh này chỉ dành cho cán bộ Bộ phận Một cửa."
