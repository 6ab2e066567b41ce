"""The audit log: exports, contact reveals, account and setting changes.

Written in the same transaction as the action, so nothing is revealed or exported
without its line. Details hold codes and parameters, never the personal data itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from staff.models import AuditEntry

ACTION_LABELS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "logout": "Đăng xuất",
    "reveal_contact": "Xem thông tin liên hệ",
    "export": "Tạo tệp xuất dữ liệu",
    "export_download": "Tải tệp xuất dữ liệu",
    "account_create": "Tạo tài khoản",
    "account_change": "Sửa tài khoản",
    "password_change": "Đổi mật khẩu",
    "totp_enable": "Bật xác thực hai lớp",
    "totp_reset": "Tắt xác thực hai lớp",
    "settings_change": "Sửa cài đặt",
    "catalogue_import": "Nhập danh mục thủ tục",
    "poster": "In áp phích QR",
}


def record(
    session: AsyncSession,
    *,
    action: str,
    username: str,
    account_id: int | None,
    commune_id: int | None,
    now: datetime,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=now,
        account_id=account_id,
        username=username[:64],
        commune_id=commune_id,
        action=action,
        target=target[:200] if target else None,
        detail=detail or {},
        ip=ip[:64] if ip else None,
    )
    session.add(entry)
    return entry


async def entries(
    session: AsyncSession,
    commune_id: int | None,
    *,
    action: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if commune_id is not None:
        query = query.where(AuditEntry.commune_id == commune_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list((await session.execute(query.limit(limit).offset(offset))).scalars())
