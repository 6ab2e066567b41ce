"""One's own account: password, second factor; and switching the commune one works on."""

from __future__ import annotations

from aiohttp import web

from bot.db.base import utcnow
from staff import accounts, audit, auth, security
from staff.models import StaffAccount, StaffSession
from staff.roles import Perm
from staff.web import Staff, client_ip, form, page, redirect, render, runtime_of, text_field


@page(Perm.SELF)
async def account_page(request: web.Request, staff: Staff) -> web.StreamResponse:
    setup = None
    if not staff.account.totp_enabled:
        secret = security.new_totp_secret()
        setup = {
            "secret": secret,
            "qr": security.totp_qr_svg(security.totp_uri(secret, staff.account.username)),
        }
    return render(
        request, "account.html", section="", setup=setup, error=request.query.get("e", "")
    )


@page(Perm.SELF)
async def change_password(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    current, new, again = (
        data.get("current"),
        data.get("new"),
        data.get("again"),
    )
    if not all(isinstance(v, str) for v in (current, new, again)) or new != again:
        raise redirect(request.path.rsplit("/", 1)[0], e="Hai mật khẩu mới không khớp.")
    assert isinstance(current, str) and isinstance(new, str)
    if not await security.verify_password_async(staff.account.password_hash, current):
        raise redirect(request.path.rsplit("/", 1)[0], e="Mật khẩu hiện tại không đúng.")
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        account = await session.get(StaffAccount, staff.account.id)
        assert account is not None
        try:
            await accounts.set_password(session, account, new, now=now)
        except accounts.AccountError as exc:
            raise redirect(request.path.rsplit("/", 1)[0], e=str(exc)) from None
        audit.record(
            session,
            action="password_change",
            username=account.username,
            account_id=account.id,
            commune_id=account.commune_id,
            now=now,
            ip=client_ip(request),
        )
        # Every session ended, this one too: start a fresh one so the person stays in.
        from staff.web import set_session_cookie

        token, _row = await auth.start_session(
            session,
            account,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent"),
            now=now,
            mfa_pending=False,
        )
    response = redirect("/staff/account", ok="password")
    set_session_cookie(response, request, token)
    raise response


@page(Perm.SELF)
async def enable_totp(request: web.Request, staff: Staff) -> web.StreamResponse:
    data = await form(request)
    secret = text_field(data, "secret", 64)
    code = text_field(data, "code", 20)
    runtime = runtime_of(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        account = await session.get(StaffAccount, staff.account.id)
        assert account is not None
        if (
            account.totp_enabled
            or not secret
            or not await auth.enable_totp(session, account, secret, code, now)
        ):
            raise redirect("/staff/account", e="Mã xác thực không đúng, bạn thử lại.")
        audit.record(
            session,
            action="totp_enable",
            username=account.username,
            account_id=account.id,
            commune_id=account.commune_id,
            now=now,
            ip=client_ip(request),
        )
    raise redirect("/staff/account", ok="totp")


@page(Perm.DASHBOARD)
async def switch_commune(request: web.Request, staff: Staff) -> web.StreamResponse:
    """Province accounts pick the commune they work on; others have only their own."""
    data = await form(request)
    slug = text_field(data, "commune", 64)
    chosen = next((c for c in staff.communes if c.slug == slug), None)
    if chosen is None:
        raise redirect("/staff/", err="invalid")
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        row = await session.get(StaffSession, staff.session.id)
        if row is not None:
            row.active_commune_id = chosen.id
    from staff.views.login import safe_next

    raise redirect(safe_next(text_field(data, "next", 500)))
