"""The staff web's request plumbing: who is signed in, permissions, CSRF, templates.

The staff pages are an aiohttp sub-application under ``/staff/``. Its middleware loads
the session from the cookie (server-side row, random id) and refuses any POST, PUT,
PATCH or DELETE whose CSRF token does not match the session's; before sign-in, the
login form uses a double-submit cookie instead. Each page declares the permission it
needs with ``@page(Perm.X)``; the route table test reads that declaration back.

Templates are Jinja2 with autoescaping on for every file: residents' text is shown as
text, never as markup. No template holds a script or an event handler attribute; the
CSP forbids them (bot.web.SECURITY_HEADERS).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from multidict import MultiDictProxy

from bot.app import Runtime
from bot.communes import CommuneProfile
from bot.config import TIMEZONE
from bot.db.base import utcnow
from bot.web import RUNTIME
from staff import auth, security, texts
from staff.models import StaffAccount, StaffSession
from staff.roles import ROLE_LABELS, Perm, Role, can

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
PREFIX = "/staff"
COOKIE = "motcua_staff"
PRE_COOKIE = "motcua_staff_login"  # double-submit CSRF token of the login form
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UPLOAD_LIMIT = 64 * 1024**2
TZ = ZoneInfo(TIMEZONE)

STAFF: web.RequestKey[Staff | None] = web.RequestKey("staff", object)  # type: ignore[arg-type]

Handler = Callable[[web.Request, "Staff"], Awaitable[web.StreamResponse]]


@dataclass
class Staff:
    """The signed-in person on this request, and the commune they are working on."""

    account: StaffAccount
    session: StaffSession
    commune: CommuneProfile
    communes: list[CommuneProfile] = field(default_factory=list)  # they may switch to

    def can(self, perm: Perm) -> bool:
        return can(self.account.role, perm)

    @property
    def role_label(self) -> str:
        try:
            return ROLE_LABELS[Role(self.account.role)]
        except ValueError:
            return self.account.role

    @property
    def ref(self) -> str:
        """How complaint tickets name this person (``channel:user_id``)."""
        return self.account.chat_ref or f"staffweb:{self.account.username}"

    @property
    def label(self) -> str:
        return self.account.display_name or self.account.username

    @property
    def province(self) -> bool:
        return self.account.commune_id is None

    @property
    def csrf(self) -> str:
        return self.session.csrf_token


def runtime_of(request: web.Request) -> Runtime:
    return request.config_dict[RUNTIME]


def staff_of(request: web.Request) -> Staff | None:
    return request.get(STAFF)


# --- templates ---------------------------------------------------------------------------


def _local(moment: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return moment.astimezone(TZ).strftime(fmt) if moment else ""


def _pct(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%".replace(".", ",")


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["dt"] = _local
    env.filters["day"] = lambda m: _local(m, "%d/%m/%Y")
    env.filters["pct"] = _pct
    env.filters["urlq"] = lambda s: quote(str(s), safe="")
    env.globals["ROLE_LABELS"] = {r.value: label for r, label in ROLE_LABELS.items()}
    env.globals["Perm"] = Perm
    return env


ENV = build_environment()


def nav_items(staff: Staff) -> list[tuple[str, str, str]]:
    items = [
        ("dashboard", f"{PREFIX}/", "Tổng quan", Perm.DASHBOARD),
        ("province", f"{PREFIX}/province", "Toàn tỉnh", Perm.PROVINCE),
        ("complaints", f"{PREFIX}/complaints", "Phản ánh", Perm.COMPLAINTS_VIEW),
        ("catalogue", f"{PREFIX}/catalogue", "Thủ tục", Perm.CATALOGUE_VIEW),
        ("questions", f"{PREFIX}/questions", "Câu hỏi chưa trả lời", Perm.QUESTIONS_VIEW),
        ("visits", f"{PREFIX}/visits", "Lượt giao dịch, QR", Perm.VISITS),
        ("exports", f"{PREFIX}/exports", "Xuất dữ liệu, báo cáo", Perm.EXPORT),
        ("settings", f"{PREFIX}/settings", "Cài đặt", Perm.SETTINGS),
        ("audit", f"{PREFIX}/audit", "Nhật ký", Perm.AUDIT),
    ]
    return [(key, url, label) for key, url, label, perm in items if staff.can(perm)]


def render(
    request: web.Request,
    template: str,
    *,
    status: int = 200,
    section: str = "",
    **context: Any,
) -> web.Response:
    staff = staff_of(request)
    flash_key = request.query.get("ok", "")
    error_key = request.query.get("err", "")
    values: dict[str, Any] = {
        "staff": staff,
        "nav": nav_items(staff) if staff is not None and not staff.session.mfa_pending else [],
        "section": section,
        "csrf": staff.csrf if staff is not None else context.pop("login_csrf", ""),
        "flash": texts.FLASH.get(flash_key, ""),
        "flash_error": texts.FLASH_ERRORS.get(error_key, ""),
        "prefix": PREFIX,
        "path": request.path,
        "query": request.query,
    }
    values.update(context)
    body = ENV.get_template(template).render(**values)
    return web.Response(text=body, content_type="text/html", charset="utf-8", status=status)


def redirect(path: str, **query: str) -> web.HTTPFound:
    clean = {k: v for k, v in query.items() if v}
    return web.HTTPFound(path + (("?" + urlencode(clean)) if clean else ""))


def forbidden(request: web.Request) -> web.Response:
    return render(request, "error.html", status=403, message=texts.FORBIDDEN)


def not_found(request: web.Request) -> web.Response:
    return render(request, "error.html", status=404, message=texts.NOT_FOUND)


# --- pages and permissions -------------------------------------------------------------------


def page(perm: Perm) -> Callable[[Handler], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """A page that needs a signed-in account with ``perm`` (403 otherwise)."""

    def wrap(fn: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @functools.wraps(fn)
        async def handler(request: web.Request) -> web.StreamResponse:
            staff = staff_of(request)
            if staff is None:
                if request.method in SAFE_METHODS:
                    raise redirect(f"{PREFIX}/login", next=request.path_qs)
                return forbidden(request)
            if staff.session.mfa_pending:
                if request.method in SAFE_METHODS:
                    raise redirect(f"{PREFIX}/login/totp")
                return forbidden(request)
            if not staff.can(perm):
                return forbidden(request)
            return await fn(request, staff)

        handler.permission = perm  # type: ignore[attr-defined]
        return handler

    return wrap


def public(
    fn: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A page anyone may open (the login form); CSRF is checked by double submit."""
    fn.public = True  # type: ignore[attr-defined]
    return fn


