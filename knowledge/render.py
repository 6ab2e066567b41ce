"""A procedure as short, plain Vietnamese text for residents.

The first screen answers the question in a few lines; details (documents, fees and
times, where and online, steps, legal basis) are separate sections the resident opens
with a button. Pure functions of a ``Procedure``: no channel, markup or database here, so
the same text serves Telegram, Zalo and the web chat, and tests can read it.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.models import Channel, Document, Procedure, Way
from knowledge.normalize import fold

SECTION_DOCUMENTS = "documents"
SECTION_FEE = "fee"
SECTION_TIME = "time"
SECTION_PLACE = "place"
SECTION_ONLINE = "online"
SECTION_STEPS = "steps"
SECTION_LEGAL = "legal"

CHANNEL_NAMES = {
    Channel.IN_PERSON: "Nộp trực tiếp",
    Channel.ONLINE: "Nộp trực tuyến",
    Channel.POST: "Gửi qua bưu điện",
}
NATIONAL_PORTAL = "https://dichvucong.gov.vn"
MAX_NOTE = 220  # characters of a document's note shown in a list


def title(p: Procedure) -> str:
    return f"{p.display_name} (mã {p.code})"


def fee_summary(p: Procedure) -> str:
    """One line about money: free, one amount, or per way when they differ."""
    fees = _distinct(w.fee for w in p.ways)
    if not fees:
        return "Chưa có thông tin về lệ phí"
    if all(w.fee_vnd == 0 for w in p.ways if w.fee):
        return fees[0] if len(fees) == 1 else "Miễn phí"
    if len(fees) == 1:
        return fees[0]
    return "; ".join(f"{CHANNEL_NAMES[w.channel].lower()}: {w.fee}" for w in p.ways if w.fee)


def time_summary(p: Procedure) -> str:
    times = _distinct(w.time for w in p.ways)
    if not times:
        return "Chưa có thông tin về thời gian giải quyết"
    if len(times) == 1:
        return times[0]
    return "; ".join(f"{CHANNEL_NAMES[w.channel].lower()}: {w.time}" for w in p.ways if w.time)


def online_summary(p: Procedure) -> str:
    if p.online:
        return "Có, nộp được trên Cổng dịch vụ công hoặc ứng dụng VNeID"
    return "Chưa nộp trực tuyến được, cần nộp trực tiếp" + (
        " hoặc qua bưu điện" if p.way(Channel.POST) else ""
    )


def card(p: Procedure, aspect: str | None = None, *, office: str | None = None) -> str:
    """The first screen. When the resident asked about one aspect, that comes first."""
    lines: list[str] = []
    if aspect in (SECTION_DOCUMENTS, SECTION_FEE, SECTION_TIME, SECTION_PLACE, SECTION_ONLINE):
        lines.append(section(p, aspect, office=office))
        lines.append("")
        lines.append(f"Thủ tục: {title(p)}")
        lines.append("Bấm các nút bên dưới để xem thêm.")
        return "\n".join(lines)
    lines.append(title(p))
    if p.summary:
        lines.append(p.summary)
    lines.append("")
    if p.documents:
        lines.append(f"• Giấy tờ: {len(p.documents)} loại cần nộp (bấm «Giấy tờ» để xem)")
    lines.append(f"• Thời gian: {time_summary(p)}")
    lines.append(f"• Lệ phí: {fee_summary(p)}")
    lines.append(f"• Nộp trực tuyến: {online_summary(p)}")
    return "\n".join(lines)


def section(p: Procedure, name: str, *, office: str | None = None) -> str:
    if name == SECTION_DOCUMENTS:
        return documents(p)
    if name in (SECTION_FEE, SECTION_TIME):
        return fees_and_times(p, first=name)
    if name in (SECTION_PLACE, SECTION_ONLINE):
        return place_and_online(p, office=office, first=name)
    if name == SECTION_STEPS:
        return steps(p)
    if name == SECTION_LEGAL:
        return legal_basis(p)
    raise ValueError(f"unknown section {name!r}")


def documents(p: Procedure) -> str:
    lines = [f"Giấy tờ cho thủ tục «{p.display_name}»:"]
    if p.documents:
        lines.append("")
        lines.append("Cần nộp:")
        lines += [f"{i}. {document_line(d)}" for i, d in enumerate(p.documents, 1)]
    if p.documents_to_show:
        lines.append("")
        lines.append("Mang theo để xuất trình (cán bộ xem rồi trả lại):")
        lines += [f"• {document_line(d)}" for d in p.documents_to_show]
    if not p.documents and not p.documents_to_show:
        lines.append("Chưa có danh sách giấy tờ. Bạn vui lòng hỏi Bộ phận Một cửa.")
    if p.requirements:
        lines.append("")
        lines.append(f"Điều kiện: {_clip(p.requirements, 400)}")
    return "\n".join(lines)


def document_line(d: Document) -> str:
    text = d.name.rstrip(" .;")
    extra = [x for x in (d.copies,) if x]
    if d.form:
        # "Tờ khai đăng ký khai sinh (theo mẫu)" next to the same name says only "theo mẫu".
        same = fold(d.name).rstrip(" .;") in fold(d.form)
        extra.insert(0, "theo mẫu" if same else f"mẫu: {d.form}")
    if extra:
        text += f" ({', '.join(extra)})"
    if d.note:
        text += f". {_clip(d.note, MAX_NOTE)}"
    return text


def fees_and_times(p: Procedure, first: str = SECTION_FEE) -> str:
    lines = [f"Lệ phí và thời gian: «{p.display_name}»"]
    if not p.ways:
        lines.append("Chưa có thông tin. Bạn vui lòng hỏi Bộ phận Một cửa.")
        return "\n".join(lines)
    if first == SECTION_TIME:
        lines.append(f"Thời gian giải quyết: {time_summary(p)}")
        lines.append(f"Lệ phí: {fee_summary(p)}")
    else:
        lines.append(f"Lệ phí: {fee_summary(p)}")
        lines.append(f"Thời gian giải quyết: {time_summary(p)}")
    if len(p.ways) > 1 and (
        len(_distinct(w.fee for w in p.ways)) > 1 or len(_distinct(w.time for w in p.ways)) > 1
    ):
        lines.append("")
        lines += [way_line(w) for w in p.ways]
    tips = [t for t in p.tips if any(k in t.lower() for k in ("phí", "miễn", "thời gian", "ngày"))]
    if tips:
        lines.append("")
        lines += [f"Lưu ý: {t}" for t in tips[:2]]
    return "\n".join(lines)


def way_line(w: Way) -> str:
    parts = [CHANNEL_NAMES[w.channel]]
    if w.time:
        parts.append(f"thời gian: {w.time}")
    if w.fee:
        parts.append(f"lệ phí: {w.fee}")
    return "• " + ", ".join(parts)


def place_and_online(p: Procedure, *, office: str | None = None, first: str = SECTION_PLACE) -> str:
    place = p.where or p.agency or office or "Bộ phận Một cửa của UBND xã, phường"
    online = online_summary(p)
    link = p.online_url or (NATIONAL_PORTAL if p.online else None)
    place_lines = [f"Nơi nộp: {place}"]
    if office and office not in place:
        place_lines.append(f"Địa chỉ: {office}")
    online_lines = [f"Nộp trực tuyến: {online}"]
    if link:
        online_lines.append(f"Đường dẫn: {link}")
    body = online_lines + place_lines if first == SECTION_ONLINE else place_lines + online_lines
    lines = [f"Nộp ở đâu: «{p.display_name}»", *body]
    lines.append("Hồ sơ được nhận ở bất kỳ xã, phường nào trong tỉnh, không phụ thuộc nơi cư trú.")
    return "\n".join(lines)


def steps(p: Procedure) -> str:
    lines = [f"Các bước làm «{p.display_name}»:"]
    if not p.steps:
        lines.append("Chưa có thông tin các bước. Bạn vui lòng hỏi Bộ phận Một cửa.")
    lines += [f"{i}. {_clip(s, 400)}" for i, s in enumerate(p.steps[:8], 1)]
    if p.result:
        lines.append(f"Kết quả nhận được: {_clip(p.result, 300)}")
    return "\n".join(lines)


def legal_basis(p: Procedure) -> str:
    lines = [f"Căn cứ pháp lý của «{p.display_name}»:"]
    if not p.legal_basis:
        lines.append("Chưa có thông tin.")
    for doc in p.legal_basis[:10]:
        lines.append(
            f"• {doc.title}"
            + (f" ({doc.number})" if doc.number and doc.number not in doc.title else "")
        )
    if p.decision:
        lines.append(f"Quyết định công bố: {p.decision}")
    return "\n".join(lines)


def checklist(p: Procedure, have: Sequence[int]) -> str:
    """What is still missing once the resident ticked what they have."""
    missing = [d for i, d in enumerate(p.documents) if i not in set(have)]
    if not p.documents:
        return "Thủ tục này chưa có danh sách giấy tờ để kiểm tra."
    if not missing:
        text = f"Bạn đã có đủ {len(p.documents)} loại giấy tờ cần nộp cho «{p.display_name}»."
    else:
        text = "\n".join(
            [f"Bạn còn thiếu {len(missing)} loại giấy tờ:"]
            + [f"• {document_line(d)}" for d in missing]
        )
    if p.documents_to_show:
        text += "\nNhớ mang theo: " + "; ".join(d.name for d in p.documents_to_show[:3]) + "."
    return text


def _distinct(values: object) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:  # type: ignore[attr-defined]
        if v:
            seen.setdefault(str(v), None)
    return list(seen)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
