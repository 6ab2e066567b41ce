"""Sign in (password, then the second factor when needed), sign out."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from bot.db.base import utcnow
from staff import audit, auth, security, texts
from staff.models import StaffAccount
from staff.web import (
    PRE_COOKIE,
    PREFIX,
    clear_session_cookie,
    client_ip,
    form,
    login_csrf,
    public,
    redirect,
    render,
    runtime_of,
    secure_cookies,
    set_session_cookie,
    staff_of,
    text_field,
)


def safe_next(value: str | None) -> str:
    """Only a path inside the staff web: never another site (open redirect)."""
    if (
        value
        and value.startswith(f"{PREFIX}/")
        and not value.startswith("//")
        and not any(ch in value for ch in "\\\r\n")
    ):
        return value
    return f"{PREFIX}/"


def _login_page(
    request: web.Request, *, error: str = "", status: int = 200, username: str = ""
) -> web.Response:
    token = login_csrf(request)
    response = render(
        request,
        "login.html",
        status=status,
        login_csrf=token,
        error=error,
        username=username,
        next=safe_next(request.query.get("next")),
    )
    if request.cookies.get(PRE_COOKIE) != token:
        response.set_cookie(
            PRE_COOKIE,
            token,
            path=f"{PREFIX}/login",
            httponly=True,
            samesite="Strict",
            secure=secure_cookies(request),
            max_age=3600,
        )
    return response


@public
async def login_form(request: web.Request) -> web.StreamResponse:
    staff = staff_of(request)
    if staff is not None and not staff.session.mfa_pending:
        raise redirect(safe_next(request.query.get("next")))
    return _login_page(request)


@public
async def login_submit(request: web.Request) -> web.StreamResponse:
    data = await form(request)
    username = text_field(data, "username", 64)
    password = data.get("password")
    if not isinstance(password, str) or not username:
        return _login_page(request, error=texts.LOGIN_INVALID, status=400, username=username)
    runtime = runtime_of(request)
    ip = client_ip(request)
    now = utcnow()
    async with runtime.db.transaction() as session:
        result = await auth.login(
            session,
            username=username,
            password=password[:1000],
            ip=ip,
            user_agent=request.headers.get("User-Agent"),
            now=now,
        )
        account = result.account
        if result.outcome == auth.OK and account is not None:
            audit.record(
                session,
                action="login",
                username=account.username,
                account_id=account.id,
                commune_id=account.commune_id,
                now=now,
                ip=ip,
            )
        elif account is not None:
            audit.record(
                session,
                action="login_failed",
                username=account.username,
                account_id=account.id,
                commune_id=account.commune_id,
                now=now,
                ip=ip,
                detail={"throttled": result.outcome == auth.THROTTLED},
            )
    if result.outcome == auth.THROTTLED:
        return _login_page(request, error=texts.LOGIN_THROTTLED, status=429, username=username)
    if result.outcome != auth.OK or result.token is None or result.session is None:
        return _login_page(request, error=texts.LOGIN_INVALID, status=401, username=username)
    target = safe_next(text_field(data, "next", 500))
    if result.session.mfa_pending:
        target = f"{PREFIX}/login/totp?" + urlencode({"next": target})
    response = web.HTTPFound(target)
    set_session_cookie(response, request, result.token)
    response.del_cookie(PRE_COOKIE, path=f"{PREFIX}/login")
    raise response


async def _pending(request: web.Request) -> tuple[StaffAccount, str] | web.StreamResponse:
    staff = staff_of(request)
    if staff is None:
        raise redirect(f"{PREFIX}/login")
    if not staff.session.mfa_pending:
        raise redirect(f"{PREFIX}/")
    return staff.account, staff.session.id


async def totp_form(request: web.Request) -> web.StreamResponse:
    found = await _pending(request)
    if isinstance(found, web.StreamResponse):
        return found
    return await _totp_page(request, found[0])


async def _totp_page(
    request: web.Request, account: StaffAccount, *, error: str = "", status: int = 200
) -> web.Response:
    setup = None
    if not account.totp_enabled:
        # The policy asks for a second factor this account has not set up: set it up now.
        runtime = runtime_of(request)
        async with runtime.db.transaction() as session:
            row = await session.get(StaffAccount, account.id)
            assert row is not None
            if not row.totp_secret:
                row.totp_secret = security.new_totp_secret()
            secret = row.totp_secret
        uri = security.totp_uri(secret, account.username)
        setup = {"secret": secret, "qr": security.totp_qr_svg(uri)}
    return render(
        request,
        "totp.html",
        status=status,
        setup=setup,
        error=error,
        next=safe_next(request.query.get("next")),
    )


async def totp_submit(request: web.Request) -> web.StreamResponse:
    found = await _pending(request)
    if isinstance(found, web.StreamResponse):
        return found
    account, session_id = found
    data = await form(request)
    code = text_field(data, "code", 20)
    runtime = runtime_of(request)
    now = utcnow()
    ok = False
    async with runtime.db.transaction() as session:
        from staff.models import StaffSession

        row = await session.get(StaffSession, session_id)
        fresh = await session.get(StaffAccount, account.id)
        if row is not None and fresh is not None:
            if fresh.totp_enabled:
                ok = await auth.second_factor(session, row, fresh, code, now)
            elif fresh.totp_secret:
                ok = await auth.enable_totp(session, fresh, fresh.totp_secret, code, now)
                if ok:
                    row.mfa_pending = False
                    row.csrf_token = security.new_token()
                    fresh.last_login_at = now
                    audit.record(
                        session,
                        action="totp_enable",
                        username=fresh.username,
                        account_id=fresh.id,
                        commune_id=fresh.commune_id,
                        now=now,
                        ip=client_ip(request),
                    )
    if not ok:
        return await _totp_page(request, account, error=texts.TOTP_INVALID, status=401)
    raise redirect(safe_next(text_field(data, "next", 500)))


async def logout(request: web.Request) -> web.StreamResponse:
    staff = staff_of(request)
    token = request.cookies.get("motcua_staff")
    if staff is not None and token:
        runtime = runtime_of(request)
        async with runtime.db.transaction() as session:
            await auth.end(session, token)
            audit.record(
                session,
                action="logout",
                username=staff.account.username,
                account_id=staff.account.id,
                commune_id=staff.account.commune_id,
                now=utcnow(),
                ip=client_ip(request),
            )
    response = web.HTTPFound(f"{PREFIX}/login?ok=logged_out")
    clear_session_cookie(response)
    raise response
