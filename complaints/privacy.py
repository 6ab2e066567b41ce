"""The privacy notice shown before a resident leaves a name and phone number, and the
masking that keeps those details out of staff groups, logs and default exports.

Law 91/2025/QH15 on personal data protection (from 2026-01-01) and Decree 356/2025/NĐ-CP
ask for a notice naming the controller, purpose, data, retention, rights and a contact,
and for consent that is explicit and recorded (verify the article numbers with the
commune's legal officer). ``NOTICE_VERSION`` names the wording of the templates:
change it whenever the wording changes. A consent record keeps the version of the
commune's rendered notice (privacy.notices), which starts with this one.
"""

from __future__ import annotations

import re
import unicodedata

NOTICE_VERSION = "2026-12"

NOTICE = (
    "Trước khi bạn để lại họ tên và số điện thoại:\n"
    "• Bên nhận thông tin: UBND {commune}.\n"
    "• Mục đích: chỉ để cán bộ liên hệ, trả lời phản ánh này.\n"
    "• Thông tin: họ tên, số điện thoại, nội dung và ảnh bạn gửi.\n"
    "• Lưu giữ: đến khi xử lý xong, sau đó xóa thông tin liên hệ trong {days} ngày.\n"
    "• Bạn có quyền xem, sửa, xóa thông tin này: gõ /dulieucuatoi, hoặc liên hệ {contact}.\n"
    "• Thông tin không hiện trong nhóm cán bộ và không dùng vào việc khác.\n"
    "Xem đầy đủ: /baomat\n"
    "Nếu không đồng ý, bạn vẫn gửi ẩn danh được: cán bộ trả lời bạn qua tin nhắn này."
)


def notice(commune: str, contact: str, retention_days: int) -> str:
    return NOTICE.format(commune=commune, contact=contact, days=retention_days)


# --- phone numbers -----------------------------------------------------------------------

_PHONE_CHARS = re.compile(r"[\s.\-()]")
# A Vietnamese mobile or landline: 0 or +84/84, then 9-10 digits.
_VALID_PHONE = re.compile(r"^(?:\+?84|0)([0-9]{9,10})$")
# Anything in free text that looks like a phone number (8+ digits, maybe spaced/dotted).
_PHONE_IN_TEXT = re.compile(r"(?<!\w)\+?\d(?:[\s.\-]?\d){7,12}(?!\w)")


def normalize_phone(text: str) -> str | None:
    """``0912 345 678``, ``+84912345678`` -> ``0912345678``; None if not a phone number."""
    # Full-width or other script digits (some keyboards) become ASCII; \d would accept
    # them as they are and store a number no one can dial.
    ascii_digits = "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text.strip()
    )
    compact = _PHONE_CHARS.sub("", ascii_digits)
    match = _VALID_PHONE.match(compact)
    return "0" + match.group(1) if match else None


def mask_phone(phone: str | None) -> str:
    """``0912345678`` -> ``0912***678``: enough to recognise one's own number."""
    if not phone:
        return ""
    return phone[:4] + "***" + phone[-3:] if len(phone) >= 8 else "***"


def mask_name(name: str | None) -> str:
    """``Nguyễn Văn An`` -> ``N. V. A.``."""
    if not name:
        return ""
    return " ".join(part[0] + "." for part in name.split())


def redact(text: str, *known: str | None) -> str:
    """Free text with phone-like numbers and the given names/phones blanked out.

    Residents sometimes type their number or name into the complaint itself; staff
    alerts and logs must not carry them.
    """
    result = _PHONE_IN_TEXT.sub("[số điện thoại]", text)
    for value in known:
        if value and len(value.strip()) >= 2:
            result = re.sub(re.escape(value.strip()), "[đã ẩn]", result, flags=re.I)
    return result


def clean_name(text: str) -> str:
    """One space between words, composed (NFC): some phones type "ễ" as "e" plus two
    combining marks, which ``isalpha`` refuses and which would never match an NFC name."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def valid_name(text: str) -> bool:
    name = clean_name(text)
    return (
        2 <= len(name) <= 100
        and any(ch.isalpha() for ch in name)
        and all(
            ch.isalpha() or ch in " .'-" or unicodedata.category(ch).startswith("M") for ch in name
        )
    )
