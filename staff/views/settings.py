"""Settings: the commune's profile and opening hours, days off and compensatory working
days, satisfaction targets, the second-factor policy, and staff accounts."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from aiohttp import web
from sqlalchemy import select

from bot.communes import CommuneProfile
from bot.db.base import utcnow
from bot.db.models import Commune
from complaints import config as complaint_config
from complaints import service as complaint_service
from staff import accounts, audit, auth
from staff.models import StaffAccount
from staff.roles import Perm, Role, assignable_by
from staff.web import (
    Staff,
    client_ip,
    forbidden,
    form,
    page,
    redirect,
    render,
    runtime_of,
    text_field,
)
from surveys import index as satisfaction
from surveys.periods import local_date

WEEKDAY_LABELS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def _year(request: web.Request) -> int:
    try:
        return int(request.query.get("year", ""))
    except ValueError:
        return local_date(utcnow()).year


@page(Perm.SETTINGS)
async def settings_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    year = _year(request)
    async with runtime.db.read() as session:
        row = await session.get(Commune, staff.commune.id)
        assert row is not None
        days = await complaint_service.calendar_days(session, staff.commune.id, year)
        targets = await satisfaction.targets_for(session, staff.commune.id, year)
    rules = complaint_config.for_commune(row.settings or {})
    return render(
        request,
        "settings.html",
        section="settings",
        c=row,
        year=year,
        days=days,
        targets=targets,
        indicators=satisfaction.INDICATORS,
        hours=rules.hours,
        weekdays=WEEKDAY_LABELS,
        require_totp=bool(auth.staff_settings(row.settings).get("require_totp")),
        error=request.query.get("e", ""),
    )


async def _change(
    request: web.Request, staff: Staff, what: str, detail: dict[str, Any] | None = None
) -> None:
    """Reload the profiles every page reads and log the change."""
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        audit.record(
            session,
            action="settings_change",
            username=staff.account.username,
            account_id=staff.account.id,
            commune_id=staff.commune.id,
            now=utcnow(),
            target=what,
            detail=detail,
            ip=client_ip(request),
        )
    await runtime.communes.refresh()


@page(Perm.SETTINGS)
async def save_profile(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    runtime = runtime_of(request)
    name = text_field(data, "name", 200)
    if not name:
        raise redirect("/staff/settings", e="Tên xã, phường không được để trống.")
    async with runtime.db.transaction() as session:
        row = await session.get(Commune, staff.commune.id)
        assert row is not None
        row.name = name
        for key in ("address", "hours", "phone", "email", "map_url"):
            setattr(row, key, text_field(data, key, 500) or None)
        row.counters = [
            line.strip()[:100]
            for line in text_field(data, "counters", 2000).splitlines()
            if line.strip()
        ]
        row.updated_at = utcnow()
    await _change(request, staff, "profile")
    raise redirect("/staff/settings", ok="saved")


def _time(value: str) -> time | None:
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


@page(Perm.SETTINGS)
async def save_hours(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    start, end = _time(text_field(data, "start", 8)), _time(text_field(data, "end", 8))
    weekdays = sorted(
        {int(v) for v in data.getall("weekday", []) if isinstance(v, str) and v.isdecimal()}
    )
    if start is None or end is None:
        raise redirect("/staff/settings", e="Giờ làm việc chưa đúng dạng HH:MM.")
    await _update_settings(
        request,
        staff,
        complaint_config.SETTINGS_KEY,
        {"hours": {"start": start.isoformat(), "end": end.isoformat(), "weekdays": weekdays}},
        validate=complaint_config.parse,
    )
    await _change(request, staff, "hours")
    raise redirect("/staff/settings", ok="saved")


async def _update_settings(
    request: web.Request,
    staff: Staff,
    key: str,
    values: dict[str, Any],
    validate: Any = None,
) -> None:
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        row = await session.get(Commune, staff.commune.id)
        assert row is not None
        merged = dict(row.settings or {})
        section = dict(merged.get(key) or {})
        section.update(values)
        if validate is not None:
            try:
                validate(section)
            except ValueError:
                raise redirect("/staff/settings", e="Giá trị chưa hợp lệ.") from None
        merged[key] = section
        row.settings = merged


@page(Perm.SETTINGS)
async def add_day(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    try:
        day = date.fromisoformat(text_field(data, "day", 10))
    except ValueError:
        raise redirect("/staff/settings", e="Ngày chưa đúng.") from None
    kind = "work" if data.get("kind") == "work" else "off"
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        await complaint_service.set_calendar_day(
            session,
            staff.commune.id,
            day,
            kind,
            note=text_field(data, "note", 200) or None,
            created_by=f"staff:{staff.ref}",
            now=utcnow(),
        )
    await _change(request, staff, "calendar", {"day": day.isoformat(), "kind": kind})
    raise redirect("/staff/settings", ok="saved", year=str(day.year))


@page(Perm.SETTINGS)
async def remove_day(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    try:
        day = date.fromisoformat(text_field(data, "day", 10))
    except ValueError:
        raise redirect("/staff/settings", e="Ngày chưa đúng.") from None
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        await complaint_service.remove_calendar_day(session, staff.commune.id, day)
    await _change(request, staff, "calendar", {"day": day.isoformat(), "removed": True})
    raise redirect("/staff/settings", ok="saved", year=str(day.year))


@page(Perm.SETTINGS)
async def save_targets(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    try:
        year = int(text_field(data, "year", 4))
    except ValueError:
        raise redirect("/staff/settings", e="Năm chưa đúng.") from None
    runtime = runtime_of(request)
    values = {}
    for indicator in satisfaction.INDICATORS:
        raw = text_field(data, f"target-{indicator}", 10).replace(",", ".").rstrip("%")
        if not raw:
            continue
        try:
            values[indicator] = float(raw) / 100
        except ValueError:
            raise redirect("/staff/settings", e="Mục tiêu là số phần trăm, ví dụ 95.") from None
    async with runtime.db.transaction() as session:
        for indicator, value in values.items():
            try:
                await satisfaction.set_target(session, staff.commune.id, year, indicator, value)
            except ValueError:
                raise redirect("/staff/settings", e="Mục tiêu từ 1 đến 100%.") from None
    await _change(request, staff, "targets", {"year": year})
    raise redirect("/staff/settings", ok="saved", year=str(year))


@page(Perm.SETTINGS)
async def save_security(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    required = data.get("require_totp") == "1"
    await _update_settings(request, staff, auth.SETTINGS_KEY, {"require_totp": required})
    await _change(request, staff, "security", {"require_totp": required})
    raise redirect("/staff/settings", ok="saved")


# --- accounts ----------------------------------------------------------------------------------


def _manageable(staff: Staff, account: StaffAccount) -> bool:
    if account.id == staff.account.id:
        return False  # one's own role and status are changed by someone else
    if staff.province:
        return True
    return account.commune_id == staff.commune.id and account.role != Role.PROVINCE_ADMIN


@page(Perm.ACCOUNTS)
async def accounts_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    runtime = runtime_of(request)
    async with runtime.db.read() as session:
        people = await accounts.in_commune(session, staff.commune.id)
        if staff.province:
            people += list(
                (
                    await session.execute(
                        select(StaffAccount).where(StaffAccount.commune_id.is_(None))
                    )
                ).scalars()
            )
    return render(
        request,
        "accounts.html",
        section="settings",
        people=people,
        roles=assignable_by(staff.account.role),
        manageable=lambda a: _manageable(staff, a),
        error=request.query.get("e", ""),
    )


@page(Perm.ACCOUNTS)
async def create_account(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    role = text_field(data, "role", 30)
    if role not in assignable_by(staff.account.role):
        return forbidden(request)
    runtime = runtime_of(request)
    now = utcnow()
    password = data.get("password")
    async with runtime.db.transaction() as session:
        try:
            account = await accounts.create(
                session,
                username=text_field(data, "username", 64),
                password=password if isinstance(password, str) else "",
                role=role,
                commune_id=staff.commune.id,
                display_name=text_field(data, "display_name", 200) or None,
                chat_ref=text_field(data, "chat_ref", 120) or None,
                now=now,
            )
        except accounts.AccountError as exc:
            raise redirect("/staff/settings/accounts", e=str(exc)) from None
        account.confidential = data.get("confidential") == "1"
        audit.record(
            session,
            action="account_create",
            username=staff.account.username,
            account_id=staff.account.id,
            commune_id=staff.commune.id,
            now=now,
            target=account.username,
            detail={"role": role},
            ip=client_ip(request),
        )
    raise redirect("/staff/settings/accounts", ok="created")


@page(Perm.ACCOUNTS)
async def update_account(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        account = await accounts.by_username(session, request.match_info["username"])
        if account is None or not _manageable(staff, account):
            return forbidden(request)
        changes: dict[str, Any] = {}
        role = text_field(data, "role", 30)
        if role and role != account.role:
            if role not in assignable_by(staff.account.role):
                return forbidden(request)
            account.role = role
            account.commune_id = None if role == Role.PROVINCE_ADMIN else account.commune_id
            changes["role"] = role
        active = data.get("active") == "1"
        if active != account.active:
            account.active = active
            changes["active"] = active
            if not active:
                await accounts.end_sessions(session, account.id)
        confidential = data.get("confidential") == "1"
        if confidential != account.confidential:
            account.confidential = confidential
            changes["confidential"] = confidential
        chat_ref = text_field(data, "chat_ref", 120) or None
        if chat_ref != account.chat_ref:
            account.chat_ref = chat_ref
            changes["chat_ref"] = bool(chat_ref)
        display = text_field(data, "display_name", 200)
        if display and display != account.display_name:
            account.display_name = display
            changes["display_name"] = True
        password = data.get("password")
        if isinstance(password, str) and password:
            try:
                await accounts.set_password(session, account, password, now=now)
            except accounts.AccountError as exc:
                raise redirect("/staff/settings/accounts", e=str(exc)) from None
            changes["password"] = True
        if data.get("reset_totp") == "1" and account.totp_enabled:
            account.totp_enabled, account.totp_secret, account.totp_last_step = False, None, None
            changes["totp_reset"] = True
        account.updated_at = now
        if changes:
            audit.record(
                session,
                action="account_change",
                username=staff.account.username,
                account_id=staff.account.id,
                commune_id=staff.commune.id,
                now=now,
                target=account.username,
                detail=changes,
                ip=client_ip(request),
            )
    raise redirect("/staff/settings/accounts", ok="saved")


__all__ = ["CommuneProfile"]
