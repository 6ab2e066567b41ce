"""Roles and what each may do.

Every role but the province administrator works inside one commune. Permissions are
checked on every request by the page decorator (staff.web), and the route table test
walks every route with every role, so this table is the one place to read who may do
what.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"  # cán bộ Bộ phận Một cửa
    UNIT_HEAD = "unit_head"  # lãnh đạo đơn vị: handles and assigns complaints
    REPORTING_OFFICER = "reporting_officer"  # Phòng Văn hóa - Xã hội: figures, reports
    COMMUNE_ADMIN = "commune_admin"
    PROVINCE_ADMIN = "province_admin"  # Sở Nội vụ: every commune
    AUDITOR = "auditor"  # reads, never changes or exports


ROLE_LABELS: dict[Role, str] = {
    Role.OFFICER: "Cán bộ một cửa",
    Role.UNIT_HEAD: "Lãnh đạo đơn vị",
    Role.REPORTING_OFFICER: "Cán bộ báo cáo",
    Role.COMMUNE_ADMIN: "Quản trị xã",
    Role.PROVINCE_ADMIN: "Quản trị tỉnh",
    Role.AUDITOR: "Kiểm tra, giám sát",
}


class Perm(StrEnum):
    DASHBOARD = "dashboard"
    PROVINCE = "province"  # every commune side by side
    COMPLAINTS_VIEW = "complaints_view"
    COMPLAINTS_ACT = "complaints_act"  # take, reply, ask, close, reject
    COMPLAINTS_ASSIGN = "complaints_assign"  # give a ticket to someone else
    REVEAL = "reveal"  # a resident's name and phone
    CATALOGUE_VIEW = "catalogue_view"
    CATALOGUE_EDIT = "catalogue_edit"
    CATALOGUE_IMPORT = "catalogue_import"
    QUESTIONS_VIEW = "questions_view"
    QUESTIONS_LINK = "questions_link"
    VISITS = "visits"  # record visits, print slips and posters
    EXPORT = "export"
    SETTINGS = "settings"
    ACCOUNTS = "accounts"
    AUDIT = "audit"
    SELF = "self"  # one's own password and second factor


_ALL = frozenset(Perm)
_READ = frozenset(
    {
        Perm.DASHBOARD,
        Perm.COMPLAINTS_VIEW,
        Perm.CATALOGUE_VIEW,
        Perm.QUESTIONS_VIEW,
        Perm.SELF,
    }
)

PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.OFFICER: _READ
    | {
        Perm.COMPLAINTS_ACT,
        Perm.REVEAL,
        Perm.CATALOGUE_EDIT,
        Perm.QUESTIONS_LINK,
        Perm.VISITS,
    },
    Role.UNIT_HEAD: _READ
    | {
        Perm.COMPLAINTS_ACT,
        Perm.COMPLAINTS_ASSIGN,
        Perm.REVEAL,
        Perm.CATALOGUE_EDIT,
        Perm.CATALOGUE_IMPORT,
        Perm.QUESTIONS_LINK,
        Perm.VISITS,
        Perm.EXPORT,
    },
    Role.REPORTING_OFFICER: _READ | {Perm.EXPORT},
    Role.COMMUNE_ADMIN: _ALL - {Perm.PROVINCE},
    Role.PROVINCE_ADMIN: _ALL,
    Role.AUDITOR: _READ | {Perm.AUDIT},
}

# Roles whose accounts must use a second factor once they enabled it or an admin requires it.
SENSITIVE = frozenset(r for r, p in PERMISSIONS.items() if Perm.EXPORT in p or Perm.REVEAL in p)


def can(role: str, perm: Perm) -> bool:
    try:
        return perm in PERMISSIONS[Role(role)]
    except ValueError:
        return False


def is_sensitive(role: str) -> bool:
    try:
        return Role(role) in SENSITIVE
    except ValueError:
        return False


def assignable_by(role: str) -> list[Role]:
    """Roles an administrator may give: a commune admin cannot create province admins."""
    if role == Role.PROVINCE_ADMIN:
        return list(Role)
    if role == Role.COMMUNE_ADMIN:
        return [r for r in Role if r is not Role.PROVINCE_ADMIN]
    return []
