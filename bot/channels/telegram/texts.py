"""What residents and staff read from the Telegram adapter itself (Vietnamese)."""

from __future__ import annotations

# Reply keyboard buttons that share data only when the resident presses them.
SHARE_PHONE = "📱 Gửi số điện thoại của tôi"
SHARE_LOCATION = "📍 Gửi vị trí hiện tại"
# Leads the inline buttons when they must go in a message of their own.
CHOOSE = "Hoặc chọn một mục:"

# The command menu (setMyCommands). Descriptions: 1-256 characters.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Bắt đầu, xem menu chính"),
    ("thutuc", "Hỏi về thủ tục hành chính"),
    ("phananh", "Gửi phản ánh, kiến nghị"),
    ("danhgia", "Đánh giá sự phục vụ"),
    ("tracuu", "Tra cứu phản ánh đã gửi"),
    ("huy", "Hủy việc đang làm"),
    ("trogiup", "Hướng dẫn sử dụng"),
)

# One bot serving several communes asks which one the resident means.
CHOOSE_COMMUNE = "Bạn cần hỏi về xã, phường nào? Bấm để chọn:"
