"""What the Zalo OA adapter says to staff (Vietnamese, short)."""

from __future__ import annotations

REFRESH_FAILED = (
    "⚠️ Zalo OA của {commune}: không gia hạn được mã truy cập ({reason}).\n"
    "Mã hiện tại còn dùng được đến {valid_until}; hệ thống sẽ tự thử lại.\n"
    "Nếu lỗi kéo dài, quản trị viên cần chạy lệnh «motcua zalo authorize» để kết nối lại."
)
VALID_UNTIL_UNKNOWN = "(không rõ, có thể đã hết hạn)"

AUTHORIZED_PAGE = (
    "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Zalo OA</title>"
    "<body style='font-family:sans-serif;font-size:1.2em;max-width:40em;margin:2em auto'>"
    "<p>Zalo đã cấp quyền cho ứng dụng.</p>"
    "<p>Sao chép mã sau và dán vào lệnh <code>motcua zalo authorize</code>:</p>"
    "<p><input readonly size='60' value='{code}'></p>"
    "</body></html>"
)
AUTHORIZED_NO_CODE = (
    "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Zalo OA</title>"
    "<body><p>Không có mã cấp quyền. Hãy chạy lại lệnh <code>motcua zalo authorize</code>.</p>"
    "</body></html>"
)
