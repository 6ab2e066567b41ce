"""Small helpers shared by the Zalo tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import Runtime
from bot.channels.zalo_bot.plugin import ZaloBotPlugin
from bot.channels.zalo_bot.typing import TypingIndicator

FIXTURES = Path(__file__).parents[2] / "fixtures" / "zalo"


def raw_fixture(kind: str, name: str) -> bytes:
    return (FIXTURES / kind / name).read_bytes()


def fixture(kind: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw_fixture(kind, name))
    return data


async def count(runtime: Runtime, model: type, *where: Any) -> int:
    async with runtime.db.read() as session:
        result = await session.execute(select(func.count()).select_from(model).where(*where))
        return int(result.scalar_one())


async def drain(runtime: Runtime) -> None:
    await runtime.processor.recover()
    while await runtime.relay.run_once():
        pass


def typing_of(runtime: Runtime) -> TypingIndicator:
    """The Zalo Bot plugin's "typing..." indicator."""
    [plugin] = [p for p in runtime.plugins if isinstance(p, ZaloBotPlugin)]
    assert plugin.typing is not None
    return plugin.typing
