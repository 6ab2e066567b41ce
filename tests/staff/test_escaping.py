"""A resident's text is shown as text on every staff page, never run as markup."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Runtime
from bot.db.models import Question
from staff.roles import Role
from tests.staff.conftest import Client, ask_bot, open_ticket, sign_in

HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(1)> đăng ký <b>khai</b> sinh'
NAME = "<svg onload=alert(2)>Nguyễn"


def assert_escaped(page: str, where: str) -> None:
    assert "<script>alert" not in page, where
    assert "<img src=x" not in page, where
    assert "<svg onload" not in page, where
    assert "<b>khai</b>" not in page, where


async def test_hostile_resident_text_is_escaped_on_every_page_that_shows_it(
    runtime: Runtime,
    web_client: Client,
    staff_accounts: dict[Role, str],
) -> None:
    code = await open_ticket(runtime, HOSTILE, name=NAME, phone="0912345678")
    await ask_bot(web_client, HOSTILE, "resident-hostile-01")
    async with runtime.db.read() as session:
        asked = (await session.execute(select(Question).where(Question.text == HOSTILE))).first()
    assert asked is not None
    csrf = await sign_in(web_client, staff_accounts[Role.COMMUNE_ADMIN])
    pages = {
        "inbox": "/staff/complaints",
        "ticket": f"/staff/complaints/{code}",
        "questions": "/staff/questions",
    }
    for where, path in pages.items():
        page = await (await web_client.get(path)).text()
        assert "&lt;script&gt;" in page or "&lt;b&gt;" in page, where
        assert_escaped(page, where)
    revealed = await (
        await web_client.post(f"/staff/complaints/{code}/reveal", data={"csrf": csrf})
    ).text()
    assert "&lt;svg onload=alert(2)&gt;Nguyễn" in revealed
    assert_escaped(revealed, "revealed ticket")
    # The resident's words become an alias: the catalogue pages show them escaped too.
    await web_client.post(
        "/staff/questions/link",
        data={"csrf": csrf, "question": str(asked[0].id), "alias": HOSTILE, "code": "1.001193"},
    )
    for where, path in {
        "procedure": "/staff/catalogue/1.001193",
        "history": "/staff/catalogue/history",
        "reply history": f"/staff/complaints/{code}",
    }.items():
        page = await (await web_client.get(path)).text()
        assert_escaped(page, where)
    await web_client.post(f"/staff/complaints/{code}/reply", data={"csrf": csrf, "text": HOSTILE})
    assert_escaped(await (await web_client.get(f"/staff/complaints/{code}")).text(), "staff reply")
