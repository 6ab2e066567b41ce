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
    "• /baomat: bảo vệ dữ liệu cá nhân · /dulieucuatoi: dữ liệu của bạn\n"
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
ELSEWHERE = (
    "Việc «{topic}» không do xã, phường giải quyết.\n"
    "Bạn liên hệ: {where}.\n"
    "Nếu cần, cán bộ Bộ phận Một cửa vẫn hướng dẫn bạn nộp hồ sơ trực tuyến."
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


# === complaints (phản ánh, kiến nghị) — issue 5; section owned by the complaints feature ===
# Resident side.
PA_START = "Bạn muốn phản ánh, kiến nghị về việc gì? Chọn một mục (hoặc gõ số thứ tự):"
PA_START_WITH_TEXT = "Tôi đã ghi lại nội dung bạn viết. Bạn chọn loại phản ánh (hoặc gõ số thứ tự):"
BTN_PA_MINE = "Phản ánh tôi đã gửi"
BTN_PA_CANCEL = "Hủy"
PA_LEGAL_INFO = (
    "Khiếu nại, tố cáo được giải quyết theo thủ tục riêng của pháp luật (Luật Khiếu nại, "
    "Luật Tố cáo), có thời hạn riêng. Tôi ghi lại nội dung và chuyển cho cán bộ phụ trách; "
    "thông tin người gửi được giữ bí mật, chỉ cán bộ được giao mới xem.\n"
    "Để được giải quyết chính thức, bạn cần gửi đơn có họ tên, địa chỉ, chữ ký hoặc đến "
    "trình bày tại UBND xã; cán bộ sẽ hướng dẫn thêm."
)
PA_ASK_REF = (
    "Phản ánh này về thủ tục hay hồ sơ nào? Gõ mã hồ sơ (in trên giấy biên nhận) "
    "hoặc tên thủ tục.\nKhông nhớ thì bấm «Bỏ qua»."
)
BTN_PA_SKIP = "Bỏ qua"
PA_ASK_TEXT = "Bạn viết nội dung phản ánh: việc gì, ở đâu, khi nào. Viết ngắn gọn cũng được."
PA_TEXT_TOO_SHORT = "Bạn viết rõ hơn một chút nhé (vài câu) để cán bộ hiểu và xử lý được."
PA_ASK_EXTRAS = (
    "Đã ghi nội dung. Bạn có thể gửi thêm:\n"
    "• ảnh (tối đa {photos} ảnh),\n"
    "• vị trí (nếu là việc ở ngoài đường, thôn xóm),\n"
    "• hoặc gõ thêm nội dung.\n"
    "Ảnh và vị trí chỉ dùng để xử lý phản ánh này; thông tin vị trí trong ảnh được xóa.\n"
    "Xong thì bấm «Tiếp tục»."
)
BTN_PA_NEXT = "Tiếp tục"
PA_TEXT_ADDED = "Đã thêm vào nội dung. Xong thì bấm «Tiếp tục»."
PA_PHOTO_ADDED = "Đã nhận ảnh ({count}/{limit})."
PA_PHOTO_LIMIT = "Mỗi phản ánh gửi được tối đa {limit} ảnh, ảnh sau không được nhận."
PA_PHOTO_DAILY_LIMIT = (
    "Hôm nay bạn đã gửi nhiều ảnh nên tôi chưa nhận thêm được. Phần đã có vẫn được gửi."
)
PA_LOCATION_ADDED = "Đã nhận vị trí."
PA_MEDIA_NOT_PHOTO = "Tôi chỉ nhận ảnh chụp (không nhận tệp, ghi âm hay nhãn dán)."
PA_ASK_CONTACT = (
    "Bạn có muốn để lại họ tên và số điện thoại để cán bộ gọi lại không?\n"
    "Nếu gửi ẩn danh, cán bộ vẫn trả lời bạn qua tin nhắn này."
)
PA_ASK_CONTACT_LEGAL = (
    "Với tố cáo, cần có họ tên, địa chỉ để được giải quyết theo luật; thông tin này "
    "được giữ bí mật. Bạn vẫn có thể gửi ẩn danh để cán bộ nắm thông tin."
)
BTN_PA_ANON = "Gửi ẩn danh"
BTN_PA_CONTACT = "Để lại họ tên, số điện thoại"
BTN_PA_AGREE = "Tôi đồng ý"
BTN_PA_DISAGREE = "Không, gửi ẩn danh"
PA_ASK_NAME = "Bạn cho biết họ và tên:"
PA_NAME_INVALID = "Bạn gõ họ tên bằng chữ nhé (ví dụ: Nguyễn Văn An)."
PA_ASK_PHONE = "Số điện thoại của bạn (ví dụ: 0912345678):"
PA_PHONE_INVALID = "Số điện thoại chưa đúng. Bạn gõ lại, ví dụ: 0912345678."
PA_SUMMARY = (
    "Bạn xem lại trước khi gửi:\n"
    "• Loại: {category}\n"
    "{reference}"
    "• Nội dung: {text}\n"
    "• Ảnh: {photos} · Vị trí: {location}\n"
    "• Liên hệ: {contact}\n"
    "Đúng rồi thì bấm «Gửi phản ánh»."
)
PA_SUMMARY_REFERENCE = "• Liên quan: {reference}\n"
PA_NONE = "không"
PA_YES = "có"
PA_CONTACT_ANON = "ẩn danh (cán bộ trả lời qua tin nhắn này)"
PA_CONTACT_GIVEN = "có họ tên và số điện thoại (đuôi {tail})"
BTN_PA_SEND = "Gửi phản ánh"
BTN_PA_EDIT = "Viết lại nội dung"
PA_NEED_BUTTON = "Bạn bấm một nút bên dưới (hoặc gõ số thứ tự) nhé."
PA_SENT = (
    "Đã gửi phản ánh. Mã của bạn: {code}\n"
    "Hạn trả lời dự kiến: {due}.\n"
    "Cán bộ sẽ trả lời bạn qua tin nhắn này. Xem tiến độ: gõ /tracuu {code}"
)
PA_SENT_LEGAL = "Cán bộ phụ trách sẽ liên hệ hướng dẫn bạn theo thủ tục khiếu nại, tố cáo."
PA_TOO_MANY = (
    "Hôm nay bạn đã gửi {count} phản ánh, đủ số lượng trong một ngày. Bạn vui lòng gửi "
    "tiếp vào ngày mai, hoặc liên hệ trực tiếp Bộ phận Một cửa:\n{contact}"
)
# Looking up.
PA_LOOKUP_HOW = "Bạn gõ mã phản ánh, ví dụ: /tracuu PA-7K3M2Q"
PA_NOT_FOUND = (
    "Không tìm thấy phản ánh có mã này trong các phản ánh bạn đã gửi. Bạn kiểm tra lại mã "
    "(ví dụ PA-7K3M2Q).\nNếu gửi từ máy khác và có để lại số điện thoại, gõ kèm số đó: "
    "/tracuu PA-7K3M2Q 0912345678"
)
PA_MINE_EMPTY = "Bạn chưa gửi phản ánh nào từ tài khoản này."
PA_MINE = "Phản ánh bạn đã gửi (bấm để xem):"
PA_STATUS = "Phản ánh {code} ({category}), gửi ngày {created}\nTrạng thái: {status}"
PA_EXPECTED = "Hạn trả lời dự kiến: {due}"
PA_EXPECTED_PAUSED = "Cán bộ đang chờ bạn bổ sung thông tin; hạn trả lời tính tiếp khi bạn bổ sung."
PA_STATUS_NOTES = "Ghi chú: {notes}"
PA_ANSWERS = "Trả lời của cán bộ:"
PA_ANSWER_LINE = "• {date}: {text}"
BTN_PA_FOLLOWUP = "Gửi thêm ý kiến"
BTN_PA_FORGET = "Xóa họ tên, số điện thoại"
PA_FORGOTTEN = (
    "Đã xóa họ tên và số điện thoại khỏi phản ánh {code}. Cán bộ vẫn trả lời bạn qua tin nhắn này."
)
# Follow-ups and what staff send.
PA_FOLLOWUP_ASK = "Bạn gõ ý kiến gửi cán bộ về phản ánh {code} (có thể gửi kèm ảnh):"
PA_FOLLOWUP_SENT = "Đã chuyển ý kiến của bạn tới cán bộ (phản ánh {code})."
PA_FOLLOWUP_CLOSED = "Phản ánh {code} đã kết thúc. Nếu còn vấn đề, bạn gửi phản ánh mới nhé."
BTN_PA_DONE = "Đã rõ, cảm ơn"
PA_FOLLOWUP_DONE = "Cảm ơn bạn! Cần gì bạn cứ nhắn nhé."
PA_RELAY_TAKEN = "Phản ánh {code} của bạn đã có cán bộ nhận xử lý. Hạn trả lời: {due}."
PA_RELAY_REPLY = (
    "📩 Trả lời phản ánh {code} từ UBND {commune}:\n{text}\n\n"
    "Nếu còn ý kiến, bấm «Gửi thêm ý kiến»."
)
PA_RELAY_ASK = (
    "❓ Cán bộ UBND {commune} cần thêm thông tin về phản ánh {code}:\n{text}\n\n"
    "Bạn gõ câu trả lời ngay tại đây (có thể gửi kèm ảnh)."
)
BTN_PA_ANSWER_STAFF = "Trả lời cán bộ"
PA_RELAY_CLOSED = "Phản ánh {code} đã được xử lý xong. Cảm ơn bạn đã phản ánh!"
PA_RELAY_REJECTED = (
    "Phản ánh {code} không được xử lý tiếp. Lý do: {reason}\n"
    "Nếu cần, bạn liên hệ Bộ phận Một cửa:\n{contact}"
)

# Staff side (the staff group and staff members' private chats).
PAS_ALERT = (
    "🆕 Phản ánh mới {code}\n"
    "Loại: {category}\n"
    "{reference}"
    "Nội dung: {summary}\n"
    "{extras}"
    "Hạn trả lời: {due}\n"
    "Người gửi: {who}"
)
PAS_ALERT_NOTIFY = "(Để biết) "
PAS_ALERT_REFERENCE = "Liên quan: {reference}\n"
PAS_ALERT_EXTRAS = "Kèm theo: {extras}\n"
PAS_ALERT_PHOTOS = "{count} ảnh (gửi sau)"
PAS_ALERT_LOCATION = "vị trí {url}"
PAS_WHO_ANON = "ẩn danh (trả lời qua bot)"
PAS_WHO_CONTACT = "có để lại liên hệ: xem bằng /lienhe {code} trong tin nhắn riêng với bot"
PAS_WHO_SURVEY = "từ phiếu đánh giá, muốn được liên hệ"
PAS_ALERT_CONFIDENTIAL = (
    "🆕 {code}: khiếu nại, tố cáo.\n"
    "Nội dung và người gửi chỉ cán bộ được giao mới xem: gõ /xem {code} trong tin nhắn "
    "riêng với bot.\nHạn: {due}"
)
PAS_NO_CONFIDENTIAL_VIEWER = (
    "⚠️ Chưa có cán bộ nào được giao xem khiếu nại, tố cáo. Quản trị cấu hình bằng lệnh "
    "motcua complaints settings --set confidential_viewers=..."
)
BTN_PAS_TAKE = "Nhận xử lý"
BTN_PAS_REPLY = "Trả lời"
BTN_PAS_ASK = "Hỏi thêm"
BTN_PAS_CLOSE = "Đóng"
PAS_TAKEN = "{staff} đã nhận xử lý {code}."
PAS_REPLY_PROMPT = (
    "✍️ {code}: {staff} trả lời (reply) vào tin nhắn này với nội dung gửi người dân.\n"
    "Hoặc gõ: /traloi {code} <nội dung>"
)
PAS_ASK_PROMPT = (
    "❓ {code}: {staff} trả lời (reply) vào tin nhắn này với câu hỏi gửi người dân.\n"
    "Hoặc gõ: /hoithem {code} <câu hỏi>"
)
PAS_REPLIED = "✅ Đã gửi câu trả lời {code} tới người dân."
PAS_ASKED = "✅ Đã gửi câu hỏi {code} tới người dân; hạn xử lý tạm dừng đến khi người dân trả lời."
PAS_NO_CHANNEL = (
    "Phản ánh {code} không gửi qua tin nhắn nên bot không chuyển được; nội dung đã được ghi, "
    "anh/chị liên hệ người dân trực tiếp."
)
PAS_UNREACHABLE = (
    "⚠️ Người dân của {code} hiện không nhận được tin nhắn (đã chặn bot hoặc hết hạn nhắn "
    "lại). Nội dung đã được ghi vào phản ánh."
)
PAS_CLOSED = "Đã đóng {code}."
PAS_REJECTED = "Đã chuyển {code} sang «không xử lý»; người dân được báo lý do."
PAS_ALREADY_CLOSED = "{code} đã kết thúc ({status})."
PAS_FOLLOWUP = "💬 Người dân bổ sung cho {code}:\n{text}"
PAS_FOLLOWUP_PHOTOS = "(kèm {count} ảnh, gửi sau)"
PAS_UNKNOWN_CODE = "Không có phản ánh {code} ở xã này."
PAS_USAGE = "Cú pháp: /{command} PA-XXXXXX {argument}"
PAS_ARG_TEXT = "<nội dung>"
PAS_ARG_REASON = "<lý do>"
PAS_ARG_NONE = ""
PAS_NOT_STAFF = "Lệnh này chỉ dành cho cán bộ được phân quyền."
PAS_CONFIDENTIAL_ONLY = "{code} là khiếu nại, tố cáo: chỉ cán bộ được giao mới xem và xử lý."
PAS_PRIVATE_ONLY = "Thông tin này chỉ xem trong tin nhắn riêng với bot, không xem trong nhóm."
PAS_QUEUE_TITLE = "Phản ánh đang chờ ({count}):"
PAS_QUEUE_EMPTY = "Không có phản ánh nào đang chờ xử lý."
PAS_QUEUE_LINE = "• {code} · {category} · {status} · hạn {due}{mark}"
PAS_MARK_UNTAKEN = " · chưa ai nhận"
PAS_MARK_OVERDUE = " · ⏰ quá hạn"
PAS_MARK_MINE = " · của anh/chị"
PAS_OVERDUE_TITLE = "Phản ánh quá hạn chưa trả lời ({count}):"
PAS_OVERDUE_EMPTY = "Không có phản ánh nào quá hạn."
PAS_DETAIL = (
    "{code} · {category} · {status}\n"
    "Nhận: {created} · Hạn: {due}\n"
    "Cán bộ xử lý: {assignee}\n"
    "{reference}"
    "Nội dung: {text}"
)
PAS_NOBODY = "chưa ai nhận"
PAS_HISTORY_LINE = "• {at} {what}"
PAS_CONTACT = "Liên hệ của {code}: {name}, {phone} (đồng ý theo thông báo {version})."
PAS_NO_CONTACT = "{code} gửi ẩn danh: không có họ tên, số điện thoại. Trả lời qua bot bằng /traloi."
PAS_ACK_REMINDER = "⏰ {code} ({category}) chưa có ai nhận; hạn tiếp nhận {due}."
PAS_REMINDER = "⏰ {code} ({category}) sắp đến hạn trả lời: {due}."
PAS_ESCALATION = (
    "🚨 {code} ({category}) đã quá hạn trả lời ({due}) mà chưa có câu trả lời. "
    "Cán bộ xử lý: {assignee}."
)
PAS_PHOTO = "📷 Ảnh kèm phản ánh {code}"
PAS_UNDELIVERED = (
    "⚠️ Không gửi được tin nhắn về {code} tới người dân. Nếu người dân có để lại số điện "
    "thoại, anh/chị liên hệ trực tiếp (/lienhe {code} trong tin nhắn riêng)."
)
PAS_DAY_SET = "Đã ghi {day} là {kind}{note}."
PAS_DAY_OFF = "ngày nghỉ"
PAS_DAY_WORK = "ngày làm việc (làm bù)"
PAS_DAY_USAGE = (
    "Cú pháp: /ngaynghi 02/01/2026 [ghi chú] (thêm ngày nghỉ) hoặc "
    "/ngaylam 27/12/2025 [ghi chú] (ngày làm bù)."
)
PAS_DAYS_TITLE = "Lịch làm việc năm {year} (ngày lễ theo luật và ngày cán bộ thêm):"
PAS_DAYS_LINE = "• {day}: {what}"
PAS_CANCELLED = "Đã hủy."
PAS_HELP = (
    "Lệnh cho cán bộ:\n"
    "/viec: phản ánh đang chờ · /quahan: phản ánh quá hạn\n"
    "/xem PA-XXXXXX: xem chi tiết · /nhan PA-XXXXXX: nhận xử lý\n"
    "/traloi PA-XXXXXX <nội dung> · /hoithem PA-XXXXXX <câu hỏi>\n"
    "/dong PA-XXXXXX [ghi chú] · /tuchoi PA-XXXXXX <lý do>\n"
    "/lienhe PA-XXXXXX: xem liên hệ (chỉ trong tin nhắn riêng)\n"
    "/ngaynghi, /ngaylam <ngày> [ghi chú] · /lich [năm]\n"
    "/yeucau: yêu cầu sửa, xóa dữ liệu cá nhân (/nhanyc, /xongyc, /tuchoiyc YC-XXXXXX)"
)
# === end of complaints section ===


# === privacy (bảo vệ dữ liệu cá nhân) — issue 8; section owned by the privacy feature ===
BTN_PRIVACY = "Dữ liệu cá nhân của bạn"
PRIVACY_NOTICE = (
    "🔒 Bảo vệ dữ liệu cá nhân khi dùng trợ lý của {commune}\n"
    "• Bên chịu trách nhiệm: UBND {commune}.\n"
    "• Mục đích: trả lời câu hỏi về thủ tục, nhận và trả lời phản ánh, kiến nghị.\n"
    "• Dữ liệu: tên hiển thị và mã tài khoản của bạn, tin nhắn bạn gửi. Họ tên, số "
    "điện thoại, ảnh, vị trí chỉ khi bạn tự nguyện để lại khi gửi phản ánh.\n"
    "• Đánh giá sự phục vụ là ẩn danh, không gắn với tên hay tài khoản của bạn.\n"
    "• Lưu giữ: tin nhắn {message_days} ngày; việc đang làm dở {draft_hours} giờ; câu "
    "hỏi {question_days} ngày (sau đó không còn gắn với bạn); họ tên, số điện thoại "
    "trên phản ánh {contact_days} ngày sau khi xử lý xong.\n"
    "• Không dùng vào việc khác, không chuyển cho bên khác.\n"
    "• Bạn có quyền xem dữ liệu (gõ /dulieucuatoi), yêu cầu sửa hoặc xóa. Cán bộ xác "
    "nhận trong {ack_days} ngày làm việc, làm xong trong {complete_days} ngày.\n"
    "• Liên hệ: {contact}.\n"
    "Phiên bản: {version}"
)
BTN_MY_DATA = "Xem dữ liệu của tôi"
BTN_NOTICE = "Xem thông báo bảo mật"
BTN_FIX = "Yêu cầu sửa thông tin"
BTN_ERASE = "Yêu cầu xóa dữ liệu"
MY_DATA_TITLE = "Dữ liệu UBND {commune} đang lưu về bạn (tài khoản này):"
MY_DATA_ACCOUNT = "• Tài khoản: tên hiển thị «{name}», nhắn lần đầu {first}, gần nhất {last}."
MY_DATA_ACCOUNT_NO_NAME = (
    "• Tài khoản: không có tên hiển thị, nhắn lần đầu {first}, gần nhất {last}."
)
MY_DATA_DRAFT = "• Việc đang làm dở (tự xóa sau {hours} giờ nếu bỏ dở)."
MY_DATA_DRAFT_CONTACT = (
    "• Việc đang làm dở, có họ tên, số điện thoại bạn vừa nhập (tự xóa sau {hours} giờ nếu bỏ dở)."
)
MY_DATA_TICKETS = "• Phản ánh đã gửi: {count}."
MY_DATA_TICKET_ANON = "  – {code} ({date}): ẩn danh"
MY_DATA_TICKET_CONTACT = (
    "  – {code} ({date}): họ tên {name}, số điện thoại {phone}; bạn đồng ý ngày {consent} "
    "(thông báo {version})"
)
MY_DATA_TICKET_ERASED = "  – {code} ({date}): họ tên, số điện thoại đã xóa ngày {erased}"
MY_DATA_PHOTOS = "• Ảnh gửi kèm phản ánh: {count}."
MY_DATA_QUESTIONS = "• Câu hỏi bạn đã gõ: {count} (tự bỏ liên kết với bạn sau {days} ngày)."
MY_DATA_MESSAGES = "• Tin nhắn đã trao đổi còn lưu: {count} (tự xóa sau {days} ngày)."
MY_DATA_INVITATIONS = "• Lời mời đánh giá chờ gửi cho bạn: {count}."
MY_DATA_REQUEST = "• Yêu cầu {code} ({kind}): {status}"
MY_DATA_SURVEYS = (
    "• Đánh giá sự phục vụ: ẩn danh, không gắn với bạn nên không có trong danh sách này."
)
MY_DATA_NOTHING = "Ngoài tin nhắn này, chưa có dữ liệu nào về bạn."
MY_DATA_RIGHTS = "Bạn có thể yêu cầu sửa hoặc xóa. Chỉ bạn xem được danh sách này."
REQUEST_KIND_CORRECT_NAME = "sửa họ tên"
REQUEST_KIND_CORRECT_PHONE = "sửa số điện thoại"
REQUEST_KIND_CORRECT = "sửa thông tin"
REQUEST_KIND_DELETE = "xóa dữ liệu"
REQUEST_STATUS_RECEIVED = "đã nhận, chờ cán bộ xác nhận"
REQUEST_STATUS_ACKNOWLEDGED = "cán bộ đang xử lý, hạn {due}"
REQUEST_STATUS_DONE = "đã xong ngày {date}"
REQUEST_STATUS_REJECTED = "không thực hiện: {reason}"
FIX_NOTHING = (
    "Bạn chưa để lại họ tên, số điện thoại trên phản ánh nào nên không có gì cần sửa.\n"
    "Tên hiển thị lấy từ tài khoản Telegram/Zalo của bạn: bạn đổi ngay trong ứng dụng."
)
FIX_WHICH = "Bạn muốn sửa thông tin nào?"
BTN_FIX_NAME = "Họ tên"
BTN_FIX_PHONE = "Số điện thoại"
BTN_PRIVACY_CANCEL = "Hủy"
FIX_ASK_NAME = "Bạn gõ họ và tên đúng:"
FIX_ASK_PHONE = "Bạn gõ số điện thoại đúng (ví dụ: 0912345678):"
ERASE_CONFIRM = (
    "Nếu xóa:\n"
    "• họ tên, số điện thoại trên các phản ánh của bạn bị xóa;\n"
    "• lịch sử trò chuyện, câu hỏi đã gõ, tin nhắn đã gửi bị xóa;\n"
    "• phản ánh đã xong không còn gắn với tài khoản của bạn.\n"
    "Phản ánh đang xử lý vẫn được trả lời qua tin nhắn này. Bạn chắc chắn muốn xóa?"
)
BTN_ERASE_YES = "Đồng ý xóa"
BTN_ERASE_NO = "Không xóa"
ERASE_KEPT = "Đã giữ nguyên, không xóa gì."
REQUEST_RECEIVED = (
    "Đã nhận yêu cầu {kind}. Mã yêu cầu: {code}\n"
    "Cán bộ xác nhận trước {ack}, làm xong trước {due}. Bạn sẽ được báo qua tin nhắn này."
)
REQUEST_ALREADY = "Bạn đã có yêu cầu {kind} đang xử lý, mã {code} (hạn {due}). Không cần gửi lại."
REQUEST_ACKNOWLEDGED = "Cán bộ đã nhận yêu cầu {code} ({kind}). Hạn làm xong: {due}."
REQUEST_DONE_DELETE = (
    "✅ Yêu cầu {code} đã xong: dữ liệu của bạn đã được xóa. Tin nhắn cũ còn trong hệ "
    "thống nhận tin được tự xóa sau {days} ngày."
)
REQUEST_DONE_CORRECT = "✅ Yêu cầu {code} đã xong: thông tin của bạn đã được sửa."
REQUEST_REJECTED = (
    "Yêu cầu {code} ({kind}) không thực hiện được. Lý do: {reason}\n"
    "Nếu cần, bạn liên hệ Bộ phận Một cửa:\n{contact}"
)
# Staff side.
PVS_NEW = (
    "🔒 Yêu cầu mới về dữ liệu cá nhân {code}: {kind}.\n"
    "Hạn xác nhận: {ack}. Hạn làm xong: {due}.\n"
    "Xác nhận: /nhanyc {code} · Làm xong: /xongyc {code} · Từ chối: /tuchoiyc {code} <lý do>"
)
PVS_ACK_OVERDUE = (
    "⏰ Yêu cầu dữ liệu cá nhân {code} ({kind}) đã quá hạn xác nhận ({ack}). "
    "Xác nhận: /nhanyc {code}"
)
PVS_OVERDUE = (
    "🚨 Yêu cầu dữ liệu cá nhân {code} ({kind}) đã quá hạn làm xong ({due}). "
    "Làm xong: /xongyc {code}"
)
BTN_PVS_ACK = "Xác nhận đã nhận"
BTN_PVS_DONE = "Đã làm xong"
PVS_ACKED = "Đã xác nhận {code}; người dân được báo."
PVS_ALREADY_ACKED = "{code} đã được xác nhận trước đó."
PVS_DONE = "Đã làm xong {code} ({kind}): {outcome}. Người dân được báo."
PVS_REJECTED = "Đã từ chối {code}; người dân được báo lý do."
PVS_SETTLED = "{code} đã kết thúc trước đó."
PVS_UNKNOWN = "Không có yêu cầu {code} ở xã này."
PVS_USAGE = "Cú pháp: /{command} YC-XXXXXX {argument}"
PVS_QUEUE_TITLE = "Yêu cầu về dữ liệu cá nhân đang mở ({count}):"
PVS_QUEUE_LINE = "• {code} · {kind} · {status} · hạn {due}{mark}"
PVS_QUEUE_EMPTY = "Không có yêu cầu nào về dữ liệu cá nhân đang mở."
PVS_MARK_OVERDUE = " · ⏰ quá hạn"
PVS_STATUS_NEW = "chưa xác nhận"
PVS_STATUS_ACKED = "đã xác nhận"
# === end of privacy section ===