# --- middleware --------------------------------------------------------------------------------


async def _load_staff(request: web.Request, runtime: Runtime) -> Staff | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    now = utcnow()
    async with runtime.db.transaction() as session:
        loaded = await auth.load(session, token, now)
        if loaded is None:
            return None
        row, account = loaded
        communes = runtime.communes.all()
        if account.commune_id is not None:
            mine = [c for c in communes if c.id == account.commune_id]
            if not mine:
                return None
            return Staff(account, row, mine[0], mine)
        active = next((c for c in communes if c.id == row.active_commune_id), None)
        if active is None:
            active = next(
                (c for c in communes if c.slug == runtime.default_commune_slug), communes[0]
            )
        return Staff(account, row, active, communes)


async def form(request: web.Request) -> MultiDictProxy[Any]:
    """The posted form (read once, cached by aiohttp)."""
    return await request.post()


@web.middleware
async def staff_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.path.startswith(f"{PREFIX}/static/"):
        return await handler(request)
    runtime = runtime_of(request)
    if request.content_type == "multipart/form-data":
        request = request.clone(client_max_size=UPLOAD_LIMIT)
    staff = await _load_staff(request, runtime)
    request[STAFF] = staff
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                posted = await form(request)
            except web.HTTPRequestEntityTooLarge:
                return render(request, "error.html", status=413, message=texts.TOO_LARGE)
            value = posted.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        route_handler = getattr(request.match_info.route, "handler", None)
        if getattr(route_handler, "public", False):
            expected = request.cookies.get(PRE_COOKIE)
        else:
            expected = staff.csrf if staff is not None else None
        if not security.same(sent, expected):
            return render(request, "error.html", status=403, message=texts.CSRF_FAILED)
    response = await handler(request)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def set_session_cookie(response: web.StreamResponse, request: web.Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        path=PREFIX,
        httponly=True,
        samesite="Lax",
        secure=secure_cookies(request),
        max_age=int(auth.SESSION_MAX.total_seconds()),
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path=PREFIX)


def secure_cookies(request: web.Request) -> bool:
    public_url = runtime_of(request).settings.public_url or ""
    return public_url.startswith("https://")


def login_csrf(request: web.Request, response_token: str | None = None) -> str:
    """The login form's token: the one already in the browser's cookie, or a new one."""
    return request.cookies.get(PRE_COOKIE) or response_token or secrets.token_urlsafe(32)


def client_ip(request: web.Request) -> str:
    return security.client_ip(request.remote, request.headers.get("X-Forwarded-For"))


def text_field(data: MultiDictProxy[Any], name: str, limit: int = 4000) -> str:
    value = data.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""
