"""What residents complain about, who handles it and how long they have.

Each category names the unit that owns it and the units that must also hear about it:
complaints about staff attitude or harassment reach the administrative-reform office and
the leadership, not only the counter whose staff are complained about. Formal complaints
and denunciations follow their own laws; their content and the person's identity are
kept for the designated officer only.

The keys are stable (stored on tickets, used by the surveys feature: "procedure" is
"about a procedure or dossier"); labels are what residents and staff read.
"""

from __future__ import annotations

from dataclasses import dataclass

PROCEDURE = "procedure"
ATTITUDE = "attitude"
PUBLIC_SERVICE = "public_service"
INFRASTRUCTURE = "infrastructure"
OTHER = "other"
LEGAL = "legal"

# Units a ticket can be routed to. Their group chats and heads are configured per commune
# (complaints.config); a unit without its own chat falls back to the staff group.
ONE_STOP = "one_stop"  # Bộ phận Một cửa / TTPVHCC
REFORM_OFFICE = "reform_office"  # Phòng Văn hóa - Xã hội (administrative reform)
LEADERSHIP = "leadership"  # lãnh đạo UBND xã
LEGAL_OFFICER = "legal_officer"  # cán bộ tiếp công dân, giải quyết khiếu nại, tố cáo

UNIT_NAMES = {
    ONE_STOP: "Bộ phận Một cửa",
    REFORM_OFFICE: "Phòng Văn hóa - Xã hội",
    LEADERSHIP: "Lãnh đạo UBND xã",
    LEGAL_OFFICER: "Cán bộ tiếp công dân",
}


@dataclass(frozen=True)
class Category:
    key: str
    label: str  # on the resident's button and in exports
    short: str  # in staff alerts
    unit: str  # the unit that owns the ticket
    notify: tuple[str, ...] = ()  # units that are told as well
    confidential: bool = False  # content and identity for designated officers only
    ack_days: int = 1  # working days to acknowledge (default, configurable per commune)
    answer_days: int = 10  # working days to answer (default, configurable per commune)


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category(PROCEDURE, "Về thủ tục, hồ sơ", "Thủ tục, hồ sơ", ONE_STOP),
        Category(
            ATTITUDE,
            "Thái độ cán bộ, gây khó dễ",
            "Thái độ, sách nhiễu",
            ONE_STOP,
            notify=(REFORM_OFFICE, LEADERSHIP),
            answer_days=5,
        ),
        Category(PUBLIC_SERVICE, "Y tế, trường học, dịch vụ công", "Dịch vụ công", ONE_STOP),
        Category(
            INFRASTRUCTURE, "Đường sá, điện, rác, môi trường", "Hạ tầng, môi trường", ONE_STOP
        ),
        Category(OTHER, "Việc khác", "Khác", ONE_STOP),
        # Law on Complaints 2011 and Law on Denunciations 2018 set their own time limits
        # (accepting within 10 / 7 working days, resolving within 30 days or more); the
        # defaults here are for acknowledging and routing, to be confirmed by the
        # commune's legal officer (verify).
        Category(
            LEGAL,
            "Khiếu nại, tố cáo",
            "Khiếu nại, tố cáo",
            LEGAL_OFFICER,
            notify=(LEADERSHIP,),
            confidential=True,
            ack_days=1,
            answer_days=30,
        ),
    )
}


def category(key: str) -> Category:
    """The category for a stored key; unknown keys (from an older version) count as other."""
    return CATEGORIES.get(key, CATEGORIES[OTHER])
