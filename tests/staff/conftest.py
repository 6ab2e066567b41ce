"""Staff web fixtures: a runtime with a second commune, one account per role, and a
client that signs in through the login form (cookies and CSRF tokens as a browser has
them)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Runtime
from bot.db.base import utcnow
from bot.web import create_app
from staff import accounts
from staff.roles import Role

PASSWORD = "mat-khau-thu-nghiem-1"
Client = TestClient[web.Request, web.Application]
OTHER = "xa-khac"


def username(role: Role) -> str:
    return f"{role.value.replace('_', '-')}-1"


@pytest.fixture
async def staff_accounts(runtime: Runtime) -> dict[Role, str]:
    """One account per role in the default commune (the province admin above them)."""
    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        for role in Role:
            await accounts.create(
                session,
                username=username(role),
                password=PASSWORD,
                role=role.value,
                commune_id=commune.id,
                display_name=f"Cán bộ {role.value}",
                now=utcnow(),
            )
    return {role: username(role) for role in Role}


@pytest.fixture
async def web_client(runtime: Runtime) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(runtime, manage_runtime=False))) as client:
        yield client


CSRF_INPUT = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


async def sign_in(client: Client, name: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (from the dashboard)."""
    page = await client.get("/staff/login")
    token = csrf_of(await page.text())
    response = await client.post(
        "/staff/login",
        data={"csrf": token, "username": name, "password": password, "next": "/staff/account"},
        allow_redirects=False,
    )
    assert response.status == 302, await response.text()
    account = await client.get("/staff/account")
    assert account.status == 200, await account.text()
    return csrf_of(await account.text())


RESIDENT_SESSION = "resident-session-0001"


async def open_ticket(
    runtime: Runtime,
    text: str = "Cán bộ hẹn 3 lần chưa trả kết quả hồ sơ khai sinh",
    *,
    session_id: str = RESIDENT_SESSION,
    category: str = "procedure",
    name: str | None = "Nguyễn Văn An",
    phone: str | None = "0912345678",
) -> str:
    """A ticket filed from the web chat (with contact details given with consent)."""
    from complaints import service

    commune = runtime.communes.by_slug("default")
    assert commune is not None
    async with runtime.db.transaction() as session:
        ticket = await service.open_ticket(
            session,
            commune_id=commune.id,
            category=category,
            text=text,
            channel="web",
            user_id=session_id,
            chat_id=session_id,
            contact_consent=name is not None,
            contact_name=name,
            contact_phone=phone,
            consent_version="2026-01" if name is not None else None,
            now=utcnow(),
        )
        return ticket.code


async def ask_bot(client: Client, text: str, session_id: str = RESIDENT_SESSION) -> str:
    response = await client.post("/api/chat", json={"session": session_id, "text": text})
    assert response.status == 200
    return "\n".join(r["text"] for r in (await response.json())["replies"])


async def chat_updates(client: Client, session_id: str = RESIDENT_SESSION) -> list[str]:
    response = await client.get("/api/chat/updates", params={"session": session_id})
    assert response.status == 200
    return [r["text"] for r in (await response.json())["replies"]]


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id still, with test-sized cost: the suite hashes dozens of passwords."""
    from argon2 import PasswordHasher

    from staff import security

    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
