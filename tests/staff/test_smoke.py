from __future__ import annotations

from staff.roles import Role
from tests.staff.conftest import Client, sign_in


async def test_login_and_dashboard(web_client: Client, staff_accounts: dict[Role, str]) -> None:
    await sign_in(web_client, staff_accounts[Role.COMMUNE_ADMIN])
    page = await web_client.get("/staff/")
    body = await page.text()
    assert page.status == 200, body
    assert "Tổng quan" in body
