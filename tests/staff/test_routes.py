"""Every staff route with every role: 200 (or the action's redirect) where the role's
permissions allow it, 403 where they do not, the login page when signed out."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from PIL import Image

from bot.app import Runtime
from bot.db.base import utcnow
from complaints.models import Ticket, TicketPhoto
from staff import accounts
from staff.models import ExportJob
from staff.plugin import routes
from staff.roles import PERMISSIONS, Role
from surveys import service as survey_service
from tests.staff.conftest import PASSWORD, Client, open_ticket, sign_in

# Routes with their own rules, tested in test_security: signing in and out.
SPECIAL = {"/login", "/login/totp", "/logout"}

# A body for each action that passes the form checks as far as the permission check.
BODIES: dict[str, dict[str, str]] = {
    "/complaints/{code}/reply": {"text": "Đã kiểm tra, hồ sơ trả ngày mai."},
    "/complaints/{code}/ask": {"text": "Bạn cho biết mã hồ sơ?"},
    "/complaints/{code}/reject": {"text": "Không thuộc thẩm quyền."},
    "/complaints/{code}/assign": {"account": "officer-1"},
    "/settings/accounts": {"username": "x", "role": "officer", "password": "short"},
    "/settings/accounts/{username}": {"role": "officer", "active": "1", "display_name": "Bị sửa"},
    "/visits/poster": {"counter": "Quầy 1"},
    "/exports": {"kind": "complaints", "format": "csv", "period": "2026"},
}


@dataclass
class World:
    code: str
    photo: int
    visit: int
    jobs: dict[str, str]  # username -> a finished export of theirs


@pytest.fixture
async def world(runtime: Runtime, staff_accounts: dict[Role, str]) -> World:
    code = await open_ticket(runtime)
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    uploads = runtime.settings.data_dir / "uploads" / "t"
    uploads.mkdir(parents=True)
    picture = uploads / "1.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="JPEG")
    picture.write_bytes(buffer.getvalue())
    now = utcnow()
    async with runtime.db.transaction() as session:
        from sqlalchemy import select

        ticket = (await session.execute(select(Ticket).where(Ticket.code == code))).scalar_one()
        photo = TicketPhoto(
            ticket_id=ticket.id,
            commune_id=commune.id,
            channel="web",
            file_ref="x",
            status="stored",
            path=str(picture),
            content_type="image/jpeg",
            created_at=now,
        )
        session.add(photo)
        visit, _invitation, _ = await survey_service.record_visit(
            session,
            commune_id=commune.id,
            now=now,
            options=survey_service.SurveySettings(),
            procedure_code="1.001193",
        )
        await accounts.create(
            session,
            username="target-account",
            password=PASSWORD,
            role="officer",
            commune_id=commune.id,
            now=now,
        )
        jobs = {}
        for name in staff_accounts.values():
            account = await accounts.by_username(session, name)
            assert account is not None
            export_file = runtime.settings.data_dir / f"{name}.csv"
            export_file.write_text("a,b\n", encoding="utf-8")
            job = ExportJob(
                id=f"job{account.id:08d}",
                commune_id=commune.id,
                account_id=account.id,
                kind="complaints",
                fmt="csv",
                params={},
                status="done",
                done_rows=1,
                filename="phan-anh.csv",
                path=str(export_file),
                created_at=now,
            )
            session.add(job)
            jobs[name] = job.id
        await session.flush()
        return World(code, photo.id, visit.id, jobs)


def _path(template: str, world: World, username: str | None) -> str:
    job = world.jobs.get(username or "", "job00000000")
    return "/staff" + (
        template.replace("{code}", world.code)
        .replace("{photo}", str(world.photo))
        .replace("{visit}", str(world.visit))
        .replace("{job}", job)
        .replace("{username}", "target-account")
        .replace("{procedure}", "1.001193")
    )


def _table() -> list[tuple[str, str, object]]:
    return [(m, p, h) for m, p, h in routes() if p not in SPECIAL]


def test_every_route_but_signing_in_declares_a_permission() -> None:
    for method, path, handler in _table():
        assert hasattr(handler, "permission"), f"{method} {path} has no permission"


async def _check_role(
    client: Client,
    world: World,
    role: Role | None,
    username: str | None,
) -> list[str]:
    client.session.cookie_jar.clear()
    csrf = await sign_in(client, username) if username is not None else ""
    who = role.value if role else "signed out"
    wrong: list[str] = []
    for method, template, handler in _table():
        path = _path(template, world, username)
        if method == "GET":
            response = await client.get(path, allow_redirects=False)
        else:
            body = {"csrf": csrf, **BODIES.get(template, {})}
            response = await client.post(path, data=body, allow_redirects=False)
        status = response.status
        if role is None:
            expected_ok = (
                status == 302 and response.headers["Location"].startswith("/staff/login")
                if method == "GET"
                else status == 403
            )
            expected = "login redirect" if method == "GET" else "403"
        elif handler.permission in PERMISSIONS[role]:  # type: ignore[attr-defined]
            expected_ok = status == 200 if method == "GET" else status in (200, 302, 400)
            expected = "200" if method == "GET" else "done (200/302/400)"
        else:
            expected_ok, expected = status == 403, "403"
        if not expected_ok:
            wrong.append(f"{who}: {method} {template}: {status}, expected {expected}")
    return wrong


async def test_every_route_with_every_role(
    web_client: Client,
    world: World,
    staff_accounts: dict[Role, str],
) -> None:
    wrong: list[str] = []
    for role in (None, *Role):
        username = staff_accounts[role] if role else None
        wrong += await _check_role(web_client, world, role, username)
    assert not wrong, "\n".join(wrong)


def test_the_table_is_every_route_the_staff_app_serves() -> None:
    from staff.exports import ExportRunner
    from staff.plugin import build_app

    served = {
        (route.method, route.resource.canonical)
        for route in build_app(ExportRunner()).router.routes()
        if route.resource is not None
        and not route.resource.canonical.startswith("/static")
        and route.method != "HEAD"
    }
    assert served == {(method, path) for method, path, _handler in routes()}
