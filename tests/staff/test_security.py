"""Sign-in, sessions, CSRF, throttling, the second factor and the response headers."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, update
from yarl import URL

from bot.app import Runtime
from bot.db.base import utcnow
from staff import auth, security
from staff.models import AuditEntry, StaffAccount, StaffSession
from staff.roles import Role
from tests.staff.conftest import PASSWORD, Client, csrf_of, sign_in

TEMPLATES = Path(__file__).parents[2] / "staff" / "templates"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """HTTP behaviour, the same on every backend: SQLite only (the route table, features
    and escaping tests run on PostgreSQL as well)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'motcua.db'}"


async def _login_form(client: Client) -> str:
    return csrf_of(await (await client.get("/staff/login")).text())


async def test_signed_out_visitors_are_sent_to_the_login_page(web_client: Client) -> None:
    response = await web_client.get("/staff/complaints?status=all", allow_redirects=False)
    assert response.status == 302
    location = URL(response.headers["Location"])
    assert location.path == "/staff/login"
    assert location.query["next"] == "/staff/complaints?status=all"


async def test_a_wrong_password_is_refused_and_the_next_target_stays_inside(
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    token = await _login_form(web_client)
    wrong = await web_client.post(
        "/staff/login",
        data={"csrf": token, "username": staff_accounts[Role.OFFICER], "password": "nope"},
    )
    assert wrong.status == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in await wrong.text()
    right = await web_client.post(
        "/staff/login",
        data={
            "csrf": token,
            "username": staff_accounts[Role.OFFICER],
            "password": PASSWORD,
            "next": "//evil.example/",
        },
        allow_redirects=False,
    )
    assert right.status == 302 and right.headers["Location"] == "/staff/"


async def test_the_session_cookie_is_http_only_and_same_site(
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    token = await _login_form(web_client)
    response = await web_client.post(
        "/staff/login",
        data={"csrf": token, "username": staff_accounts[Role.OFFICER], "password": PASSWORD},
        allow_redirects=False,
    )
    cookie = next(v for v in response.headers.getall("Set-Cookie") if v.startswith("motcua_staff="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/staff" in cookie
    assert "Secure" not in cookie  # MOTCUA_PUBLIC_URL is not https in tests


async def test_cookies_are_secure_behind_an_https_public_url(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    runtime.settings.public_url = "https://motcua.example.vn"
    form = await web_client.get("/staff/login")
    assert "Secure" in form.headers["Set-Cookie"]
    token = csrf_of(await form.text())
    # The test client speaks plain HTTP, so it holds back Secure cookies: send it by hand.
    response = await web_client.post(
        "/staff/login",
        data={"csrf": token, "username": staff_accounts[Role.OFFICER], "password": PASSWORD},
        headers={"Cookie": f"motcua_staff_login={token}"},
        allow_redirects=False,
    )
    cookie = next(v for v in response.headers.getall("Set-Cookie") if v.startswith("motcua_staff="))
    assert "Secure" in cookie


@pytest.mark.parametrize("token", [None, "wrong-token"])
async def test_a_post_without_the_session_csrf_token_is_refused(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
    token: str | None,
) -> None:
    await sign_in(web_client, staff_accounts[Role.COMMUNE_ADMIN])
    data = {"name": "Xã Đổi Tên", "address": "", "hours": ""}
    if token is not None:
        data["csrf"] = token
    response = await web_client.post("/staff/settings/profile", data=data)
    assert response.status == 403
    assert "Phiên làm việc không hợp lệ" in await response.text()
    await runtime.communes.refresh()
    default = runtime.communes.by_slug("default")
    assert default is not None and default.name == "Xã An Bình"


async def test_the_csrf_token_also_works_as_a_header_for_scripts(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    csrf = await sign_in(web_client, staff_accounts[Role.COMMUNE_ADMIN])
    response = await web_client.post(
        "/staff/settings/security", data={"require_totp": ""}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 200


async def test_the_login_form_needs_its_double_submit_token(
    web_client: Client, staff_accounts: dict[Role, str]
) -> None:
    await web_client.get("/staff/login")
    response = await web_client.post(
        "/staff/login",
        data={"csrf": "forged", "username": staff_accounts[Role.OFFICER], "password": PASSWORD},
    )
    assert response.status == 403


async def test_logout_ends_the_session_even_for_a_copied_cookie(
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    csrf = await sign_in(web_client, staff_accounts[Role.OFFICER])
    cookie = web_client.session.cookie_jar.filter_cookies(web_client.make_url("/staff/"))[
        "motcua_staff"
    ].value
    out = await web_client.post("/staff/logout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 302
    web_client.session.cookie_jar.clear()
    replay = await web_client.get(
        "/staff/", headers={"Cookie": f"motcua_staff={cookie}"}, allow_redirects=False
    )
    assert replay.status == 302 and replay.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize(
    "age",
    [auth.SESSION_IDLE + timedelta(minutes=1), None],
    ids=["idle", "absolute"],
)
async def test_sessions_expire(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
    age: timedelta | None,
) -> None:
    await sign_in(web_client, staff_accounts[Role.OFFICER])
    now = utcnow()
    async with runtime.db.transaction() as session:
        if age is not None:
            await session.execute(update(StaffSession).values(last_seen_at=now - age))
        else:
            await session.execute(
                update(StaffSession).values(expires_at=now - timedelta(seconds=1))
            )
    response = await web_client.get("/staff/", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/staff/login")
    async with runtime.db.read() as session:
        assert (await session.execute(select(StaffSession))).first() is None


async def test_a_new_password_ends_the_other_sessions(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    name = staff_accounts[Role.OFFICER]
    csrf = await sign_in(web_client, name)
    async with runtime.db.transaction() as session:
        account = (
            await session.execute(select(StaffAccount).where(StaffAccount.username == name))
        ).scalar_one()
        elsewhere, _ = await auth.start_session(
            session, account, ip="10.0.0.9", user_agent=None, now=utcnow(), mfa_pending=False
        )
    response = await web_client.post(
        "/staff/account/password",
        data={
            "csrf": csrf,
            "current": PASSWORD,
            "new": "mot-mat-khau-moi-2",
            "again": "mot-mat-khau-moi-2",
        },
    )
    assert response.status == 200 and "Đã đổi mật khẩu" in await response.text()
    async with runtime.db.read() as session:
        assert await session.get(StaffSession, security.digest(elsewhere)) is None
    assert (await web_client.get("/staff/", allow_redirects=False)).status == 200


async def test_repeated_failures_lock_the_username_even_with_the_right_password(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    name = staff_accounts[Role.OFFICER]
    token = await _login_form(web_client)
    for _ in range(auth.USER_LIMIT):
        response = await web_client.post(
            "/staff/login", data={"csrf": token, "username": name, "password": "sai-mat-khau"}
        )
        assert response.status == 401
    locked = await web_client.post(
        "/staff/login", data={"csrf": token, "username": name, "password": PASSWORD}
    )
    assert locked.status == 429
    assert "15 phút" in await locked.text()
    other = await web_client.post(
        "/staff/login",
        data={"csrf": token, "username": staff_accounts[Role.AUDITOR], "password": PASSWORD},
        allow_redirects=False,
    )
    assert other.status == 302


async def test_many_failures_from_one_address_block_it(runtime: Runtime) -> None:
    now = utcnow()
    async with runtime.db.transaction() as session:
        for i in range(auth.IP_LIMIT):
            result = await auth.login(
                session,
                username=f"khong-co-{i}",
                password="x",
                ip="203.0.113.7",
                user_agent=None,
                now=now,
            )
            assert result.outcome == auth.INVALID
        blocked = await auth.login(
            session, username="ai-do", password="x", ip="203.0.113.7", user_agent=None, now=now
        )
        assert blocked.outcome == auth.THROTTLED
        elsewhere = await auth.login(
            session, username="ai-do", password="x", ip="203.0.113.8", user_agent=None, now=now
        )
        assert elsewhere.outcome == auth.INVALID


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_configured_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(security.TRUSTED_PROXIES_ENV, raising=False)
    assert security.client_ip("198.51.100.4", "1.2.3.4") == "198.51.100.4"
    monkeypatch.setenv(security.TRUSTED_PROXIES_ENV, "10.0.0.0/8")
    assert security.client_ip("10.0.0.2", "6.6.6.6, 198.51.100.9") == "198.51.100.9"
    assert security.client_ip("10.0.0.2", "198.51.100.9, 10.0.0.5") == "198.51.100.9"
    assert security.client_ip("198.51.100.4", "1.2.3.4") == "198.51.100.4"


async def test_passwords_are_stored_as_argon2id(
    runtime: Runtime, staff_accounts: dict[Role, str]
) -> None:
    async with runtime.db.read() as session:
        hashes = (await session.execute(select(StaffAccount.password_hash))).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


async def test_an_account_with_totp_needs_the_code_and_a_code_works_once(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    name = staff_accounts[Role.REPORTING_OFFICER]
    secret = security.new_totp_secret()
    async with runtime.db.transaction() as session:
        await session.execute(
            update(StaffAccount)
            .where(StaffAccount.username == name)
            .values(totp_secret=secret, totp_enabled=True)
        )
    token = await _login_form(web_client)
    response = await web_client.post(
        "/staff/login",
        data={"csrf": token, "username": name, "password": PASSWORD, "next": "/staff/exports"},
        allow_redirects=False,
    )
    assert response.headers["Location"].startswith("/staff/login/totp")
    # Half signed in: no page opens yet.
    assert (await web_client.get("/staff/exports", allow_redirects=False)).headers[
        "Location"
    ] == "/staff/login/totp"
    page = await web_client.get("/staff/login/totp")
    csrf = csrf_of(await page.text())
    bad = await web_client.post("/staff/login/totp", data={"csrf": csrf, "code": "000000"})
    assert bad.status == 401
    code = pyotp.TOTP(secret).now()
    good = await web_client.post(
        "/staff/login/totp",
        data={"csrf": csrf, "code": code, "next": "/staff/exports"},
        allow_redirects=False,
    )
    assert good.status == 302 and good.headers["Location"] == "/staff/exports"
    assert (await web_client.get("/staff/exports")).status == 200
    # The same code cannot open a second session.
    web_client.session.cookie_jar.clear()
    token = await _login_form(web_client)
    await web_client.post(
        "/staff/login", data={"csrf": token, "username": name, "password": PASSWORD}
    )
    csrf = csrf_of(await (await web_client.get("/staff/login/totp")).text())
    replay = await web_client.post("/staff/login/totp", data={"csrf": csrf, "code": code})
    assert replay.status == 401


async def test_an_admin_can_require_a_second_factor_for_roles_that_export(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    csrf = await sign_in(web_client, staff_accounts[Role.COMMUNE_ADMIN])
    await web_client.post("/staff/settings/security", data={"csrf": csrf, "require_totp": "1"})
    web_client.session.cookie_jar.clear()
    # An auditor neither exports nor reveals: no second factor asked.
    await sign_in(web_client, staff_accounts[Role.AUDITOR])
    web_client.session.cookie_jar.clear()
    token = await _login_form(web_client)
    response = await web_client.post(
        "/staff/login",
        data={"csrf": token, "username": staff_accounts[Role.UNIT_HEAD], "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.headers["Location"].startswith("/staff/login/totp")
    setup = await (await web_client.get("/staff/login/totp")).text()
    secret = re.search(r'class="secret">([A-Z2-7]+)<', setup)
    assert secret, "the setup page shows the secret to type in"
    csrf = csrf_of(setup)
    done = await web_client.post(
        "/staff/login/totp",
        data={"csrf": csrf, "code": pyotp.TOTP(secret.group(1)).now()},
        allow_redirects=False,
    )
    assert done.status == 302
    assert (await web_client.get("/staff/complaints")).status == 200
    async with runtime.db.read() as session:
        account = (
            await session.execute(
                select(StaffAccount).where(StaffAccount.username == staff_accounts[Role.UNIT_HEAD])
            )
        ).scalar_one()
        assert account.totp_enabled
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "totp_enable" in actions and "settings_change" in actions


async def test_staff_pages_carry_the_security_headers(
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    await sign_in(web_client, staff_accounts[Role.OFFICER])
    response = await web_client.get("/staff/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_template_holds_inline_script_or_event_handlers() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert "style=" not in text, template.name
        assert "javascript:" not in text, template.name
