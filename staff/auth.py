"""Signing in and out, server-side sessions and login throttling.

A session is a row keyed by the SHA-256 of a random cookie value, with its own CSRF
token. It ends after two idle hours or twelve hours in all, at logout, and when the
password changes. Failed logins are counted per username and per address over a
sliding window; either limit blocks further attempts until the window has passed, and
a blocked attempt does not even check the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Commune
from staff import accounts, security
from staff.models import LoginAttempt, StaffAccount, StaffSession
from staff.roles import Role, is_sensitive

SESSION_IDLE = timedelta(hours=2)
SESSION_MAX = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)
THROTTLE_WINDOW = timedelta(minutes=15)
USER_LIMIT = 5  # failures per username in the window
IP_LIMIT = 30  # failures per address in the window
SETTINGS_KEY = "staff"

OK, INVALID, THROTTLED = "ok", "invalid", "throttled"


@dataclass(frozen=True)
class LoginResult:
    outcome: str
    account: StaffAccount | None = None
    token: str | None = None
    session: StaffSession | None = None


async def failures(
    session: AsyncSession, *, username: str, ip: str, now: datetime
) -> tuple[int, int]:
    since = now - THROTTLE_WINDOW
    by_user = (
        await session.execute(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.username == username,
                LoginAttempt.at >= since,
                LoginAttempt.success.is_(False),
            )
        )
    ).scalar_one()
    by_ip = (
        await session.execute(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.ip == ip,
                LoginAttempt.at >= since,
                LoginAttempt.success.is_(False),
            )
        )
    ).scalar_one()
    return int(by_user), int(by_ip)


async def policy_requires_totp(session: AsyncSession, account: StaffAccount) -> bool:
    """An administrator asked for a second factor on the roles that export or reveal."""
    if not is_sensitive(account.role):
        return False
    query = select(Commune.settings)
    if account.commune_id is not None:
        query = query.where(Commune.id == account.commune_id)
    for settings in (await session.execute(query)).scalars():
        if bool(((settings or {}).get(SETTINGS_KEY) or {}).get("require_totp")):
            return True
    return False


async def needs_second_factor(session: AsyncSession, account: StaffAccount) -> bool:
    return account.totp_enabled or await policy_requires_totp(session, account)


async def login(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    ip: str,
    user_agent: str | None,
    now: datetime,
) -> LoginResult:
    name = accounts.normalize_username(username)[:64]
    by_user, by_ip = await failures(session, username=name, ip=ip, now=now)
    if by_user >= USER_LIMIT or by_ip >= IP_LIMIT:
        session.add(LoginAttempt(at=now, username=name, ip=ip, success=False))
        return LoginResult(THROTTLED)
    account = await accounts.by_username(session, name)
    valid = await security.verify_password_async(
        account.password_hash if account is not None else None, password
    )
    if account is None or not account.active or not valid:
        session.add(LoginAttempt(at=now, username=name, ip=ip, success=False))
        return LoginResult(INVALID, account if account is not None and account.active else None)
    session.add(LoginAttempt(at=now, username=name, ip=ip, success=True))
    if security.needs_rehash(account.password_hash):
        account.password_hash = await security.hash_password_async(password)
    token, row = await start_session(
        session,
        account,
        ip=ip,
        user_agent=user_agent,
        now=now,
        mfa_pending=await needs_second_factor(session, account),
    )
    if not row.mfa_pending:
        account.last_login_at = now
    return LoginResult(OK, account, token, row)


async def start_session(
    session: AsyncSession,
    account: StaffAccount,
    *,
    ip: str | None,
    user_agent: str | None,
    now: datetime,
    mfa_pending: bool,
) -> tuple[str, StaffSession]:
    token = security.new_token()
    row = StaffSession(
        id=security.digest(token),
        account_id=account.id,
        csrf_token=security.new_token(),
        mfa_pending=mfa_pending,
        active_commune_id=account.commune_id,
        ip=ip,
        user_agent=(user_agent or "")[:200] or None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_MAX,
    )
    session.add(row)
    await session.flush()
    return token, row


def expired(row: StaffSession, now: datetime) -> bool:
    return row.expires_at <= now or row.last_seen_at + SESSION_IDLE <= now


async def load(
    session: AsyncSession, token: str, now: datetime
) -> tuple[StaffSession, StaffAccount] | None:
    """The live session and its active account for a cookie value, touched; else None."""
    if not token or len(token) > 200:
        return None
    row = await session.get(StaffSession, security.digest(token))
    if row is None:
        return None
    if expired(row, now):
        await session.delete(row)
        return None
    account = await session.get(StaffAccount, row.account_id)
    if account is None or not account.active:
        await session.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row, account


async def end(session: AsyncSession, token: str) -> None:
    await session.execute(delete(StaffSession).where(StaffSession.id == security.digest(token)))


async def second_factor(
    session: AsyncSession, row: StaffSession, account: StaffAccount, code: str, now: datetime
) -> bool:
    """Finish a login with a TOTP code; the session gets a fresh CSRF token."""
    if not account.totp_enabled or not account.totp_secret:
        return False
    step = security.totp_step(account.totp_secret, code, now, account.totp_last_step)
    if step is None:
        session.add(LoginAttempt(at=now, username=account.username, ip=row.ip or "", success=False))
        return False
    account.totp_last_step = step
    account.last_login_at = now
    row.mfa_pending = False
    row.csrf_token = security.new_token()
    return True


async def enable_totp(
    session: AsyncSession, account: StaffAccount, secret: str, code: str, now: datetime
) -> bool:
    step = security.totp_step(secret, code, now, None)
    if step is None:
        return False
    account.totp_secret, account.totp_enabled, account.totp_last_step = secret, True, step
    account.updated_at = now
    return True


async def purge(session: AsyncSession, now: datetime) -> None:
    """Drop ended sessions and attempts older than the throttle window (a daily sweep)."""
    await session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    await session.execute(
        delete(StaffSession).where(StaffSession.last_seen_at <= now - SESSION_IDLE)
    )
    await session.execute(
        delete(LoginAttempt).where(LoginAttempt.at < now - max(THROTTLE_WINDOW, timedelta(days=1)))
    )


def staff_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    return dict((settings or {}).get(SETTINGS_KEY) or {})


__all__ = ["INVALID", "OK", "THROTTLED", "LoginResult", "Role"]
