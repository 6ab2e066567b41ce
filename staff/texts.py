"""Vietnamese texts of the staff web that are not in templates: short messages after an
action, errors, and what residents receive when staff link their question."""

from __future__ import annotations

FORBIDDEN = "Bạn không có quyền xem trang này hoặc làm thao tác này."
NOT_FOUND = "Không tìm thấy trang hoặc dữ liệu bạn cần."
CSRF_FAILED = "Phiên làm việc không hợp lệ hoặc đã hết hạn. Bạn tải lại trang rồi thử lại."
TOO_LARGE = "Tệp quá lớn."

LOGIN_INVALID = "Sai tên đăng nhập hoặc mật khẩu."
LOGIN_THROTTLED = "Đăng nhập sai quá nhiều lần. Bạn đợi 15 phút rồi thử lại."
TOTP_INVALID = "Mã xác thực không đúng hoặc đã dùng. Bạn thử mã mới."

FLASH = {
    "saved": "Đã lưu.",
    "replied": "Đã gửi trả lời tới người dân.",
    "asked": "Đã gửi câu hỏi tới người dân.",
    "taken": "Bạn đã nhận xử lý phản ánh.",
    "assigned": "Đã giao phản ánh.",
    "closed": "Đã đóng phản ánh.",
    "rejected": "Đã ghi nhận không xử lý.",
    "imported": "Đã nhập danh mục.",
    "linked": "Đã gắn câu hỏi vào thủ tục.",
    "created": "Đã tạo.",
    "password": "Đã đổi mật khẩu.",
    "totp": "Đã bật xác thực hai lớp.",
    "totp_reset": "Đã tắt xác thực hai lớp của tài khoản.",
    "logged_out": "Bạn đã đăng xuất.",
}
FLASH_ERRORS = {
    "closed": "Phản ánh đã kết thúc, không thao tác được nữa.",
    "empty": "Bạn chưa nhập nội dung.",
    "unreachable": "Không gửi được tới người dân lúc này (họ đã chặn hoặc hết thời hạn nhắn).",
    "no_channel": "Phản ánh này không có kênh chat để gửi trả lời.",
    "invalid": "Dữ liệu chưa hợp lệ.",
    "expired": "Bản xem trước đã hết hạn, bạn tải tệp lên lại.",
}

# To the resident when staff link their unanswered question to a procedure.
LINKED_ANSWER = (
    "Về câu hỏi «{question}» bạn gửi trước đây, cán bộ {commune} đã tìm được thủ tục phù hợp:"
)
