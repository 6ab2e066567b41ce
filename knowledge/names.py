"""Short forms of official procedure names, the way residents would say them.

Official names are long: "Thủ tục cấp giấy phép xây dựng sửa chữa, cải tạo đối với công
trình cấp III, cấp IV (công trình Không theo tuyến/...) và nhà ở riêng lẻ". A resident
says "xin phép sửa nhà". Most procedures the commune imports from the national portal
have no plain name or aliases written for them, so the matcher derives shorter forms of
the official name at index time:

- boilerplate removed: "Thủ tục", where it is done ("thực hiện tại cấp xã", "(cấp xã)"),
  who decides ("thuộc thẩm quyền của Chủ tịch UBND cấp xã", "do Chủ tịch UBND cấp tỉnh
  phân cấp cho ..."), and notes in parentheses;
- names that join several procedures split into their clauses (";" or "/ Cấp ...");
- the head of a name, before the qualifier that says whom or what it is for ("đối với",
  "trong trường hợp", "trong phạm vi"): "cấp giấy phép xây dựng sửa chữa, cải tạo".

Each form carries a factor for how far it may stand for the whole procedure: a head
leaves out a condition the full name states, so a message that covers only the head
covers the procedure less than one that covers a whole name or alias.
"""

from __future__ import annotations

import re

__all__ = ["HEAD_FACTOR", "name_forms", "short_title"]

HEAD_FACTOR = 0.85  # coverage credit of a head form (a qualifier is left out)

_PREFIX_RE = re.compile(r"^\s*thủ tục\s+", re.IGNORECASE)
_PARENS_RE = re.compile(r"\s*\([^()]*\)")
# Where and by whom: says nothing a resident would say.
_BOILERPLATE_RE = re.compile(
    r"\s*(?:,\s*)?(?:"
    r"thực hiện tại cấp (?:trung ương|tỉnh|huyện|xã)(?:,? (?:cấp )?(?:trung ương|tỉnh|huyện|xã))*"
    r"|thuộc thẩm quyền(?: giải quyết)? của [^;,]*"
    r"|do (?:chủ tịch )?(?:ủy ban nhân dân|ubnd)[^;]*"
    r"|do bộ quốc phòng giải quyết"
    r"|(?:thực hiện )?bằng dịch vụ công(?: trực tuyến)?(?: một phần hoặc trực tiếp| toàn trình)"
    r")",
    re.IGNORECASE,
)
# The qualifier that narrows a procedure to some applicants or cases.
_QUALIFIER_RE = re.compile(
    r"\s+(?:đối với|trong trường hợp|trường hợp|trong phạm vi|theo quy định|theo quyết định"
    r"|do bị)\s",
    re.IGNORECASE,
)
_MIN_HEAD_WORDS = 5
_FEDERATION_RE = re.compile(r"(hợp tác xã),? liên hiệp hợp tác xã", re.IGNORECASE)
# A clause names a procedure of its own only when it starts with an action ("đăng ký
# chuyển đổi tổ hợp tác ..."); other clauses continue a list ("cơ quan, tổ chức có thẩm
# quyền của nước ngoài") and are left inside the full name.
_ACTION_TEXT = """
    đăng ký, cấp, giải quyết, giải thể, xác nhận, công nhận, công bố, thông báo, thực hiện,
    phê duyệt, chứng thực, chuyển, thu hồi, hỗ trợ, giao, sửa, thanh toán, điều chỉnh, gia
    hạn, xóa, trình báo, ghi, tạm ngừng, đề nghị, báo, thay đổi, chấm dứt, quyết định, nhập,
    xuất, tuyển, nộp, chấp thuận, cho thuê, cho phép, liên thông, tham vấn, trả, kiểm tra,
    khai, đổi, tách, hủy, thuê, bán, tặng, đính chính, hiệu đính, dừng, tiếp tục, cập nhật,
    bổ sung, miễn, giảm, hoàn, thẩm định, xét, lựa chọn, thu thập, tích hợp, sử dụng, kê
    khai, khấu trừ
    """
_ACTIONS = tuple(" ".join(a.split()) for a in _ACTION_TEXT.split(","))


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    return text.strip(" ,.;:-/")


def _starts_with_action(clause: str) -> bool:
    text = " ".join(clause.lower().split()) + " "
    return any(text.startswith(a + " ") for a in _ACTIONS)


def _shared_prefix(first: str, continuation: str) -> str:
    """The words of ``first`` before the noun ``continuation`` starts with, if any.

    "Công nhận hộ nghèo, hộ cận nghèo" and "hộ thoát nghèo ..." share "Công nhận ".
    """
    words = [w.lower().strip(",") for w in first.split()]
    for n in (2, 1):
        lead = [w.lower().strip(",") for w in continuation.split()[:n]]
        for i in range(1, len(words) - len(lead) + 1):
            if words[i : i + len(lead)] != lead:
                continue
            prefix = " ".join(first.split()[:i]) + " "
            # One shared word is enough only right after the action ("Công nhận hộ ...").
            if n == 2 or (i <= 3 and _starts_with_action(prefix)):
                return prefix
            break
    return ""


def name_forms(name: str) -> list[tuple[str, float]]:
    """Shorter forms of an official name, each with its coverage factor (see module doc).

    The name itself is not included; a form equal to it or to another form is dropped.
    """
    base = _tidy(_PREFIX_RE.sub("", name))
    seen = {base.lower()}
    out: list[tuple[str, float]] = []

    def add(text: str, factor: float) -> None:
        text = _tidy(text)
        key = text.lower()
        if len(text.split()) >= 2 and key not in seen:
            seen.add(key)
            out.append((text, factor))

    plain = _tidy(_BOILERPLATE_RE.sub("", _PARENS_RE.sub("", base)))
    # "hợp tác xã, liên hiệp hợp tác xã": the federation adds nothing a resident says.
    plain = _FEDERATION_RE.sub(r"\1", plain)
    add(plain, 1.0)
    clauses: list[str] = []
    for part in re.split(r"(;|(?<!\d)/\s*(?=[A-ZĐ]))", plain):
        part = part.strip()
        if part in (";", "/", ""):
            continue
        if clauses and not _starts_with_action(part):
            # A continuation of the list in the first clause: "Cấp lại Giấy chứng nhận
            # đăng ký tổ hợp tác/ Giấy chứng nhận đăng ký hợp tác xã" also reads "Cấp lại
            # Giấy chứng nhận đăng ký hợp tác xã".
            shared = _shared_prefix(clauses[0], part)
            clauses.append(shared + part if shared else clauses.pop() + "; " + part)
        else:
            clauses.append(part)
    if len(clauses) > 1:
        for clause in clauses:
            add(clause, 1.0)
    for clause in clauses:
        m = _QUALIFIER_RE.search(clause)
        if m is not None and len(clause[: m.start()].split()) >= _MIN_HEAD_WORDS:
            add(clause[: m.start()], HEAD_FACTOR)
    return out


def short_title(name: str, limit: int = 90) -> str:
    """The official name without boilerplate, short enough for a button or a heading.

    Used where no plain name was written: "Thủ tục đăng ký khai sinh (thực hiện tại cấp
    xã)" reads "Đăng ký khai sinh"; what is still too long is cut at a word with "…".
    """
    text = _tidy(_BOILERPLATE_RE.sub("", _PARENS_RE.sub("", _PREFIX_RE.sub("", name)))) or name
    text = text[:1].upper() + text[1:]
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
