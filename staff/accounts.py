"""Creating and changing staff accounts (the CLI's ``staff add`` and the settings page)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from staff import security
from staff.models import StaffAccount, StaffSession
from staff.roles import Role

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class AccountError(ValueError):
    """Shown to the administrator as is (Vietnamese)."""


def normalize_username(username: str) -> str:
    return username.strip().lower()


async def by_username(session: AsyncSession, username: str) -> StaffAccount | None:
    return (
        await session.execute(
            select(StaffAccount).where(StaffAccount.username == normalize_username(username))
        )
    ).scalar_one_or_none()


async def create(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: str,
    commune_id: int | None,
    display_name: str | None = None,
    chat_ref: str | None = None,
    now: datetime,
) -> StaffAccount:
    name = normalize_username(username)
    if not USERNAME.match(name):
        raise AccountError(
            "Tên đăng nhập gồm 3-64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang."
        )
    try:
        role_value = Role(role)
    except ValueError:
        raise AccountError(f"Vai trò không hợp lệ: {role}") from None
    if role_value is Role.PROVINCE_ADMIN:
        commune_id = None
    elif commune_id is None:
        raise AccountError("Tài khoản cấp xã cần chọn xã, phường.")
    if await by_username(session, name) is not None:
        raise AccountError(f"Tên đăng nhập {name} đã có.")
    try:
        security.check_strength(password, name)
    except security.WeakPassword as exc:
        raise AccountError(str(exc)) from None
    account = StaffAccount(
        username=name,
        display_name=(display_name or name).strip()[:200],
        role=role_value.value,
        commune_id=commune_id,
        password_hash=await security.hash_password_async(password),
        chat_ref=chat_ref or None,
        active=True,
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    session.add(account)
    await session.flush()
    return account


async def set_password(
    session: AsyncSession, account: StaffAccount, password: str, *, now: datetime
) -> None:
    """A new password ends every session of the account (a stolen cookie stops working)."""
    try:
        security.check_strength(password, account.username)
    except security.WeakPassword as exc:
        raise AccountError(str(exc)) from None
    account.password_hash = await security.hash_password_async(password)
    account.password_changed_at = account.updated_at = now
    await end_sessions(session, account.id)


async def end_sessions(session: AsyncSession, account_id: int, keep: str | None = None) -> int:
    rows = (
        await session.execute(select(StaffSession).where(StaffSession.account_id == account_id))
    ).scalars()
    count = 0
    for row in rows:
        if row.id != keep:
            await session.delete(row)
            count += 1
    return count


async def in_commune(session: AsyncSession, commune_id: int | None) -> list[StaffAccount]:
    query = select(StaffAccount).order_by(StaffAccount.username)
    if commune_id is not None:
        query = query.where(StaffAccount.commune_id == commune_id)
    return list((await session.execute(query)).scalars())


async def count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count(StaffAccount.id)))).scalar_one())
