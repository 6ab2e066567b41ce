"""A deployment serving several communes: the province's side-by-side view and switching
the commune one works on; commune accounts stay inside their own commune."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import Runtime
from bot.config import Settings
from staff.roles import Role
from tests.staff.conftest import Client, open_ticket, sign_in


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    config = tmp_path / "communes.yaml"
    config.write_text("communes:\n  - slug: xa-khac\n    name: Xã Bình Minh\n", encoding="utf-8")
    settings.config = config
    return settings


async def test_the_province_sees_every_commune_and_switches_between_them(
    runtime: Runtime, web_client: Client, staff_accounts: dict[Role, str]
) -> None:
    code = await open_ticket(runtime)
    csrf = await sign_in(web_client, staff_accounts[Role.PROVINCE_ADMIN])
    page = await (await web_client.get("/staff/province")).text()
    assert "Xã An Bình" in page and "Xã Bình Minh" in page
    assert code in await (await web_client.get("/staff/complaints")).text()
    switched = await web_client.post(
        "/staff/commune", data={"csrf": csrf, "commune": "xa-khac", "next": "/staff/complaints"}
    )
    assert switched.status == 200
    assert code not in await switched.text()
    assert (await web_client.get(f"/staff/complaints/{code}")).status == 404


async def test_a_commune_account_cannot_reach_another_communes_tickets(
    runtime: Runtime, web_client: Client, staff_accounts: dict[Role, str]
) -> None:
    code = await open_ticket(runtime)
    csrf = await sign_in(web_client, staff_accounts[Role.COMMUNE_ADMIN])
    refused = await web_client.post(
        "/staff/commune", data={"csrf": csrf, "commune": "xa-khac", "next": "/staff/"}
    )
    assert "Dữ liệu chưa hợp lệ" in await refused.text()
    assert (await web_client.get(f"/staff/complaints/{code}")).status == 200
    assert (await web_client.get("/staff/province")).status == 403
