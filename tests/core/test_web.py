"""The web chat's HTTP API and the health checks, through a real aiohttp server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import outbox
from bot.app import Runtime
from bot.db.models import Commune
from bot.outbox import Envelope
from bot.types import Reply
from bot.web import create_app

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(runtime, manage_runtime=False))) as c:
        yield c


async def test_the_chat_page_is_served_with_a_strict_policy(client: Client) -> None:
    response = await client.get("/")
    assert response.status == 200
    assert "Hỏi đáp thủ tục" in await response.text()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert (await client.get("/static/chat.js")).status == 200


async def test_asking_in_the_browser_gets_the_documents_for_khai_sinh(client: Client) -> None:
    response = await client.post(
        "/api/chat", json={"session": "browser-0001", "text": "lam giay khai sinh can gi"}
    )
    assert response.status == 200
    replies = (await response.json())["replies"]
    assert "Tờ khai đăng ký khai sinh" in replies[0]["text"]
    labels = [b["label"] for b in replies[0]["buttons"]]
    assert "Lệ phí, thời gian" in labels
    fee = next(b for b in replies[0]["buttons"] if b["label"] == "Lệ phí, thời gian")
    pressed = await client.post(
        "/api/chat", json={"session": "browser-0001", "payload": fee["payload"]}
    )
    assert "Lệ phí" in (await pressed.json())["replies"][0]["text"]


async def test_a_resent_message_gets_the_same_answer_not_a_second_one(client: Client) -> None:
    body = {"session": "browser-0002", "text": "đăng ký tạm trú", "id": "msg-1"}
    first = await (await client.post("/api/chat", json=body)).json()
    again = await (await client.post("/api/chat", json=body)).json()
    assert first == again and first["replies"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"text": "xin chào"}, "session"),
        ({"session": "short", "text": "x"}, "session"),
        ({"session": "browser-0003"}, "text or a payload"),
        ({"session": "browser-0003", "text": "x" * 2001}, "longer than"),
        ({"session": "browser-0003", "text": 5}, "string"),
        (["not", "an", "object"], "object"),
    ],
)
async def test_bad_requests_get_a_clear_message(client: Client, body: object, problem: str) -> None:
    response = await client.post("/api/chat", json=body)
    assert response.status == 400
    assert problem in (await response.json())["error"]


async def test_invalid_json_is_refused(client: Client) -> None:
    response = await client.post(
        "/api/chat", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400


async def test_an_unknown_commune_is_a_404(client: Client) -> None:
    response = await client.post(
        "/api/chat", json={"session": "browser-0004", "text": "x", "commune": "nowhere"}
    )
    assert response.status == 404


async def test_later_messages_are_fetched_once(client: Client, runtime: Runtime) -> None:
    from sqlalchemy import select

    async with runtime.db.transaction() as session:
        commune_id = (await session.execute(select(Commune.id))).scalar_one()
        outbox.enqueue(
            session, commune_id, [Envelope("web", "browser-0005", Reply("Cán bộ đã trả lời"))]
        )
    first = await (await client.get("/api/chat/updates", params={"session": "browser-0005"})).json()
    second = await (
        await client.get("/api/chat/updates", params={"session": "browser-0005"})
    ).json()
    assert [r["text"] for r in first["replies"]] == ["Cán bộ đã trả lời"]
    assert second["replies"] == []


async def test_health_and_readiness(client: Client) -> None:
    assert (await (await client.get("/healthz")).json()) == {"status": "ok"}
    ready = await client.get("/readyz")
    body = await ready.json()
    assert ready.status == 200, body
    assert body["database"] == "ok" and body["catalogue"] == {"default": True}


async def test_a_page_sending_faster_than_a_person_types_is_slowed_down(client: Client) -> None:
    body = {"session": "browser-0006", "text": "xin chào"}
    statuses = [(await client.post("/api/chat", json=body)).status for _ in range(22)]
    assert statuses[:20] == [200] * 20
    refused = await client.post("/api/chat", json=body)
    assert refused.status == 429
    assert "chờ một chút" in (await refused.json())["error"]
    other = await client.post("/api/chat", json={"session": "browser-0007", "text": "xin chào"})
    assert other.status == 200  # one page's haste does not slow the others


async def test_while_the_database_is_down_the_page_is_told_to_try_again(
    client: Client, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = runtime.processor.accept

    async def database_down(*args: object, **kwargs: object) -> int | None:
        raise ConnectionRefusedError("the database is restarting")

    monkeypatch.setattr(runtime.processor, "accept", database_down)
    body = {"session": "browser-0008", "text": "xin chào", "id": "m1"}
    for _ in range(25):  # more than the limit: retries of one message are not haste
        refused = await client.post("/api/chat", json=body)
        assert refused.status == 503
        assert refused.headers["Retry-After"] == "5"
        assert "gián đoạn" in (await refused.json())["error"]  # the page shows it
    monkeypatch.setattr(runtime.processor, "accept", original)
    assert (await client.post("/api/chat", json=body)).status == 200


async def test_an_error_that_is_not_the_database_stays_a_server_error(
    client: Client, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> int | None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(runtime.processor, "accept", broken)
    response = await client.post("/api/chat", json={"session": "browser-0009", "text": "hi"})
    assert response.status == 500
