"""The OA plugin's sweep and staff alerts, with the runtime wired as in production."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Runtime
from bot.channels.zalo_oa.plugin import ZaloOAPlugin
from bot.channels.zalo_oa.tokens import RefreshFailed
from bot.db.models import OutboxItem
from tests.fakes.zalo_api import FakeZaloOA


def oa_plugin(runtime: Runtime) -> ZaloOAPlugin:
    [plugin] = [p for p in runtime.plugins if isinstance(p, ZaloOAPlugin)]
    return plugin


async def test_the_sweep_gets_a_token_from_the_configured_refresh_token(
    zalo_runtime: Runtime, fake_oa: FakeZaloOA
) -> None:
    plugin = oa_plugin(zalo_runtime)
    assert [job.id for job in plugin.jobs(zalo_runtime)] == ["zalo-oa-token-refresh"]
    await plugin.refresh_all()
    status = await plugin.tokens["default"].status()
    assert status is not None and status.has_access_token
    await plugin.refresh_all()  # nothing due: the refresh token is not spent again
    assert len(fake_oa.refresh_requests) == 1


async def test_a_failing_refresh_alerts_the_staff_chat(
    zalo_runtime: Runtime, fake_oa: FakeZaloOA
) -> None:
    store = oa_plugin(zalo_runtime).tokens["default"]
    fake_oa.fail_refresh(body={"error": -14020, "error_name": "Invalid refresh token"})
    with pytest.raises(RefreshFailed):
        await store.refresh(force=True)
    async with zalo_runtime.db.read() as session:
        [alert] = (await session.execute(select(OutboxItem))).scalars().all()
    assert (alert.channel, alert.chat_id, alert.kind) == ("telegram", "-100777", "alert")
    text = alert.reply["text"]
    assert "Zalo OA của Xã An Bình" in text and "motcua zalo authorize" in text
    assert "Invalid refresh token" in text
