"""Topics residents browse by, grouping the portal's official fields.

The portal's field names are long and numerous ("Thu BHXH, BHYT, BHTN, BH tai nạn lao
động, BNN", four fields for social insurance alone), and in file order. Residents look
for "Hộ tịch", "Căn cước", "Đất đai". Each topic lists the folded keywords of the fields
it gathers; a field matching none falls under "Lĩnh vực khác". Order is roughly how
often residents ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.models import Catalogue, Procedure
from knowledge.normalize import fold


@dataclass(frozen=True)
class Topic:
    name: str
    keywords: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic("Hộ tịch (khai sinh, kết hôn, khai tử...)", ("ho tich", "nuoi con nuoi")),
    Topic("Chứng thực (bản sao, chữ ký, hợp đồng)", ("chung thuc",)),
    Topic("Cư trú (thường trú, tạm trú)", ("cu tru", "xuat nhap canh")),
    Topic("Căn cước, định danh điện tử", ("can cuoc", "dinh danh")),
    Topic("Đất đai, nhà ở", ("dat dai", "nha o", "dang ky bien phap bao dam")),
    Topic("Xây dựng, quy hoạch", ("xay dung", "quy hoach", "ha tang ky thuat")),
    Topic("Bảo hiểm xã hội, bảo hiểm y tế", ("bhxh", "bhyt", "bao hiem")),
    Topic("Hộ nghèo, trợ giúp xã hội", ("giam ngheo", "bao tro", "tro giup", "xa hoi")),
    Topic("Người có công, chính sách", ("nguoi co cong", "chinh sach")),
    Topic(
        "Nghĩa vụ quân sự, quốc phòng", ("nghia vu quan su", "quan su", "dan quan", "quoc phong")
    ),
    Topic(
        "Hộ kinh doanh, hợp tác xã",
        ("ho kinh doanh", "hop tac xa", "to hop tac", "kinh te hop tac"),
    ),
    Topic("Xe cộ, giao thông", ("phuong tien", "duong bo", "giao thong", "dang kiem")),
    Topic(
        "Nông nghiệp, môi trường",
        (
            "nong nghiep",
            "lam nghiep",
            "thuy san",
            "thuy loi",
            "chan nuoi",
            "trong trot",
            "moi truong",
            "tai nguyen nuoc",
            "thu y",
            "kiem lam",
        ),
    ),
)
OTHER = Topic("Lĩnh vực khác", ())


def topic_of(field: str) -> Topic:
    folded = fold(field)
    return next((t for t in TOPICS if any(k in folded for k in t.keywords)), OTHER)


def topics(catalogue: Catalogue) -> list[Topic]:
    """The topics that have at least one procedure, in display order."""
    present = {topic_of(p.field).name for p in catalogue}
    return [t for t in (*TOPICS, OTHER) if t.name in present]


def in_topic(catalogue: Catalogue, topic: Topic) -> list[Procedure]:
    """Procedures of a topic: those written up for residents first, then by name."""
    chosen = [p for p in catalogue if topic_of(p.field) == topic]
    return sorted(chosen, key=lambda p: (p.plain_name is None, p.display_name.lower()))
